#pragma once

// The one place where absl::Status becomes grpc::Status (and back, for calls between
// services). Everything below a handler speaks absl::Status.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace ladder {

// Maps the code with an explicit switch, and sends the attached details (ErrorInfo with
// `domain` filled in, BadRequest, PreconditionFailure) as a google.rpc.Status in the
// `grpc-status-details-bin` trailer. INTERNAL and UNKNOWN messages are logged here and
// replaced by a generic text, so internals never leak to callers.
grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view domain);

// The reverse, for a service calling another: keeps the code, message and details.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace ladder
