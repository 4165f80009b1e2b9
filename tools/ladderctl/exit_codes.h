#pragma once

// The exit status of every ladderctl command, for scripts:
//
//   0  done
//   1  refused by a rule: the service understood the request and said no
//      (FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED, NOT_FOUND, PERMISSION_DENIED,
//      UNAUTHENTICATED, OUT_OF_RANGE, RESOURCE_EXHAUSTED), or an import some of whose rows a
//      rule refused (e.g. SENIOR_CAP_REACHED) while the file itself was fine
//   2  bad usage or input: an unknown command or flag, a file that cannot be read or is not
//      the CSV expected, bad rows in an import, INVALID_ARGUMENT from a service
//   3  unavailable: a service could not be reached or did not answer in time (UNAVAILABLE,
//      DEADLINE_EXCEEDED, CANCELLED), after the retries; safe to run the command again
//   4  the service failed (INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED): a bug to report,
//      with the service's log
//
// When a command meets several problems (an import with bad rows and refused rows), the
// status is the most severe, in the order 3, 4, 2, 1.

#include <string>

#include "absl/status/status.h"

namespace ladder::ladderctl {

enum ExitCode : int {
  kExitOk = 0,
  kExitRefused = 1,
  kExitBadInput = 2,
  kExitUnavailable = 3,
  kExitFailed = 4,
};

ExitCode ExitCodeFor(absl::StatusCode code);
inline ExitCode ExitCodeFor(const absl::Status& status) { return ExitCodeFor(status.code()); }

// The more severe of two statuses (see the order above).
ExitCode Worse(ExitCode a, ExitCode b);

// A failed call as people read it: "FAILED_PRECONDITION (SENIOR_CAP_REACHED): message",
// with the field for bad input.
std::string DescribeError(const absl::Status& status);

}  // namespace ladder::ladderctl
