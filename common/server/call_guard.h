#pragma once

// Every call of a Ladder service passes one gate before its handler runs, declared in one
// place per service (its access_policy.cc):
//   1. who is calling — the verified principal (UNAUTHENTICATED without one);
//   2. whether the caller has room — calls in flight per caller (caller_limits.h), so one
//      caller cannot take the server's threads: RESOURCE_EXHAUSTED with RetryInfo beyond it;
//   3. what was sent — parsed from the wire here, so invalid UTF-8 or control characters are
//      INVALID_ARGUMENT naming the field (protobuf alone would fail the call as INTERNAL);
//      then the request's own limits (sizes of repeated fields), before anything is looked up;
//   4. whether the caller may — the RPC's grants, against what the request touches; a refusal
//      is PERMISSION_DENIED, logged and written to the audit trail (at a bounded rate per
//      caller: beyond it RESOURCE_EXHAUSTED, with nothing written).
// A method the policy does not bind is not registered at all (UNIMPLEMENTED). Nothing is
// reachable by omission.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/access.h"
#include "common/auth/authenticator.h"
#include "common/db/audit_log.h"
#include "common/db/connection_pool.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"

namespace ladder::server {

// The access rule of one RPC whose request type is `Request`.
template <typename Request>
struct Access {
  auth::Grants grants;
  // What the request touches. Asked only for callers whose grants are limited; NOT_FOUND
  // means "nothing", which only unlimited grants pass.
  std::function<absl::StatusOr<auth::Scope>(const Request&)> scope = nullptr;
  // For lists: narrows the request to what the caller may see (a county filter for county
  // HR, the team for a supervisor) before the scope is resolved.
  std::function<absl::Status(const auth::Principal&, Request&)> narrow = nullptr;
  // The request's size limits (how many names a batch may hold), checked before `scope` so
  // that an oversized request costs no lookups. INVALID_ARGUMENT naming the field.
  std::function<absl::Status(const Request&)> limits = nullptr;
};

class CallGuard {
 public:
  // Writes the audit event of a refusal (to the service's audit trail).
  using RefusalRecorder = std::function<absl::Status(const db::AuditEvent& event)>;

  // `service` is the fully-qualified proto service name; `audit_pool` the service's database
  // (refusals are recorded there; may be null: then they are only logged); `domain` the
  // ErrorInfo domain of its errors. Defined in call_guard_audit.cc, apart from the rest, so
  // that a unit test of the guard, which gives a recorder of its own, links no database.
  CallGuard(std::string service, std::shared_ptr<auth::Authenticator> authenticator, db::ConnectionPool* audit_pool,
            std::string domain);
  CallGuard(std::string service, std::shared_ptr<auth::Authenticator> authenticator, RefusalRecorder record_refusal,
            std::string domain);

  const std::string& service() const { return service_; }
  const std::string& domain() const { return domain_; }
  // Stops the process when the service has no such method: a typo in an access policy
  // must fail at start, not leave an RPC unbound.
  void RequireMethod(absl::string_view method) const;

  absl::StatusOr<auth::Principal> Caller(const grpc::ServerContext& context) const;
  // Steps 1 and 2: the verified caller, counted against its limit of calls in flight.
  absl::StatusOr<auth::Principal> AdmitCaller(const grpc::ServerContext& context) const;
  absl::Status Parse(const grpc::ByteBuffer& bytes, google::protobuf::Message& request) const;
  // Records and logs a refusal and returns the PERMISSION_DENIED the caller gets: `hint`
  // when given (it must say nothing about the resource), else the standard words.
  absl::Status Refuse(const grpc::ServerContext& context, const auth::Principal& principal, absl::string_view method,
                      const google::protobuf::Message& request, absl::string_view hint = "") const;
  grpc::Status Answer(const absl::Status& status) const;

  // Steps 1–3 for a request of type `Request`; on OK, `request` is parsed (and narrowed)
  // and `principal` is the caller.
  template <typename Request>
  absl::Status Admit(const grpc::ServerContext& context, absl::string_view method, const Access<Request>& access,
                     const grpc::ByteBuffer& bytes, Request& request, auth::Principal& principal) const {
    absl::StatusOr<auth::Principal> caller = AdmitCaller(context);
    if (!caller.ok()) return caller.status();
    principal = *std::move(caller);
    if (absl::Status parsed = Parse(bytes, request); !parsed.ok()) return parsed;
    return Authorize(context, method, access, principal, request);
  }

  template <typename Request>
  absl::Status Authorize(const grpc::ServerContext& context, absl::string_view method, const Access<Request>& access,
                         const auth::Principal& principal, Request& request) const {
    if (!access.grants.Names(principal)) return Refuse(context, principal, method, request);
    if (access.limits) {
      if (absl::Status within = access.limits(request); !within.ok()) return within;
    }
    if (access.grants.Unlimited(principal)) return absl::OkStatus();
    if (access.narrow) {
      absl::Status narrowed = access.narrow(principal, request);
      // A narrowing refusal says what to ask instead ("name one of your counties").
      if (absl::IsPermissionDenied(narrowed)) {
        return Refuse(context, principal, method, request, narrowed.message());
      }
      if (!narrowed.ok()) return narrowed;
    }
    auth::Scope scope;
    if (access.scope) {
      absl::StatusOr<auth::Scope> resolved = access.scope(request);
      if (resolved.ok()) {
        scope = *std::move(resolved);
      } else if (!absl::IsNotFound(resolved.status())) {
        return resolved.status();
      }
    }
    if (!access.grants.Reaches(principal, scope)) return Refuse(context, principal, method, request);
    return absl::OkStatus();
  }

 private:
  const std::string service_;
  const std::shared_ptr<auth::Authenticator> authenticator_;  // thread-safe
  const RefusalRecorder record_refusal_;                      // null: refusals are logged only
  const std::string domain_;
};

}  // namespace ladder::server
