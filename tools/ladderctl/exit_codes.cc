#include "tools/ladderctl/exit_codes.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace ladder::ladderctl {
namespace {

int Severity(ExitCode code) {
  switch (code) {
    case kExitOk:
      return 0;
    case kExitRefused:
      return 1;
    case kExitBadInput:
      return 2;
    case kExitFailed:
      return 3;
    case kExitUnavailable:
      return 4;
  }
  return 0;
}

}  // namespace

ExitCode ExitCodeFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kResourceExhausted:
      return kExitRefused;
    case absl::StatusCode::kInvalidArgument:
      return kExitBadInput;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
      return kExitUnavailable;
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnimplemented:
    default:
      return kExitFailed;
  }
}

ExitCode Worse(ExitCode a, ExitCode b) { return Severity(a) >= Severity(b) ? a : b; }

std::string DescribeError(const absl::Status& status) {
  std::string text = absl::StatusCodeToString(status.code());
  for (char& c : text) {
    c = c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const std::optional<std::string> reason = ErrorReason(status);
  if (reason.has_value() && !reason->empty()) absl::StrAppend(&text, " (", *reason, ")");
  absl::StrAppend(&text, ": ", status.message());
  const std::optional<std::string> field = ViolatedField(status);
  if (field.has_value() && !field->empty() && status.message().find(*field) == absl::string_view::npos) {
    absl::StrAppend(&text, " [field ", *field, "]");
  }
  return text;
}

}  // namespace ladder::ladderctl
