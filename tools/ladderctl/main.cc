// ladderctl: the command line of the Ladder suite, for HR officers and scripts.
//
//   ladderctl [global flags] COMMAND [arguments] [flags]
//   ladderctl --help | ladderctl COMMAND --help
//
// Exit status: 0 done, 1 refused by a rule, 2 bad usage or input, 3 a service unavailable,
// 4 a service failed (see exit_codes.h).

#include "tools/ladderctl/cli.h"

int main(int argc, char** argv) { return ladder::ladderctl::RunCommandLine(argc, argv); }
