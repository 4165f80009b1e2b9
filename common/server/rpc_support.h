#pragma once

// What every gRPC adapter of the suite does the same way: answering with a StatusOr through
// the one status mapping, and describing a mutating call (its request id and its caller).

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/auth/caller.h"
#include "common/db/idempotency.h"
#include "common/db/mutation_context.h"
#include "common/observability/trace_context.h"
#include "common/status/grpc_status.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"

namespace ladder::server {

// `method` is the full RPC name, e.g. "/ladder.personnel.v1.PersonnelService/ChangeLevel";
// the request's own `request_id` field, if any, makes the idempotency key. The caller is the
// one the call guard set for this call (auth::ScopedCaller), not read from `context` again.
inline db::MutationContext MutationFor(const grpc::ServerContext& /*context*/, absl::string_view method,
                                       const google::protobuf::Message& request) {
  db::MutationContext mutation;
  mutation.request = db::RequestKeyFor(method, request);
  auth::Caller caller = auth::CallerOfCurrentCall();
  mutation.actor = std::move(caller.principal);
  mutation.request.caller = mutation.actor;
  mutation.role = std::move(caller.role);
  mutation.on_behalf_of = std::move(caller.on_behalf_of);
  if (const observability::TraceParent* trace = observability::CurrentTrace(); trace != nullptr) {
    mutation.trace_id = trace->trace_id;
  }
  return mutation;
}

// Copies a result into the response, or maps its error (ErrorInfo domain `domain`).
template <typename T>
grpc::Status Respond(absl::StatusOr<T> result, T* response, absl::string_view domain) {
  if (!result.ok()) return ToGrpcStatus(result.status(), domain);
  *response = *std::move(result);
  return grpc::Status::OK;
}

inline grpc::Status Respond(const absl::Status& status, absl::string_view domain) {
  return ToGrpcStatus(status, domain);
}

}  // namespace ladder::server
