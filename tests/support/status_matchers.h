#pragma once

#include <string>

#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "gmock/gmock.h"
#include "grpcpp/support/status.h"

namespace ladder::testing {

// What a client sees of an error: the code and the rich details it can branch on.
struct ErrorView {
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string message;
  std::string reason;  // ErrorInfo.reason
  std::string field;   // BadRequest field, if any
};

inline ErrorView ViewOf(const grpc::Status& status) {
  ErrorView view;
  view.code = status.error_code();
  view.message = status.error_message();
  absl::Status decoded = FromGrpcStatus(status);
  view.reason = ErrorReason(decoded).value_or("");
  view.field = ViolatedField(decoded).value_or("");
  return view;
}

MATCHER(IsOk, "is OK") {
  if (arg.ok()) return true;
  *result_listener << "status " << arg.error_code() << ": " << arg.error_message();
  return false;
}

// The call failed with `code`, and, where given (non-empty), that ErrorInfo reason.
MATCHER_P2(FailsWith, code, reason, "") {
  const ErrorView view = ViewOf(arg);
  *result_listener << "got code " << view.code << " reason '" << view.reason << "' field '" << view.field
                   << "': " << view.message;
  return view.code == code && (std::string(reason).empty() || view.reason == reason);
}

// INVALID_ARGUMENT naming `field`.
MATCHER_P(RejectsField, field, "") {
  const ErrorView view = ViewOf(arg);
  *result_listener << "got code " << view.code << " field '" << view.field << "': " << view.message;
  return view.code == grpc::StatusCode::INVALID_ARGUMENT && view.field == field;
}

}  // namespace ladder::testing
