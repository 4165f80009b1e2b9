#include "common/db/transaction_witness.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/db/connection_pool.h"
#include "common/db/sql_error.h"
#include "common/status/errors.h"
#include "common/util/once_per_interval.h"
#include "cppconn/exception.h"
#include "cppconn/resultset.h"
#include "spdlog/spdlog.h"

namespace ladder::db {
namespace {

constexpr int kErrNoSuchTable = 1146;

OncePerInterval missing_table_log(absl::Minutes(1));

// Rows of sessions that ended without removing theirs (a killed process) go after a day.
constexpr const char* kPurgeStale =
    "DELETE FROM transaction_witnesses WHERE touched_at < UTC_TIMESTAMP(6) - INTERVAL 1 DAY LIMIT 100";

}  // namespace

absl::Status TransactionWitness::Begin(Connection& connection) {
  if (!available_) return absl::OkStatus();
  ++attempt_;
  Statement& mark = connection.Prepare(
      "INSERT INTO transaction_witnesses (session_token, attempt, touched_at) "
      "VALUES (?, ?, UTC_TIMESTAMP(6)) "
      "ON DUPLICATE KEY UPDATE attempt = VALUES(attempt), touched_at = VALUES(touched_at)");
  mark.setUInt64(1, token_);
  mark.setInt64(2, attempt_);
  try {
    mark.executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != kErrNoSuchTable) throw;
    available_ = false;
    if (missing_table_log.Now()) {
      spdlog::warn(
          "event=transaction_witness_unavailable reason=\"table transaction_witnesses is "
          "missing; run the migrations\"");
    }
    return absl::OkStatus();
  }
  registered_ = true;
  return absl::OkStatus();
}

absl::Status TransactionWitness::Check(Connection& connection, const char* stage) {
  if (!available_) return absl::OkStatus();
  // The session's own row: nothing another node wrote can change it, so the read need
  // not wait for the cluster.
  Statement& read = connection.Prepare(
      "SET STATEMENT wsrep_sync_wait = 0 FOR "
      "SELECT attempt FROM transaction_witnesses WHERE session_token = ?");
  read.setUInt64(1, token_);
  std::unique_ptr<sql::ResultSet> row(read.executeQuery());
  const int64_t seen = row->next() ? row->getInt64(1) : -1;
  if (seen == attempt_) return absl::OkStatus();
  spdlog::warn("event=transaction_split stage={} attempt={} seen={}", stage, attempt_, seen);
  return MarkRetryable(
      ErrorWithReason(absl::StatusCode::kAborted, reason::kConcurrentUpdate,
                      "the request collided with a concurrent change; retry it with the same request_id"),
      "aborted_unseen");
}

absl::Status TransactionWitness::CheckBeforeCommit(Connection& connection) {
  return Check(connection, "before_commit");
}

absl::Status TransactionWitness::CheckAfterCommit(Connection& connection) { return Check(connection, "after_commit"); }

void TransactionWitness::Forget(Connection& connection) {
  if (!registered_) return;
  try {
    Statement& forget = connection.Prepare("DELETE FROM transaction_witnesses WHERE session_token = ?");
    forget.setUInt64(1, token_);
    forget.executeUpdate();
    connection.Execute(kPurgeStale);
  } catch (const sql::SQLException&) {
    // A session that is going away: a row left behind is purged a day later.
  }
  registered_ = false;
}

}  // namespace ladder::db
