#include "common/server/call_guard.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/api/message_checks.h"
#include "common/db/audit_log.h"
#include "common/observability/trace_context.h"
#include "common/server/caller_limits.h"
#include "common/server/logging.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/util/once_per_interval.h"
#include "google/protobuf/descriptor.h"
#include "spdlog/spdlog.h"

namespace ladder::server {
namespace {

// At most `max_bytes` of `text`, cut where a character begins (the text is valid UTF-8: the
// guard parsed it), so the prefix stays valid for the database and the log.
std::string Utf8Prefix(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

// The request's subject, for the audit record of a refusal: the first of these fields set,
// looked for in the request and then in its message fields (an update's `employee.name`,
// `case.name`).
std::string ResourceOf(const google::protobuf::Message& request, int depth = 0) {
  static constexpr const char* kFields[] = {"name", "employee", "cycle", "parent", "county", "org_unit", "team"};
  const google::protobuf::Descriptor* descriptor = request.GetDescriptor();
  const google::protobuf::Reflection* reflection = request.GetReflection();
  for (const char* name : kFields) {
    const google::protobuf::FieldDescriptor* field = descriptor->FindFieldByName(name);
    if (field == nullptr || field->is_repeated() || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
      continue;
    }
    std::string value = reflection->GetString(request, field);
    if (!value.empty()) return Utf8Prefix(value, 200);
  }
  if (depth > 0) return "";
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (field->is_repeated() || field->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE ||
        !reflection->HasField(request, field)) {
      continue;
    }
    std::string nested = ResourceOf(reflection->GetMessage(request, field), depth + 1);
    if (!nested.empty()) return nested;
  }
  return "";
}

// A caller over its limits calls again and again: one line a second.
OncePerInterval throttled_log(absl::Seconds(1));

std::string RequestIdOf(const google::protobuf::Message& request) {
  const google::protobuf::FieldDescriptor* field = request.GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) return "";
  return Utf8Prefix(request.GetReflection()->GetString(request, field), 100);
}

}  // namespace

CallGuard::CallGuard(std::string service, std::shared_ptr<auth::Authenticator> authenticator,
                     RefusalRecorder record_refusal, std::string domain)
    : service_(std::move(service)),
      authenticator_(std::move(authenticator)),
      record_refusal_(std::move(record_refusal)),
      domain_(std::move(domain)) {}

void CallGuard::RequireMethod(absl::string_view method) const {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_);
  const google::protobuf::MethodDescriptor* found =
      service == nullptr ? nullptr : service->FindMethodByName(std::string(method));
  if (found == nullptr) {
    spdlog::critical("event=access_policy_error service={} method={} problem=unknown_method", service_,
                     std::string(method));
    std::abort();
  }
}

absl::StatusOr<auth::Principal> CallGuard::Caller(const grpc::ServerContext& context) const {
  if (authenticator_ == nullptr) return absl::UnauthenticatedError("no authenticator is configured");
  return authenticator_->PrincipalOf(context);
}

absl::StatusOr<auth::Principal> CallGuard::AdmitCaller(const grpc::ServerContext& context) const {
  absl::StatusOr<auth::Principal> principal = Caller(context);
  if (!principal.ok()) return principal;
  if (absl::Status admitted = CallerLimits::Process().Admit(&context, *principal); !admitted.ok()) {
    if (throttled_log.Now()) {
      spdlog::warn("event=caller_limit actor=\"{}\" limit=calls_in_flight peer={}", LogQuoted(principal->actor),
                   context.peer());
    }
    return admitted;
  }
  return principal;
}

absl::Status CallGuard::Parse(const grpc::ByteBuffer& bytes, google::protobuf::Message& request) const {
  std::vector<grpc::Slice> slices;
  if (!bytes.Dump(&slices).ok()) {
    return ErrorWithReason(absl::StatusCode::kInvalidArgument, reason::kMalformedRequest,
                           "the request could not be read");
  }
  std::string flat;
  flat.reserve(bytes.Length());
  for (const grpc::Slice& slice : slices) {
    flat.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return api::ParseRequest(flat, request);
}

absl::Status CallGuard::Refuse(const grpc::ServerContext& context, const auth::Principal& principal,
                               absl::string_view method, const google::protobuf::Message& request,
                               absl::string_view hint) const {
  const std::string action = absl::StrCat("/", service_, "/", method);
  // Each refusal is a write to the audit trail: metered per caller, so that refusals cannot
  // fill the database or slow the others. Beyond the rate nothing is written.
  if (absl::Status allowed = CallerLimits::Process().AllowRefusal(principal); !allowed.ok()) {
    if (throttled_log.Now()) {
      spdlog::warn("event=caller_limit actor=\"{}\" limit=refusals method={} peer={}", LogQuoted(principal.actor),
                   action, context.peer());
    }
    return allowed;
  }
  const std::string resource = ResourceOf(request);
  // The actor comes from a token's subject: quoted and escaped, so it cannot forge fields.
  spdlog::warn("event=permission_denied actor=\"{}\" role={} method={} resource=\"{}\" peer={}",
               LogQuoted(principal.actor), std::string(auth::RoleName(principal.role)), action,
               absl::CHexEscape(resource), context.peer());
  if (record_refusal_) {
    db::AuditEvent event;
    event.occurred_at = absl::Now();
    event.actor = principal.actor;
    event.role = std::string(auth::RoleName(principal.role));
    event.on_behalf_of = principal.on_behalf_of;
    event.action = action;
    event.resource = resource;
    event.request_id = RequestIdOf(request);
    event.outcome = "PERMISSION_DENIED";
    event.trace_id = observability::TraceIdOf(context);
    if (absl::Status recorded = record_refusal_(event); !recorded.ok()) {
      spdlog::error("event=audit_write_failed action={} error=\"{}\"", action, recorded.ToString());
    }
  }
  if (!hint.empty()) {
    return ErrorWithReason(absl::StatusCode::kPermissionDenied, reason::kNotPermitted,
                           absl::StrCat(principal.actor, " (", auth::RoleName(principal.role), ") may not call ",
                                        method, " this way: ", hint));
  }
  return auth::PermissionDenied(principal, method);
}

grpc::Status CallGuard::Answer(const absl::Status& status) const { return ToGrpcStatus(status, domain_); }

}  // namespace ladder::server
