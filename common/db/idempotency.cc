#include "common/db/idempotency.h"

#include <istream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/db/audit_log.h"
#include "common/db/blob.h"
#include "common/db/mutation_context.h"
#include "common/db/sql_error.h"
#include "common/status/errors.h"
#include "common/time/dates.h"
#include "common/util/stable_hash.h"
#include "cppconn/exception.h"
#include "cppconn/resultset.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"

namespace ladder::db {

std::string RequestFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  if (const auto* field = copy->GetDescriptor()->FindFieldByName("request_id")) {
    copy->GetReflection()->ClearField(copy.get(), field);
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  return StableHashHex(bytes);
}

namespace {
std::string AuditJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return "";
  return json;
}
}  // namespace

void NoteFeedChange(const MutationContext& mutation, FeedChange change) { mutation.feed_change = std::move(change); }

void NoteAuditBefore(const MutationContext& mutation, const google::protobuf::Message& before) {
  mutation.audit_before_json = AuditJson(before);
}

absl::Status AuditMutation(Connection& connection, const MutationContext& mutation,
                           const google::protobuf::Message& response) {
  AuditEvent event;
  event.occurred_at = absl::Now();
  event.actor = mutation.actor;
  event.role = mutation.role;
  event.on_behalf_of = mutation.on_behalf_of;
  event.trace_id = mutation.trace_id;
  event.action = mutation.request.method;
  event.resource = mutation.audit_resource;
  if (event.resource.empty()) {
    if (const auto* name = response.GetDescriptor()->FindFieldByName("name");
        name != nullptr && name->type() == google::protobuf::FieldDescriptor::TYPE_STRING && !name->is_repeated()) {
      event.resource = response.GetReflection()->GetString(response, name);
    }
  }
  event.request_id = mutation.request.request_id;
  event.outcome = "OK";
  event.before_json = mutation.audit_before_json;
  event.after_json = AuditJson(response);
  event.change = mutation.feed_change;
  return AppendAuditEvent(connection, event);
}

RequestKey RequestKeyFor(absl::string_view method, const google::protobuf::Message& request) {
  RequestKey key;
  key.method = std::string(method);
  if (const auto* field = request.GetDescriptor()->FindFieldByName("request_id")) {
    key.request_id = request.GetReflection()->GetString(request, field);
  }
  if (!key.request_id.empty()) key.fingerprint = RequestFingerprint(request);
  return key;
}

absl::StatusOr<std::optional<std::string>> LookupResponse(Connection& connection, const RequestKey& key) {
  Statement& select =
      connection.Prepare("SELECT method, fingerprint, response FROM request_log WHERE caller = ? AND request_id = ?");
  select.setString(1, key.caller);
  select.setString(2, key.request_id);
  std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
  if (!rows->next()) return std::nullopt;
  if (rows->getString(1) != key.method || rows->getString(2) != key.fingerprint) {
    return ErrorWithReason(absl::StatusCode::kInvalidArgument, reason::kRequestIdReused,
                           absl::StrCat(key.field, ": '", key.display_id.empty() ? key.request_id : key.display_id,
                                        "' was already used for a different request; use a new id for a new "
                                        "request and the same request for a retry"),
                           {{"field", key.field}});
  }
  return std::optional<std::string>(ReadBlob(*rows, 3));
}

absl::StatusOr<std::optional<std::string>> ClaimRequest(Connection& connection, const RequestKey& key) {
  Statement& claim = connection.Prepare(
      "INSERT INTO request_log (caller, request_id, method, fingerprint, response, created_at) "
      "VALUES (?, ?, ?, ?, '', UTC_TIMESTAMP(6))");
  claim.setString(1, key.caller);
  claim.setString(2, key.request_id);
  claim.setString(3, key.method);
  claim.setString(4, key.fingerprint);
  try {
    claim.executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != kErrDuplicateEntry) throw;
    // The insert waited for the other claim to commit: its response is there to read.
    absl::StatusOr<std::optional<std::string>> stored = LookupResponse(connection, key);
    if (!stored.ok() || stored->has_value()) return stored;
    return MarkRetryable(
        ErrorWithReason(absl::StatusCode::kAborted, reason::kConcurrentUpdate,
                        absl::StrCat(key.field, ": request ", key.request_id,
                                     " is being handled by a concurrent call; retry it with the same id")),
        "duplicate_in_flight");
  }
  return std::nullopt;
}

absl::StatusOr<std::optional<std::string>> StoredResponse(ConnectionPool& pool, const RequestKey& key) {
  return WithConnection<std::optional<std::string>>(
      pool, [&](Connection& connection) { return LookupResponse(connection, key); });
}

absl::Status ClaimedResponse(Connection& connection, const RequestKey& key, const std::string& response) {
  Statement& update = connection.Prepare("UPDATE request_log SET response = ? WHERE caller = ? AND request_id = ?");
  std::istringstream blob(response);
  update.setBlob(1, &blob);
  update.setString(2, key.caller);
  update.setString(3, key.request_id);
  update.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<int64_t> PurgeRequestLog(ConnectionPool& pool, absl::Duration retention) {
  const std::string cutoff = ToSqlTimestamp(absl::Now() - retention);
  int64_t purged = 0;
  while (true) {
    absl::StatusOr<int64_t> deleted =
        WithConnection<int64_t>(pool, [&](Connection& connection) -> absl::StatusOr<int64_t> {
          Statement& purge = connection.Prepare("DELETE FROM request_log WHERE created_at < ? LIMIT 1000");
          purge.setString(1, cutoff);
          return static_cast<int64_t>(purge.executeUpdate());
        });
    if (!deleted.ok()) return deleted.status();
    purged += *deleted;
    if (*deleted < 1000) return purged;
  }
}

}  // namespace ladder::db
