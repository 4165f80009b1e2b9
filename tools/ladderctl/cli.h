#pragma once

// The command line of ladderctl: global flags (each with an environment variable), a tree
// of commands ("employees import"), each with its own flags, positional arguments and
// --help, and usage errors that end with exit status 2.

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/ladderctl/clients.h"
#include "tools/ladderctl/exit_codes.h"
#include "tools/ladderctl/progress.h"

namespace ladder::ladderctl {

struct FlagSpec {
  // As written after "--", words joined by '-': "dry-run". "--dry_run" is accepted too.
  std::string name{};
  // Empty for a boolean flag; otherwise what the value is, for the help: "FILE".
  std::string value_name{};
  std::string help{};
  // Global flags only: the environment variable that gives the default.
  std::string env{};
  std::string default_value{};
  // May be given more than once.
  bool repeated = false;
};

// The parsed command line of one command.
class Args final {
 public:
  std::vector<std::string> positional;

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The last value given, or `fallback`.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& name) const;
  bool Flag(const std::string& name) const;  // a boolean flag given (and not =false)
  void Set(const std::string& name, std::string value) { values_[name].push_back(std::move(value)); }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

struct Context;

struct Command {
  // The words that call it: {"employees", "import"}.
  std::vector<std::string> path;
  // Positional arguments for the usage line: "FILE.csv".
  std::string arguments;
  int min_arguments = 0;
  int max_arguments = 0;  // -1: any number
  // One line for the list of commands.
  std::string summary;
  // Paragraphs for --help, after the usage line.
  std::string help;
  std::vector<FlagSpec> flags;
  std::function<int(Context&, const Args&)> run;
  // False for commands that need no service (help-only or local work).
  bool needs_services = true;
};

// What a running command has: the global options, the services, where output goes.
struct Context {
  ConnectionOptions connection;
  ProgressMode progress = ProgressMode::kAuto;
  std::unique_ptr<Clients> clients;
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  // "ladderctl employees import", for messages.
  std::string command_name;

  Clients& services() { return *clients; }
  // Prints "ladderctl: message" on stderr.
  void Error(const std::string& message) const;
  void Note(const std::string& message) const;
  // Prints the failure of a call and returns its exit status.
  int Fail(const absl::Status& status) const;
  // A usage problem of this command: the message, its usage line, exit status 2.
  int Usage(const std::string& problem) const;
  std::string usage_line;
};

// All commands, registered by the *_commands.cc files.
std::vector<Command>& Registry();
void RegisterEmployeeCommands();
void RegisterScoreCommands();
void RegisterOrgCommands();
void RegisterEvaluationCommands();
void RegisterCareerPathCommands();
void RegisterReportCommands();
void RegisterChangeCommands();

// The flags every command takes.
const std::vector<FlagSpec>& GlobalFlags();

// Runs ladderctl with `argv` and returns the exit status.
int RunCommandLine(int argc, char** argv);

// --format text|json|csv, common to the commands that print tables.
FlagSpec FormatFlag();
enum class Format { kText, kJson, kCsv };
// Parses --format; on a bad value prints the usage problem and returns nullopt.
std::optional<Format> FormatOf(Context& context, const Args& args);

}  // namespace ladder::ladderctl
