#include "tools/ladderctl/cli.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "tools/common/channel_credentials.h"
#include "tools/ladderctl/display_width.h"

namespace ladder::ladderctl {
namespace {

constexpr char kExitStatusHelp[] =
    "Exit status: 0 done; 1 refused by a rule (the service said no), or the caller refused\n"
    "(UNAUTHENTICATED: no valid token; PERMISSION_DENIED: the role may not); 2 bad usage or\n"
    "input (unknown flag, unreadable file, bad rows); 3 a service unavailable or too slow\n"
    "(safe to run again); 4 a service failed (a bug: see its log).\n";

// The text after one or two leading dashes.
std::string WithoutDashes(absl::string_view token) {
  absl::ConsumePrefix(&token, "-");
  absl::ConsumePrefix(&token, "-");
  return std::string(token);
}

std::string Normalize(absl::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

std::string DefaultActor() {
  const char* user = std::getenv("USER");
  std::string name = user != nullptr ? user : "";
  if (name.empty()) {
    if (const passwd* entry = ::getpwuid(::getuid()); entry != nullptr) name = entry->pw_name;
  }
  // The service records the caller as "user:<this>".
  return name.empty() ? "ladderctl" : name;
}

const FlagSpec* FindFlag(const std::vector<FlagSpec>& specs, const std::string& name) {
  for (const FlagSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

bool IsPrefix(const std::vector<std::string>& prefix, const std::vector<std::string>& path) {
  if (prefix.size() > path.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), path.begin());
}

std::string FlagLine(const FlagSpec& flag, bool global) {
  std::string left = absl::StrCat("  --", flag.name);
  if (!flag.value_name.empty()) absl::StrAppend(&left, "=", flag.value_name);
  std::string text = flag.help;
  if (global) {
    std::vector<std::string> notes;
    if (!flag.env.empty()) notes.push_back(flag.env);
    if (!flag.default_value.empty()) notes.push_back(absl::StrCat("default ", flag.default_value));
    if (!notes.empty()) absl::StrAppend(&text, " [", absl::StrJoin(notes, ", "), "]");
  } else if (!flag.default_value.empty()) {
    absl::StrAppend(&text, " (default ", flag.default_value, ")");
  }
  if (flag.repeated) absl::StrAppend(&text, "; may be repeated");
  constexpr int kLeft = 26;
  if (DisplayWidth(left) >= kLeft) return absl::StrCat(left, "\n", std::string(kLeft, ' '), text, "\n");
  return absl::StrCat(PadRight(left, kLeft), text, "\n");
}

std::string UsageLine(const Command& command) {
  std::string line = absl::StrCat("ladderctl ", absl::StrJoin(command.path, " "));
  if (!command.arguments.empty()) absl::StrAppend(&line, " ", command.arguments);
  if (!command.flags.empty()) absl::StrAppend(&line, " [flags]");
  return line;
}

std::string GlobalFlagsHelp() {
  std::string text = "Global flags (any command; the environment variable sets the default):\n";
  for (const FlagSpec& flag : GlobalFlags()) text += FlagLine(flag, true);
  return text;
}

std::string CommandHelp(const Command& command) {
  std::string text = absl::StrCat("Usage: ", UsageLine(command), "\n\n", command.summary, "\n");
  if (!command.help.empty()) absl::StrAppend(&text, "\n", command.help, "\n");
  if (!command.flags.empty()) {
    text += "\nFlags:\n";
    for (const FlagSpec& flag : command.flags) text += FlagLine(flag, false);
  }
  absl::StrAppend(&text, "\n", GlobalFlagsHelp(), "\n", kExitStatusHelp);
  return text;
}

// The commands under `prefix` (all of them for an empty prefix), one line each.
std::string CommandList(const std::vector<std::string>& prefix) {
  std::vector<std::pair<std::string, std::string>> lines;
  int width = 0;
  for (const Command& command : Registry()) {
    if (!IsPrefix(prefix, command.path)) continue;
    std::string usage = absl::StrJoin(command.path, " ");
    if (!command.arguments.empty()) absl::StrAppend(&usage, " ", command.arguments);
    width = std::max(width, DisplayWidth(usage));
    lines.emplace_back(usage, command.summary);
  }
  std::string text;
  for (const auto& [usage, summary] : lines) {
    absl::StrAppend(&text, "  ", PadRight(usage, width), "  ", summary, "\n");
  }
  return text;
}

std::string TopHelp() {
  return absl::StrCat(
      "Usage: ladderctl [global flags] COMMAND [arguments] [flags]\n\n"
      "ladderctl runs the tiered management of customer managers (客户经理分级管理) from a\n"
      "terminal or a script: imports of employees and scores from CSV files, the cycles, the\n"
      "review and its cases, and the distribution of levels per county.\n\n"
      "The services answer only over TLS and only callers with a token: give the CA that\n"
      "signed their certificates (--tls-ca, which turns TLS on) and your token (--token-file,\n"
      "or LADDER_TOKEN); scripts/run.sh prints both for the development suite.\n\n"
      "Commands:\n",
      CommandList({}), "\nRun 'ladderctl COMMAND --help' for a command's arguments and flags.\n\n", GlobalFlagsHelp(),
      "\n", kExitStatusHelp);
}

std::string GroupHelp(const std::vector<std::string>& prefix) {
  return absl::StrCat("Usage: ladderctl ", absl::StrJoin(prefix, " "), " COMMAND [arguments] [flags]\n\nCommands:\n",
                      CommandList(prefix), "\nRun 'ladderctl ", absl::StrJoin(prefix, " "),
                      " COMMAND --help' for a command's arguments and flags.\n");
}

bool IsGroup(const std::vector<std::string>& prefix) {
  for (const Command& command : Registry()) {
    if (command.path.size() > prefix.size() && IsPrefix(prefix, command.path)) return true;
  }
  return false;
}

int UsageError(const std::string& problem, const std::string& usage) {
  std::fprintf(stderr, "ladderctl: %s\n", problem.c_str());
  if (!usage.empty()) std::fprintf(stderr, "usage: %s\n", usage.c_str());
  return kExitBadInput;
}

absl::StatusOr<absl::Duration> ParseDeadline(const std::string& text) {
  absl::Duration duration;
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    duration = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(text, &duration)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--deadline: '", text, "' is not a duration such as 10s, 1m or 500ms"));
  }
  if (duration <= absl::ZeroDuration() || duration == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("--deadline must be positive and finite, such as 10s");
  }
  return duration;
}

bool ParseBool(const std::string& text, bool* value) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "true" || lower == "1" || lower == "yes" || lower.empty()) {
    *value = true;
  } else if (lower == "false" || lower == "0" || lower == "no") {
    *value = false;
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::string Args::Get(const std::string& name, const std::string& fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

bool Args::Flag(const std::string& name) const {
  if (!Has(name)) return false;
  bool value = false;
  return ParseBool(Get(name, "true"), &value) && value;
}

void Context::Error(const std::string& message) const { std::fprintf(err, "ladderctl: %s\n", message.c_str()); }

void Context::Note(const std::string& message) const { std::fprintf(err, "%s\n", message.c_str()); }

int Context::Fail(const absl::Status& status) const {
  Error(DescribeError(status));
  return ExitCodeFor(status);
}

int Context::Usage(const std::string& problem) const {
  std::fprintf(err, "%s: %s\nusage: %s\n(see '%s --help')\n", command_name.c_str(), problem.c_str(), usage_line.c_str(),
               command_name.c_str());
  return kExitBadInput;
}

std::vector<Command>& Registry() {
  static std::vector<Command>* commands = new std::vector<Command>();
  return *commands;
}

const std::vector<FlagSpec>& GlobalFlags() {
  static const std::vector<FlagSpec>* flags = new std::vector<FlagSpec>{
      {"personnel", "ADDRESS", "the PersonnelService", "LADDER_PERSONNEL_ADDRESS", "127.0.0.1:50051"},
      {"evaluation", "ADDRESS", "the EvaluationService", "LADDER_EVALUATION_ADDRESS", "127.0.0.1:50052"},
      {"careerpath", "ADDRESS", "the CareerPathService", "LADDER_CAREERPATH_ADDRESS", "127.0.0.1:50053"},
      {"deadline", "DURATION", "time each call may take (imports: per 1,000 rows)", "LADDER_DEADLINE", "10s"},
      {"actor", "NAME", "who you are, recorded with every change", "LADDER_ACTOR", "$USER"},
      {"tls", "",
       "connect with TLS; on by itself when a TLS file or a token is given (plaintext only "
       "reaches servers started with --insecure_plaintext)",
       "LADDER_TLS", ""},
      {"tls-ca", "FILE", "PEM roots to verify the servers with (default: the system's)", "LADDER_TLS_CA", ""},
      {"tls-cert", "FILE", "PEM client certificate, for mutual TLS", "LADDER_TLS_CERT", ""},
      {"tls-key", "FILE", "PEM private key of --tls-cert", "LADDER_TLS_KEY", ""},
      {"token", "JWT",
       "bearer token sent with every call (other users can see a command line: prefer "
       "--token-file or the environment)",
       "LADDER_TOKEN", ""},
      {"token-file", "FILE", "file holding the bearer token, instead of --token", "", ""},
      {"progress", "MODE", "auto (a bar on a terminal, plain lines otherwise), bar, lines or none", "LADDER_PROGRESS",
       "auto"},
      {"help", "", "show the help of the command", "", ""},
  };
  return *flags;
}

FlagSpec FormatFlag() { return FlagSpec{"format", "FORMAT", "text (aligned table), json or csv", "", "text"}; }

std::optional<Format> FormatOf(Context& context, const Args& args) {
  const std::string format = absl::AsciiStrToLower(args.Get("format", "text"));
  if (format == "text" || format == "table") return Format::kText;
  if (format == "json") return Format::kJson;
  if (format == "csv") return Format::kCsv;
  context.Usage(absl::StrCat("--format: '", format, "' is not text, json or csv"));
  return std::nullopt;
}

int RunCommandLine(int argc, char** argv) {
  RegisterOrgCommands();
  RegisterEmployeeCommands();
  RegisterEvaluationCommands();
  RegisterScoreCommands();
  RegisterCareerPathCommands();
  RegisterReportCommands();
  RegisterChangeCommands();

  std::vector<std::string> tokens(argv + 1, argv + argc);
  // `ladderctl help employees import` is `ladderctl employees import --help`.
  bool help = false;
  if (!tokens.empty() && tokens[0] == "help") {
    tokens.erase(tokens.begin());
    help = true;
  }

  // First pass: the command words, skipping global flags and their values.
  std::vector<std::string> words;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    if (token == "--") break;
    if (absl::StartsWith(token, "-") && token.size() > 1) {
      std::string name = Normalize(WithoutDashes(token));
      const bool inline_value = name.find('=') != std::string::npos;
      name = name.substr(0, name.find('='));
      const FlagSpec* global = FindFlag(GlobalFlags(), name);
      if (global != nullptr && !global->value_name.empty() && !inline_value) ++i;
      continue;
    }
    words.push_back(token);
  }
  // The longest run of leading words that names a command or a group.
  std::vector<std::string> path;
  const Command* command = nullptr;
  for (const std::string& word : words) {
    std::vector<std::string> longer = path;
    longer.push_back(word);
    const Command* exact = nullptr;
    bool any = false;
    for (const Command& candidate : Registry()) {
      if (IsPrefix(longer, candidate.path)) any = true;
      if (candidate.path == longer) exact = &candidate;
    }
    if (!any) break;
    path = std::move(longer);
    if (exact != nullptr) command = exact;
    if (exact != nullptr && !IsGroup(path)) break;
  }
  if (command != nullptr && command->path != path) command = nullptr;

  const bool asked_help = help || std::any_of(tokens.begin(), tokens.end(), [](const std::string& t) {
                            return t == "--help" || t == "-h" || t == "-help";
                          });
  if (command == nullptr) {
    if (path.empty()) {
      if (asked_help || words.empty()) {
        const std::string text = TopHelp();
        std::fputs(text.c_str(), asked_help ? stdout : stderr);
        return asked_help ? kExitOk : kExitBadInput;
      }
      return UsageError(absl::StrCat("unknown command '", words[0], "'"),
                        "ladderctl COMMAND ... (see 'ladderctl --help')");
    }
    if (asked_help) {
      std::fputs(GroupHelp(path).c_str(), stdout);
      return kExitOk;
    }
    const std::string joined = absl::StrJoin(path, " ");
    if (words.size() > path.size()) {
      std::fputs(GroupHelp(path).c_str(), stderr);
      return UsageError(absl::StrCat("'", joined, "' has no command '", words[path.size()], "'"), "");
    }
    std::fputs(GroupHelp(path).c_str(), stderr);
    return UsageError(absl::StrCat("'", joined, "' needs a command"), "");
  }
  if (asked_help) {
    std::fputs(CommandHelp(*command).c_str(), stdout);
    return kExitOk;
  }

  Context context;
  context.command_name = absl::StrCat("ladderctl ", absl::StrJoin(command->path, " "));
  context.usage_line = UsageLine(*command);

  // Second pass: every flag against the global and the command's flags.
  Args args;
  Args globals;
  size_t words_to_skip = command->path.size();
  bool only_positional = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    if (!only_positional && token == "--") {
      only_positional = true;
      continue;
    }
    if (only_positional || !absl::StartsWith(token, "-") || token.size() == 1) {
      if (words_to_skip > 0) {
        --words_to_skip;
      } else {
        args.positional.push_back(token);
      }
      continue;
    }
    std::string body = WithoutDashes(token);
    std::optional<std::string> value;
    if (const size_t equals = body.find('='); equals != std::string::npos) {
      value = body.substr(equals + 1);
      body = body.substr(0, equals);
    }
    const std::string name = Normalize(body);
    const FlagSpec* spec = FindFlag(command->flags, name);
    bool global = false;
    if (spec == nullptr) {
      spec = FindFlag(GlobalFlags(), name);
      global = spec != nullptr;
    }
    if (spec == nullptr && absl::StartsWith(name, "no-")) {
      // --no-dry-run for a boolean flag.
      const FlagSpec* negated = FindFlag(command->flags, name.substr(3));
      if (negated == nullptr) negated = FindFlag(GlobalFlags(), name.substr(3));
      if (negated != nullptr && negated->value_name.empty() && !value.has_value()) {
        (FindFlag(GlobalFlags(), name.substr(3)) == negated ? globals : args).Set(negated->name, "false");
        continue;
      }
    }
    if (spec == nullptr) return context.Usage(absl::StrCat("unknown flag '", token, "'"));
    if (spec->value_name.empty()) {
      bool parsed = false;
      if (value.has_value() && !ParseBool(*value, &parsed)) {
        return context.Usage(absl::StrCat("--", name, " takes no value other than true or false"));
      }
      (global ? globals : args).Set(spec->name, value.value_or("true"));
      continue;
    }
    if (!value.has_value()) {
      if (i + 1 >= tokens.size()) {
        return context.Usage(absl::StrCat("--", name, " needs a value (", spec->value_name, ")"));
      }
      value = tokens[++i];
    }
    if (!spec->repeated && (global ? globals : args).Has(spec->name)) {
      return context.Usage(absl::StrCat("--", name, " is given twice"));
    }
    (global ? globals : args).Set(spec->name, *value);
  }
  const int count = static_cast<int>(args.positional.size());
  if (count < command->min_arguments) {
    return context.Usage(command->arguments.empty() ? "missing arguments"
                                                    : absl::StrCat("missing ", command->arguments));
  }
  if (command->max_arguments >= 0 && count > command->max_arguments) {
    return context.Usage(absl::StrCat("unexpected argument '", args.positional[command->max_arguments], "'"));
  }

  // Global options: the flag, else the environment, else the default.
  const auto option = [&](const std::string& name) {
    if (globals.Has(name)) return globals.Get(name);
    const FlagSpec* spec = FindFlag(GlobalFlags(), name);
    if (spec != nullptr && !spec->env.empty()) {
      if (const char* env = std::getenv(spec->env.c_str()); env != nullptr && env[0] != '\0') {
        return std::string(env);
      }
    }
    return spec == nullptr ? std::string() : spec->default_value;
  };
  context.connection.personnel = option("personnel");
  context.connection.evaluation = option("evaluation");
  context.connection.careerpath = option("careerpath");
  for (const auto& [name, address] :
       {std::pair<const char*, const std::string&>{"personnel", context.connection.personnel},
        {"evaluation", context.connection.evaluation},
        {"careerpath", context.connection.careerpath}}) {
    if (address.empty()) return context.Usage(absl::StrCat("--", name, " is empty"));
  }
  absl::StatusOr<absl::Duration> deadline = ParseDeadline(option("deadline"));
  if (!deadline.ok()) return context.Usage(std::string(deadline.status().message()));
  context.connection.deadline = *deadline;
  context.connection.actor = option("actor");
  if (context.connection.actor == "$USER") context.connection.actor = DefaultActor();
  const std::string tls = option("tls");
  if (!tls.empty() && !ParseBool(tls, &context.connection.tls)) {
    return context.Usage("--tls (LADDER_TLS) must be true or false");
  }
  context.connection.tls_ca_file = option("tls-ca");
  context.connection.tls_cert_file = option("tls-cert");
  context.connection.tls_key_file = option("tls-key");
  if (globals.Has("token") && globals.Has("token-file")) {
    return context.Usage("--token and --token-file exclude each other");
  }
  if (globals.Has("token-file")) {
    absl::StatusOr<std::string> token = tools::ReadTokenFile(globals.Get("token-file"));
    if (!token.ok()) return context.Usage(absl::StrCat("--token-file: ", token.status().message()));
    context.connection.token = *std::move(token);
  } else {
    context.connection.token = option("token");  // --token, else LADDER_TOKEN
  }
  if (!context.connection.token.empty()) {
    // The message names where the token came from, never the token itself.
    if (absl::Status shape = tools::CheckTokenShape(context.connection.token); !shape.ok()) {
      return context.Usage(absl::StrCat(globals.Has("token-file") ? "--token-file"
                                        : globals.Has("token")    ? "--token"
                                                                  : "LADDER_TOKEN",
                                        ": ", shape.message()));
    }
  }
  if (!context.connection.tls &&
      (!(context.connection.tls_ca_file + context.connection.tls_cert_file + context.connection.tls_key_file).empty() ||
       !context.connection.token.empty())) {
    context.connection.tls = true;  // a TLS file given means TLS; a token never goes in clear
  }
  if (!ParseProgressMode(option("progress"), &context.progress)) {
    return context.Usage(absl::StrCat("--progress: '", option("progress"), "' is not auto, bar, lines or none"));
  }
  if (command->needs_services) {
    absl::StatusOr<std::unique_ptr<Clients>> clients = Clients::Create(context.connection);
    if (!clients.ok()) return context.Usage(std::string(clients.status().message()));
    context.clients = *std::move(clients);
  }
  const int status = command->run(context, args);
  std::fflush(context.out);
  return status;
}

}  // namespace ladder::ladderctl
