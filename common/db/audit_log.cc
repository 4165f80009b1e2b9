#include "common/db/audit_log.h"

#include <openssl/evp.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "cppconn/resultset.h"

namespace ladder::db {
namespace {

constexpr int kVerifyBatch = 1000;

void AppendField(std::string& out, absl::string_view field) {
  absl::StrAppend(&out, field.size(), ":", field, ";");
}

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
  return stored;
}

constexpr char kColumns[] =
    "id, occurred_us, actor, role, action, resource, request_id, outcome, before_json, "
    "after_json, previous_hash, hash, on_behalf_of";

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
  AppendField(encoded, previous_hash);
  return Sha256Hex(encoded);
}

absl::Status AppendAuditEvent(Connection& connection, const AuditEvent& event) {
  std::unique_ptr<sql::ResultSet> head(
      connection.Prepare("SELECT last_id, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE")
          .executeQuery());
  if (!head->next()) return absl::InternalError("the audit chain head is missing");
  const int64_t id = head->getInt64(1) + 1;
  const std::string previous_hash = head->getString(2);
  // Stored at microsecond precision; the hash must cover exactly what is stored.
  AuditEvent exact = event;
  exact.occurred_at = absl::FromUnixMicros(Micros(event.occurred_at));
  const std::string hash = AuditEventHash(id, exact, previous_hash);

  sql::PreparedStatement& insert = connection.Prepare(absl::StrCat(
      "INSERT INTO audit_events (", kColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.setInt64(1, id);
  insert.setInt64(2, Micros(exact.occurred_at));
  insert.setString(3, exact.actor);
  insert.setString(4, exact.role);
  insert.setString(5, exact.action);
  insert.setString(6, exact.resource);
  insert.setString(7, exact.request_id);
  insert.setString(8, exact.outcome);
  insert.setString(9, exact.before_json);
  insert.setString(10, exact.after_json);
  insert.setString(11, previous_hash);
  insert.setString(12, hash);
  insert.setString(13, exact.on_behalf_of);
  insert.executeUpdate();
  sql::PreparedStatement& advance =
      connection.Prepare("UPDATE audit_chain_head SET last_id = ?, last_hash = ? WHERE id = 1");
  advance.setInt64(1, id);
  advance.setString(2, hash);
  advance.executeUpdate();
  return absl::OkStatus();
}

absl::Status RecordAuditEvent(ConnectionPool& pool, const AuditEvent& event) {
  return RunInTransaction(pool, [&](Connection& connection) { return AppendAuditEvent(connection, event); });
}

absl::StatusOr<AuditPage> ListAuditEvents(ConnectionPool& pool, int64_t before_id, int limit,
                                          const std::string& actor) {
  return WithConnection<AuditPage>(pool, [&](Connection& connection) -> absl::StatusOr<AuditPage> {
    sql::PreparedStatement& select = connection.Prepare(absl::StrCat(
        "SELECT ", kColumns,
        " FROM audit_events WHERE id < ? AND (? = '' OR actor = ?) ORDER BY id DESC LIMIT ?"));
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
  // One read-only transaction, so the head, the highest id and every event are read from
  // one snapshot: events committed meanwhile are left for the next verification, and an
  // event beyond the head (or a head moved back) is a break, not a race.
  return RunInTransaction<AuditVerification>(pool, [&](Connection& connection) -> absl::StatusOr<AuditVerification> {
    std::unique_ptr<sql::ResultSet> head(
        connection.Prepare("SELECT last_id, last_hash FROM audit_chain_head WHERE id = 1").executeQuery());
    if (!head->next()) return absl::InternalError("the audit chain head is missing");
    const int64_t last_id = head->getInt64(1);
    const std::string last_hash = head->getString(2);
    std::unique_ptr<sql::ResultSet> highest(
        connection.Prepare("SELECT COALESCE(MAX(id), 0) FROM audit_events").executeQuery());
    highest->next();
    const int64_t max_id = highest->getInt64(1);

    AuditVerification result;
    result.last_id = last_id;
    result.last_hash = last_hash;
    const auto broken = [&](int64_t id, std::string problem) {
      result.intact = false;
      result.first_broken_id = id;
      result.problem = std::move(problem);
      return result;
    };
    int64_t expected_id = 1;
    std::string previous_hash(64, '0');
    while (expected_id <= max_id) {
      sql::PreparedStatement& select = connection.Prepare(
          absl::StrCat("SELECT ", kColumns, " FROM audit_events WHERE id >= ? ORDER BY id LIMIT ?"));
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
      return broken(expected_id, absl::StrCat("event ", expected_id, " is missing (the chain head records ",
                                              last_id, " events)"));
    }
    if (previous_hash != last_hash) {
      return broken(last_id, "the last event does not match the hash the chain head records");
    }
    return result;
  });
}

}  // namespace ladder::db
