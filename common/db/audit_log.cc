#include "common/db/audit_log.h"

#include <openssl/evp.h>

#include <atomic>
#include <memory>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/blob.h"
#include "common/db/transaction.h"
#include "cppconn/resultset.h"
#include "spdlog/spdlog.h"

namespace ladder::db {
namespace {

constexpr int kVerifyBatch = 1000;

std::atomic<int64_t> appended_by_this_process{0};

void AppendField(std::string& out, absl::string_view field) { absl::StrAppend(&out, field.size(), ":", field, ";"); }

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

int64_t Micros(absl::Time time) { return absl::ToUnixMicros(time); }

StoredAuditEvent ReadEvent(sql::ResultSet& rows) {
  StoredAuditEvent stored;
  stored.id = rows.getInt64(1);
  stored.event.occurred_at = absl::FromUnixMicros(rows.getInt64(2));
  stored.event.actor = rows.getString(3);
  stored.event.role = rows.getString(4);
  stored.event.action = rows.getString(5);
  stored.event.resource = rows.getString(6);
  stored.event.request_id = rows.getString(7);
  stored.event.outcome = rows.getString(8);
  stored.event.before_json = rows.getString(9);
  stored.event.after_json = rows.getString(10);
  stored.previous_hash = rows.getString(11);
  stored.hash = rows.getString(12);
  stored.event.on_behalf_of = rows.getString(13);
  stored.event.trace_id = rows.getString(14);
  return stored;
}

constexpr char kPendingColumns[] =
    "occurred_us, actor, role, on_behalf_of, action, resource, request_id, outcome, before_json, "
    "after_json, trace_id, change_kind, change_county_id, change_other_county_id, change_payload";

constexpr char kColumns[] =
    "id, occurred_us, actor, role, action, resource, request_id, outcome, before_json, "
    "after_json, previous_hash, hash, on_behalf_of, trace_id";

}  // namespace

std::string AuditEventHash(int64_t id, const AuditEvent& event, const std::string& previous_hash) {
  std::string encoded;
  AppendField(encoded, absl::StrCat(id));
  AppendField(encoded, absl::StrCat(Micros(event.occurred_at)));
  AppendField(encoded, event.actor);
  AppendField(encoded, event.role);
  AppendField(encoded, event.action);
  AppendField(encoded, event.resource);
  AppendField(encoded, event.request_id);
  AppendField(encoded, event.outcome);
  AppendField(encoded, event.before_json);
  AppendField(encoded, event.after_json);
  // Added after the first events were written: covered when set, so their hashes stand.
  if (!event.on_behalf_of.empty()) AppendField(encoded, absl::StrCat("on_behalf_of=", event.on_behalf_of));
  if (!event.trace_id.empty()) AppendField(encoded, absl::StrCat("trace_id=", event.trace_id));
  AppendField(encoded, previous_hash);
  return Sha256Hex(encoded);
}

absl::Status AppendAuditEvent(Connection& connection, const AuditEvent& event) {
  Statement& insert = connection.Prepare(absl::StrCat("INSERT INTO audit_pending (", kPendingColumns,
                                                      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  // Stored at microsecond precision; the hash will cover exactly what is stored.
  insert.setInt64(1, Micros(event.occurred_at));
  insert.setString(2, event.actor);
  insert.setString(3, event.role);
  insert.setString(4, event.on_behalf_of);
  insert.setString(5, event.action);
  insert.setString(6, event.resource);
  insert.setString(7, event.request_id);
  insert.setString(8, event.outcome);
  insert.setString(9, event.before_json);
  insert.setString(10, event.after_json);
  insert.setString(11, event.trace_id);
  insert.setString(12, event.change.kind);
  insert.setInt64(13, event.change.county_id);
  insert.setInt64(14, event.change.other_county_id);
  // Always bound as a blob (empty without a change): the connector sends blobs as long data,
  // and a statement that switches between that and NULL from one execution to the next is
  // refused by the server (error 1210).
  std::istringstream payload(event.change.payload);
  insert.setBlob(15, &payload);
  insert.executeUpdate();
  appended_by_this_process.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

int64_t AuditEventsAppendedByThisProcess() { return appended_by_this_process.load(std::memory_order_relaxed); }

namespace {

// The rows of the next multi-row statement: the largest shape that fits.
size_t ChunkFor(size_t remaining) {
  for (size_t shape : {size_t{100}, size_t{20}, size_t{5}}) {
    if (remaining >= shape) return shape;
  }
  return 1;
}

// The feed's copies of changes, under the ids their audit events were just sealed with: in
// the sealing transaction, so the feed and the trail agree on every change and its order.
// In the same multi-row shapes as the events.
void PublishChanges(Connection& connection, const std::vector<std::pair<int64_t, const FeedChange*>>& changes) {
  size_t next = 0;
  while (next < changes.size()) {
    const size_t rows = ChunkFor(changes.size() - next);
    Statement& insert = connection.Prepare(
        absl::StrCat("INSERT INTO change_events (id, kind, county_id, other_county_id, payload) VALUES ",
                     absl::StrJoin(std::vector<std::string>(rows, "(?, ?, ?, ?, ?)"), ", ")));
    std::vector<std::istringstream> payloads;
    payloads.reserve(rows);
    for (size_t row = 0; row < rows; ++row) {
      const auto& [id, change] = changes[next + row];
      const int base = static_cast<int>(row) * 5;
      insert.setInt64(base + 1, id);
      insert.setString(base + 2, change->kind);
      insert.setInt64(base + 3, change->county_id);
      insert.setInt64(base + 4, change->other_county_id);
      payloads.emplace_back(change->payload);
      insert.setBlob(base + 5, &payloads.back());
    }
    insert.executeUpdate();
    next += rows;
  }
}

// One sealing transaction: up to `batch` pending events, in pending order, chained after the
// head. Returns how many it sealed.
absl::StatusOr<SealResult> SealBatch(Connection& connection, int batch) {
  // The head's lock orders sealers on one server; on a cluster, two sealers that both
  // advance it conflict at certification and the loser runs again.
  std::unique_ptr<sql::ResultSet> head(
      connection.Prepare("SELECT last_id, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE").executeQuery());
  if (!head->next()) return absl::InternalError("the audit chain head is missing");
  SealResult result;
  result.last_id = head->getInt64(1);
  std::string previous_hash = head->getString(2);

  Statement& select = connection.Prepare(
      absl::StrCat("SELECT pending_id, ", kPendingColumns, " FROM audit_pending ORDER BY pending_id LIMIT ?"));
  select.setInt(1, batch);
  std::vector<std::pair<int64_t, AuditEvent>> pending;
  {
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    while (rows->next()) {
      AuditEvent event;
      event.occurred_at = absl::FromUnixMicros(rows->getInt64(2));
      event.actor = rows->getString(3);
      event.role = rows->getString(4);
      event.on_behalf_of = rows->getString(5);
      event.action = rows->getString(6);
      event.resource = rows->getString(7);
      event.request_id = rows->getString(8);
      event.outcome = rows->getString(9);
      event.before_json = rows->getString(10);
      event.after_json = rows->getString(11);
      event.trace_id = rows->getString(12);
      event.change.kind = rows->getString(13);
      event.change.county_id = rows->getInt64(14);
      event.change.other_county_id = rows->getInt64(15);
      if (!event.change.kind.empty()) event.change.payload = ReadBlob(*rows, 16);
      pending.emplace_back(rows->getInt64(1), std::move(event));
    }
  }
  if (pending.empty()) return result;

  // Multi-row statements in a few fixed shapes (so each is prepared once per session):
  // sealing costs the database a handful of statements per batch, not two per event.
  std::vector<std::pair<int64_t, const FeedChange*>> changes;
  size_t next = 0;
  while (next < pending.size()) {
    const size_t rows = ChunkFor(pending.size() - next);
    Statement& insert = connection.Prepare(absl::StrCat(
        "INSERT INTO audit_events (", kColumns, ") VALUES ",
        absl::StrJoin(std::vector<std::string>(rows, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), ", ")));
    // Exactly the rows sealed, each by its key: a pending row with a smaller id that commits
    // meanwhile stays for the next round, and a range or list would wait on the locks of
    // rows still being written.
    Statement& remove = connection.Prepare("DELETE FROM audit_pending WHERE pending_id = ?");
    for (size_t row = 0; row < rows; ++row) {
      const auto& [pending_id, event] = pending[next + row];
      const int64_t id = ++result.last_id;
      const std::string hash = AuditEventHash(id, event, previous_hash);
      const int base = static_cast<int>(row) * 14;
      insert.setInt64(base + 1, id);
      insert.setInt64(base + 2, Micros(event.occurred_at));
      insert.setString(base + 3, event.actor);
      insert.setString(base + 4, event.role);
      insert.setString(base + 5, event.action);
      insert.setString(base + 6, event.resource);
      insert.setString(base + 7, event.request_id);
      insert.setString(base + 8, event.outcome);
      insert.setString(base + 9, event.before_json);
      insert.setString(base + 10, event.after_json);
      insert.setString(base + 11, previous_hash);
      insert.setString(base + 12, hash);
      insert.setString(base + 13, event.on_behalf_of);
      insert.setString(base + 14, event.trace_id);
      remove.setInt64(1, pending_id);
      remove.executeUpdate();
      if (!event.change.kind.empty()) changes.emplace_back(id, &event.change);
      previous_hash = hash;
    }
    insert.executeUpdate();
    result.sealed += static_cast<int64_t>(rows);
    next += rows;
  }
  PublishChanges(connection, changes);
  Statement& advance = connection.Prepare("UPDATE audit_chain_head SET last_id = ?, last_hash = ? WHERE id = 1");
  advance.setInt64(1, result.last_id);
  advance.setString(2, previous_hash);
  advance.executeUpdate();
  return result;
}

}  // namespace

absl::StatusOr<SealResult> SealPendingAuditEvents(ConnectionPool& pool, int batch) {
  SealResult total;
  while (true) {
    absl::StatusOr<SealResult> round =
        RunInTransaction<SealResult>(pool, [&](Connection& connection) { return SealBatch(connection, batch); });
    if (!round.ok()) return round.status();
    total.sealed += round->sealed;
    total.last_id = round->last_id;
    if (round->sealed < batch) return total;
  }
}

absl::StatusOr<SealResult> SealIfPending(ConnectionPool& pool) {
  absl::StatusOr<bool> pending = WithConnection<bool>(pool, [](Connection& connection) -> absl::StatusOr<bool> {
    std::unique_ptr<sql::ResultSet> rows(connection.Prepare("SELECT 1 FROM audit_pending LIMIT 1").executeQuery());
    return rows->next();
  });
  if (!pending.ok()) return pending.status();
  if (!*pending) return SealResult{};
  return SealPendingAuditEvents(pool);
}

absl::Status RecordAuditEvent(ConnectionPool& pool, const AuditEvent& event) {
  return RunInTransaction(pool, [&](Connection& connection) { return AppendAuditEvent(connection, event); });
}

absl::StatusOr<AuditPage> ListAuditEvents(ConnectionPool& pool, int64_t before_id, int limit,
                                          const std::string& actor) {
  if (before_id <= 0) {
    // Best effort: a list is still worth serving while another replica holds the head.
    if (absl::StatusOr<SealResult> sealed = SealPendingAuditEvents(pool); !sealed.ok()) {
      spdlog::warn("event=audit_seal_failed error=\"{}\"", sealed.status().ToString());
    }
  }
  return WithConnection<AuditPage>(pool, [&](Connection& connection) -> absl::StatusOr<AuditPage> {
    Statement& select = connection.Prepare(absl::StrCat(
        "SELECT ", kColumns, " FROM audit_events WHERE id < ? AND (? = '' OR actor = ?) ORDER BY id DESC LIMIT ?"));
    select.setInt64(1, before_id > 0 ? before_id : INT64_MAX);
    select.setString(2, actor);
    select.setString(3, actor);
    select.setInt(4, limit + 1);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    AuditPage page;
    while (rows->next()) page.events.push_back(ReadEvent(*rows));
    if (static_cast<int>(page.events.size()) > limit) {
      page.events.pop_back();
      page.next_before_id = page.events.back().id;
    }
    return page;
  });
}

absl::StatusOr<AuditVerification> VerifyAuditChain(ConnectionPool& pool) {
  if (absl::StatusOr<SealResult> sealed = SealPendingAuditEvents(pool); !sealed.ok()) return sealed.status();
  // One read-only transaction, so the head, the highest id and every event are read from
  // one snapshot: events committed meanwhile are left for the next verification, and an
  // event beyond the head (or a head moved back) is a break, not a race.
  return RunInTransaction<AuditVerification>(pool, [&](Connection& connection) -> absl::StatusOr<AuditVerification> {
    std::unique_ptr<sql::ResultSet> head(
        connection.Prepare("SELECT last_id, last_hash FROM audit_chain_head WHERE id = 1").executeQuery());
    if (!head->next()) return absl::InternalError("the audit chain head is missing");
    const int64_t last_id = head->getInt64(1);
    const std::string last_hash = head->getString(2);
    std::unique_ptr<sql::ResultSet> extent(
        connection.Prepare("SELECT COALESCE(MIN(id), 1), COALESCE(MAX(id), 0) FROM audit_events").executeQuery());
    extent->next();
    const int64_t min_id = extent->getInt64(1);
    const int64_t max_id = extent->getInt64(2);

    AuditVerification result;
    result.last_id = last_id;
    result.last_hash = last_hash;
    const auto broken = [&](int64_t id, std::string problem) {
      result.intact = false;
      result.first_broken_id = id;
      result.problem = std::move(problem);
      return result;
    };
    if (min_id < 1) {
      // The walk below starts at 1 and would never read it.
      return broken(min_id, absl::StrCat("event ", min_id, " lies before the first event of the chain (inserted)"));
    }
    int64_t expected_id = 1;
    std::string previous_hash(64, '0');
    while (expected_id <= max_id) {
      Statement& select =
          connection.Prepare(absl::StrCat("SELECT ", kColumns, " FROM audit_events WHERE id >= ? ORDER BY id LIMIT ?"));
      select.setInt64(1, expected_id);
      select.setInt(2, kVerifyBatch);
      std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
      int read = 0;
      while (rows->next()) {
        ++read;
        const StoredAuditEvent stored = ReadEvent(*rows);
        if (stored.id != expected_id) {
          return broken(expected_id, absl::StrCat("event ", expected_id, " is missing"));
        }
        if (stored.previous_hash != previous_hash) {
          return broken(stored.id, "its previous_hash does not match the event before it");
        }
        if (AuditEventHash(stored.id, stored.event, stored.previous_hash) != stored.hash) {
          return broken(stored.id, "its contents do not match its hash (edited)");
        }
        previous_hash = stored.hash;
        ++expected_id;
        ++result.events_checked;
      }
      if (read == 0) break;
    }
    if (max_id > last_id) {
      return broken(last_id + 1, absl::StrCat("events after ", last_id,
                                              ", where the chain head ends, exist (the head was moved back)"));
    }
    if (expected_id <= last_id) {
      return broken(expected_id,
                    absl::StrCat("event ", expected_id, " is missing (the chain head records ", last_id, " events)"));
    }
    if (previous_hash != last_hash) {
      return broken(last_id, "the last event does not match the hash the chain head records");
    }
    return result;
  });
}

}  // namespace ladder::db
