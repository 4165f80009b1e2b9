#include "tools/common/command_line.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace ladder::tools {
namespace {

// Points into argv[0], which lives as long as the program.
absl::string_view program_name = "tool";

// The flags absl defines for itself are not in the registry that FindCommandLineFlag
// searches; absl handles them (and exits, for --help) during parsing.
bool IsAbslOwnFlag(absl::string_view name) {
  return absl::StartsWith(name, "help") || name == "version" || name == "only_check_args" || name == "flagfile" ||
         name == "fromenv" || name == "tryfromenv" || name == "undefok";
}

}  // namespace

std::string CommandLineProblem(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (!absl::ConsumePrefix(&arg, "-")) return absl::StrCat("unexpected argument '", arg, "'");
    absl::ConsumePrefix(&arg, "-");
    const size_t equals = arg.find('=');
    absl::string_view name = arg.substr(0, equals);
    if (IsAbslOwnFlag(name)) return "";
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && equals == absl::string_view::npos && absl::ConsumePrefix(&name, "no")) {
      flag = absl::FindCommandLineFlag(name);  // --noflag for a boolean.
      if (flag != nullptr && flag->IsOfType<bool>()) continue;
      flag = nullptr;
    }
    if (flag == nullptr) return absl::StrCat("unknown flag '", argv[i], "'");
    std::string value;
    if (equals != absl::string_view::npos) {
      value = std::string(arg.substr(equals + 1));
    } else if (flag->IsOfType<bool>()) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::StrCat("flag '", argv[i], "' needs a value");
    }
    // ParseFrom stores the value; ParseCommandLine stores the same one again later.
    std::string error;
    if (!flag->ParseFrom(value, &error)) return absl::StrCat("--", name, ": ", error);
  }
  return "";
}

void ApplyEnvironmentOrExit(std::initializer_list<std::pair<const char*, const char*>> variable_to_flag) {
  for (const auto& [variable, flag_name] : variable_to_flag) {
    const char* value = std::getenv(variable);
    if (value == nullptr || value[0] == '\0') continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(flag_name);
    std::string error = "no such flag";
    if (flag == nullptr || !flag->ParseFrom(value, &error)) {
      std::fprintf(stderr, "%s: invalid value: %s\n", variable, error.c_str());
      std::exit(kExitUsage);
    }
  }
}

int UsageError(absl::string_view problem, absl::string_view usage) {
  std::fprintf(stderr, "%s: %s\nusage: %s\n", std::string(program_name).c_str(), std::string(problem).c_str(),
               std::string(usage).c_str());
  return kExitUsage;
}

void ParseCommandLineOrExit(int argc, char** argv, absl::string_view usage) {
  if (argc > 0) {
    program_name = argv[0];
    program_name.remove_prefix(program_name.rfind('/') + 1);
  }
  if (const std::string problem = CommandLineProblem(argc, argv); !problem.empty()) {
    std::exit(UsageError(problem, usage));
  }
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    std::exit(UsageError(absl::StrCat("unexpected argument '", positional[1], "'"), usage));
  }
}

}  // namespace ladder::tools
