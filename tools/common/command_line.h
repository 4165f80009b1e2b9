#pragma once

// Command-line parsing for the tools, with an exit status scripts can rely on.
//
// absl's parser exits with status 1 on an unknown flag or a malformed value. The tools give
// 1 a meaning of its own (ladder_health: not serving; ladder_seed: a call failed), and a
// script waiting for readiness would wait forever on a typo. So the command line is checked
// first, against the same flag registry, and a bad one ends with status 2.

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace ladder::tools {

// Exit status for a command line the tool cannot run with.
inline constexpr int kExitUsage = 2;

// Parses the flags like absl::ParseCommandLine. On an unknown flag, a malformed value or a
// positional argument, prints the problem and `usage` on stderr and exits with kExitUsage.
// --help and the other flags of absl itself are left to absl.
void ParseCommandLineOrExit(int argc, char** argv, absl::string_view usage);

// Sets flags from environment variables ({variable, flag name} pairs), the way the servers
// read LADDER_*: call it before ParseCommandLineOrExit, so that the command line wins. An
// unset or empty variable is skipped; a malformed value ends the program with kExitUsage.
void ApplyEnvironmentOrExit(std::initializer_list<std::pair<const char*, const char*>> variable_to_flag);

// Prints `problem` and `usage` on stderr, prefixed by the program name, and returns
// kExitUsage, for the checks a tool makes on the parsed values.
int UsageError(absl::string_view problem, absl::string_view usage);

// What is wrong with the command line, or "" when it is usable. Stores the values of the
// flags it checks, as parsing would.
std::string CommandLineProblem(int argc, char** argv);

}  // namespace ladder::tools
