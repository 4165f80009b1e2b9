#pragma once

// Request-id idempotency (AIP-155). A mutating call that repeats a request_id gets the
// first call's response and changes nothing more; the same id with a different request is
// refused. The response is stored in `request_log` in the same transaction as the effect,
// so either both are committed or neither is.

#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/api/validation.h"
#include "common/db/audit_log.h"
#include "common/db/connection_pool.h"
#include "common/db/transaction.h"
#include "google/protobuf/message.h"

namespace ladder::db {

struct RequestKey {
  // Empty: the call is not idempotent and nothing is recorded.
  std::string request_id;
  // Whose ids these are ("user:<sub>", "service:<name>"): each caller has an id space of its
  // own, so nobody can take, block or replay another caller's request ids.
  std::string caller;
  // The full RPC name, so an id reused for another method is caught.
  std::string method;
  // RequestFingerprint of the request.
  std::string fingerprint;
  // How errors name the id: the request field, and the id as the caller sent it (a call
  // recorded in parts, like an import's batches, stores derived ids).
  std::string field = "request_id";
  std::string display_id;
};

// A hash of the request without its `request_id` field, stable across processes.
std::string RequestFingerprint(const google::protobuf::Message& request);

// The key for `request`, read from its string field `request_id`.
RequestKey RequestKeyFor(absl::string_view method, const google::protobuf::Message& request);

// Checks a request id. It needs no database, so it lives with the other input checks
// (which the request validators and their fuzzers use without linking MySQL).
using api::ValidateRequestId;

// Within an open transaction: the stored response for the key's request id, nullopt if
// the id is new, INVALID_ARGUMENT (REQUEST_ID_REUSED) if it was used for another request.
absl::StatusOr<std::optional<std::string>> LookupResponse(Connection& connection, const RequestKey& key);

// Within an open transaction, before any effect: claims the key's request id for this
// transaction. A concurrent call with the same id waits on the claim until the first
// transaction ends (on a cluster, one of the two loses certification and runs again), so
// it then finds the first call's response: returned here. nullopt: the id is ours, and
// ClaimedResponse must record the response before the transaction commits.
absl::StatusOr<std::optional<std::string>> ClaimRequest(Connection& connection, const RequestKey& key);

// Outside a transaction: the stored response for the key's request id, as LookupResponse.
absl::StatusOr<std::optional<std::string>> StoredResponse(ConnectionPool& pool, const RequestKey& key);

// Within the transaction that claimed the key: the response its retries will get.
absl::Status ClaimedResponse(Connection& connection, const RequestKey& key, const std::string& response);

// Deletes the records of requests older than `retention`, a batch at a time so no long lock
// is held; returns how many went. A retry after that is a new request.
absl::StatusOr<int64_t> PurgeRequestLog(ConnectionPool& pool, absl::Duration retention);

// A mutating call as a store sees it: how a retry is recognised, and who asked (recorded as
// the actor of the change and of its audit event).
struct MutationContext {
  RequestKey request;
  // "user:<sub>" or "service:<name>", and the role the call was made in.
  std::string actor;
  std::string role;
  // When a service calls for a person: that person's actor (recorded with the event).
  std::string on_behalf_of;
  // The W3C trace id of the call, recorded with the event; empty when there is none.
  std::string trace_id;
  // Set by the store while it works, for the audit event: the resource as it was before
  // the change (proto JSON), and its name when the response does not carry it.
  mutable std::string audit_before_json;
  mutable std::string audit_resource;
  // Set by the store when the change is one the change feed publishes.
  mutable FeedChange feed_change;
};

// Publishes `change` on the change feed with the mutation's audit event.
void NoteFeedChange(const MutationContext& mutation, FeedChange change);

// Keeps `before` (as proto JSON) for the mutation's audit event.
void NoteAuditBefore(const MutationContext& mutation, const google::protobuf::Message& before);

// Within an open transaction: appends the audit event of a mutation that produced
// `response` (its JSON is the event's "after").
absl::Status AuditMutation(Connection& connection, const MutationContext& mutation,
                           const google::protobuf::Message& response);

// Runs `body` in a transaction at most once per request id and returns its response, or
// the stored one on a repeat, also to a repeat that arrives while the first still runs.
// The first run's audit event is written in the same transaction; a repeat changes
// nothing and records nothing.
template <typename Response>
absl::StatusOr<Response> RunIdempotent(ConnectionPool& pool, const MutationContext& mutation,
                                       absl::FunctionRef<absl::StatusOr<Response>(Connection&)> body);

template <typename Response>
absl::StatusOr<Response> RunIdempotent(ConnectionPool& pool, const MutationContext& mutation,
                                       absl::FunctionRef<absl::StatusOr<Response>(Connection&)> body) {
  const RequestKey& key = mutation.request;
  bool replayed = false;
  absl::StatusOr<Response> result =
      RunInTransaction<Response>(pool, [&](Connection& connection) -> absl::StatusOr<Response> {
        replayed = false;
        if (!key.request_id.empty()) {
          absl::StatusOr<std::optional<std::string>> stored = ClaimRequest(connection, key);
          if (!stored.ok()) return stored.status();
          if (stored->has_value()) {
            replayed = true;
            Response response;
            if (!response.ParseFromString(**stored)) {
              return absl::InternalError("stored response of request " + key.request_id + " does not parse");
            }
            return response;
          }
        }
        mutation.feed_change = FeedChange{};  // what an earlier, rolled-back attempt noted
        absl::StatusOr<Response> response = body(connection);
        if (!response.ok()) return response.status();
        if (absl::Status audited = AuditMutation(connection, mutation, *response); !audited.ok()) {
          return audited;
        }
        if (!key.request_id.empty()) {
          absl::Status recorded = ClaimedResponse(connection, key, response->SerializeAsString());
          if (!recorded.ok()) return recorded;
        }
        return response;
      });
  if (result.ok() && replayed) pool.metrics().NoteReplay();
  if (result.ok() || key.request_id.empty()) return result;
  // Refused, perhaps only because a duplicate committed first and changed what this call
  // saw: on a cluster a duplicate on another node can commit between our claim and our
  // reads. Its answer, if there is one, is this call's too.
  absl::StatusOr<std::optional<std::string>> first = StoredResponse(pool, key);
  if (!first.ok() || !first->has_value()) return result;
  Response response;
  if (!response.ParseFromString(**first)) return result;
  pool.metrics().NoteReplay();
  return response;
}

}  // namespace ladder::db
