#pragma once

// The audit trail every service keeps in its own database (common/db/migrations/
// audit_trail.sql and audit_sealing.sql, linked into each service's migrations):
// append-only, hash-chained, written in the transaction of the change it records.
//
// Writing and ordering are apart, so that no row is written by every mutation:
//   - a change appends its event to audit_pending (an AUTO_INCREMENT key, which unrelated
//     transactions never wait on or conflict over, on one server or on a Galera cluster);
//   - a sealer moves committed pending events into audit_events in the order it sees them
//     commit, each with the next consecutive id and a hash over it and the one before.
// A change that downstream systems follow rides on its audit event (FeedChange): sealing
// also publishes it to the change feed under the event's id.
// Only sealers write the chain head; concurrent sealers (one per replica) serialise on it
// and at most one of them wins a round. Because ids are given at sealing, an event that
// commits late is sealed late with a later id: a reader paging by id never passes an event
// that appears afterwards below its position. Listing and verification seal first, so they
// cover every committed event; what an event's writer committed is tamper-evident once
// sealed, within a sealing interval of its commit.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/connection_pool.h"

namespace ladder::db {

// A change for the change feed (common/db/change_feed.h), recorded with the audit event of
// the call that made it and published with it when the event is sealed.
struct FeedChange {
  // The service's name of the kind, e.g. "KIND_LEVEL_CHANGED"; empty: no change to publish.
  std::string kind;
  // The counties it touches (0: none): after the change, and before it for a move.
  int64_t county_id = 0;
  int64_t other_county_id = 0;
  // The service's Change message, serialized.
  std::string payload;
};

struct AuditEvent {
  absl::Time occurred_at;
  // "user:<sub>" or "service:<name>", and the role the call was made in.
  std::string actor;
  std::string role;
  // When a service acted for a person: that person's actor; empty otherwise.
  std::string on_behalf_of;
  // The full RPC name.
  std::string action;
  // The resource acted on ("employees/7"), or what was asked for when refused.
  std::string resource;
  std::string request_id;
  // "OK" for an effect, else the refusal's code ("PERMISSION_DENIED").
  std::string outcome;
  // The resource before and after, as proto JSON; empty when not applicable.
  std::string before_json;
  std::string after_json;
  // The W3C trace id of the call (32 hex digits); empty when it had none.
  std::string trace_id;
  // What the change feed publishes of it; kind empty for refusals and unpublished changes.
  // Not covered by the hash: the event's before and after already are.
  FeedChange change;
};

struct StoredAuditEvent {
  int64_t id = 0;
  AuditEvent event;
  std::string previous_hash;
  std::string hash;
};

// Within the caller's open transaction: appends `event` to the pending events, to be sealed
// into the chain once committed. Takes no lock that another transaction could wait on.
absl::Status AppendAuditEvent(Connection& connection, const AuditEvent& event);

// Appends in a transaction of its own (a refusal has no other effect to join).
absl::Status RecordAuditEvent(ConnectionPool& pool, const AuditEvent& event);

struct AuditPage {
  std::vector<StoredAuditEvent> events;
  // 0 when this is the last page; else pass as `before_id` for the next one.
  int64_t next_before_id = 0;
};

struct SealResult {
  int64_t sealed = 0;
  // The chain head after sealing.
  int64_t last_id = 0;
};

// How many events this process has appended so far. A sealer that sees it unchanged has
// nothing of its own to seal, and need not ask the database.
int64_t AuditEventsAppendedByThisProcess();

// Seals every committed pending event, oldest first, in transactions of at most `batch`
// events each. Safe to run from any number of replicas at once.
absl::StatusOr<SealResult> SealPendingAuditEvents(ConnectionPool& pool, int batch = 500);

// Seals when anything is pending (one indexed read when nothing is): what a reader of the
// trail or the change feed calls first, so it sees what committed a moment ago whichever
// replica wrote it and whether or not a sealer ran since.
absl::StatusOr<SealResult> SealIfPending(ConnectionPool& pool);

// Newest first: up to `limit` events with id below `before_id` (0 = from the newest),
// optionally only those of `actor`. A first page seals what is pending before it reads.
absl::StatusOr<AuditPage> ListAuditEvents(ConnectionPool& pool, int64_t before_id, int limit, const std::string& actor);

struct AuditVerification {
  int64_t events_checked = 0;
  bool intact = true;
  // The first event where the chain breaks (0 if intact or the break is at the end), and why.
  int64_t first_broken_id = 0;
  std::string problem;
  // The chain head as read: keep these outside the database (a ticket, a report) to prove
  // later that nobody rewrote the trail up to here, recomputing every hash as they went.
  int64_t last_id = 0;
  std::string last_hash;
};

// Seals what is pending, then recomputes the whole chain, oldest first, in one snapshot,
// and compares it with every stored hash and with the chain head. An event with an id
// outside 1..head (inserted by hand) is a break too.
absl::StatusOr<AuditVerification> VerifyAuditChain(ConnectionPool& pool);

// The hash of an event at `id` following `previous_hash` (hex SHA-256 over a length-prefixed
// encoding of every field).
std::string AuditEventHash(int64_t id, const AuditEvent& event, const std::string& previous_hash);

}  // namespace ladder::db
