#include "common/db/change_feed.h"

#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/blob.h"
#include "common/db/transaction.h"
#include "common/status/errors.h"
#include "cppconn/resultset.h"

namespace ladder::db {
namespace {

constexpr int kPruneBatch = 1000;

std::atomic<bool> publishing{true};

int64_t ReadInt(Connection& connection, const char* query) {
  std::unique_ptr<sql::ResultSet> rows(connection.Prepare(query).executeQuery());
  return rows->next() ? rows->getInt64(1) : 0;
}

}  // namespace

bool ChangeFeedPublishing() { return publishing.load(std::memory_order_relaxed); }
void SetChangeFeedPublishing(bool on) { publishing.store(on, std::memory_order_relaxed); }

absl::StatusOr<ChangeBatch> ReadChanges(ConnectionPool& pool, int64_t position, const ChangeFilter& filter, int limit) {
  // One transaction, so the end of the feed, the horizon and the changes are one snapshot:
  // every change up to the end is in it (the sealer publishes a change and advances the
  // chain head in the same transaction), and the horizon cannot move past `position` between
  // the check and the read.
  return RunInTransaction<ChangeBatch>(pool, [&](Connection& connection) -> absl::StatusOr<ChangeBatch> {
    const int64_t end = ReadInt(connection, "SELECT last_id FROM audit_chain_head WHERE id = 1");
    const int64_t horizon = ReadInt(connection, "SELECT pruned_through FROM change_feed_horizon WHERE id = 1");
    if (position < horizon) {
      if (position > 0) {
        return ErrorWithReason(
            absl::StatusCode::kFailedPrecondition, reason::kCursorExpired,
            absl::StrCat("cursor: the changes after it were pruned after the retention period (the feed "
                         "now starts after position ",
                         horizon, "); list the current state and follow the feed from a new cursor"),
            {{"field", "cursor"}});
      }
      position = horizon;
    }
    ChangeBatch batch;
    batch.position = position;
    if (position >= end) return batch;

    std::string where = "c.id > ? AND c.id <= ?";
    if (filter.county_id != 0) absl::StrAppend(&where, " AND (c.county_id = ? OR c.other_county_id = ?)");
    if (!filter.kinds.empty()) {
      absl::StrAppend(&where, " AND c.kind IN (",
                      absl::StrJoin(std::vector<std::string>(filter.kinds.size(), "?"), ", "), ")");
    }
    Statement& select = connection.Prepare(
        absl::StrCat("SELECT c.id, c.kind, c.county_id, c.other_county_id, c.payload, a.occurred_us, a.actor, "
                     "a.on_behalf_of, a.resource, a.request_id, a.trace_id "
                     "FROM change_events c JOIN audit_events a ON a.id = c.id WHERE ",
                     where, " ORDER BY c.id LIMIT ?"));
    int parameter = 0;
    select.setInt64(++parameter, position);
    select.setInt64(++parameter, end);
    if (filter.county_id != 0) {
      select.setInt64(++parameter, filter.county_id);
      select.setInt64(++parameter, filter.county_id);
    }
    for (const std::string& kind : filter.kinds) select.setString(++parameter, kind);
    select.setInt(++parameter, limit);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    while (rows->next()) {
      StoredChange& change = batch.changes.emplace_back();
      change.id = rows->getInt64(1);
      change.kind = rows->getString(2);
      change.county_id = rows->getInt64(3);
      change.other_county_id = rows->getInt64(4);
      change.payload = ReadBlob(*rows, 5);
      change.occurred_at = absl::FromUnixMicros(rows->getInt64(6));
      change.actor = rows->getString(7);
      change.on_behalf_of = rows->getString(8);
      change.resource = rows->getString(9);
      change.request_id = rows->getString(10);
      change.trace_id = rows->getString(11);
    }
    const bool full = static_cast<int>(batch.changes.size()) >= limit;
    batch.position = full ? batch.changes.back().id : end;
    return batch;
  });
}

absl::StatusOr<int64_t> PruneChanges(ConnectionPool& pool, absl::Duration retention) {
  const int64_t cutoff_us = absl::ToUnixMicros(absl::Now() - retention);
  int64_t pruned = 0;
  while (true) {
    // A prefix in id order, so the horizon says exactly what is gone: every change up to it.
    absl::StatusOr<int64_t> deleted =
        RunInTransaction<int64_t>(pool, [&](Connection& connection) -> absl::StatusOr<int64_t> {
          Statement& oldest = connection.Prepare(
              "SELECT c.id, a.occurred_us FROM change_events c JOIN audit_events a ON a.id = c.id "
              "ORDER BY c.id LIMIT ?");
          oldest.setInt(1, kPruneBatch);
          std::unique_ptr<sql::ResultSet> rows(oldest.executeQuery());
          int64_t through = 0;
          int64_t count = 0;
          while (rows->next() && rows->getInt64(2) < cutoff_us) {
            through = rows->getInt64(1);
            ++count;
          }
          if (count == 0) return int64_t{0};
          Statement& remove = connection.Prepare("DELETE FROM change_events WHERE id <= ?");
          remove.setInt64(1, through);
          remove.executeUpdate();
          Statement& advance = connection.Prepare(
              "UPDATE change_feed_horizon SET pruned_through = GREATEST(pruned_through, ?) WHERE id = 1");
          advance.setInt64(1, through);
          advance.executeUpdate();
          return count;
        });
    if (!deleted.ok()) return deleted.status();
    pruned += *deleted;
    if (*deleted < kPruneBatch) return pruned;
  }
}

}  // namespace ladder::db
