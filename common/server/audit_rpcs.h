#pragma once

// ListAuditEvents and VerifyAuditTrail, the same in every service (each over its own
// database); a service's access policy binds them to its own request and response types.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/connection_pool.h"
#include "common/status/grpc_status.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "grpcpp/server_context.h"
#include "ladder/common/v1/audit.pb.h"

namespace ladder::server {

absl::Status ListAuditEventsPage(db::ConnectionPool& pool, int page_size, const std::string& page_token,
                                 const std::string& actor,
                                 google::protobuf::RepeatedPtrField<common::v1::AuditEvent>& events,
                                 std::string& next_page_token);

absl::StatusOr<common::v1::AuditTrailVerification> VerifyAuditTrail(db::ConnectionPool& pool);

template <typename Request, typename Response>
auto ListAuditEventsHandler(db::ConnectionPool* pool, std::string domain) {
  return [pool, domain](grpc::ServerContext*, const Request* request, Response* response) {
    return ToGrpcStatus(ListAuditEventsPage(*pool, request->page_size(), request->page_token(), request->actor(),
                                            *response->mutable_audit_events(), *response->mutable_next_page_token()),
                        domain);
  };
}

template <typename Request, typename Response>
auto VerifyAuditTrailHandler(db::ConnectionPool* pool, std::string domain) {
  return [pool, domain](grpc::ServerContext*, const Request*, Response* response) {
    absl::StatusOr<common::v1::AuditTrailVerification> verification = VerifyAuditTrail(*pool);
    if (!verification.ok()) return ToGrpcStatus(verification.status(), domain);
    *response->mutable_verification() = *std::move(verification);
    return grpc::Status::OK;
  };
}

}  // namespace ladder::server
