#include "common/db/transaction.h"

#include <algorithm>
#include <random>

#include "common/db/call_deadline.h"
#include "common/db/sql_error.h"
#include "cppconn/exception.h"
#include "spdlog/spdlog.h"

namespace ladder::db {
namespace {

// Runs `fn`, turning a Connector/C++ exception into a status and discarding the session
// when the exception says it is gone.
absl::Status Guarded(Connection& connection, absl::string_view context, absl::FunctionRef<absl::Status()> fn) {
  try {
    return fn();
  } catch (const sql::SQLException& e) {
    // Error 0 comes from the driver itself (e.g. a closed session): trust nothing after it.
    if (IsConnectionError(e.getErrorCode()) || e.getErrorCode() == 0) connection.MarkBroken();
    return FromSqlException(e, context);
  }
}

absl::Duration Jittered(absl::Duration backoff) {
  thread_local std::mt19937 generator{std::random_device{}()};
  std::uniform_real_distribution<double> factor(0.0, 1.0);
  return backoff * factor(generator);
}

absl::Status RunOnce(ConnectionPool& pool, absl::FunctionRef<absl::Status(Connection&)> body) {
  absl::StatusOr<ConnectionLease> lease = pool.Acquire();
  if (!lease.ok()) return lease.status();
  Connection& connection = **lease;

  // On a Galera node the cluster may abort the transaction without telling the session;
  // the statements after that would then run, and commit, on their own. With autocommit
  // off they run in a new transaction instead, which the witness catches before COMMIT
  // and which is rolled back (transaction_witness.h).
  TransactionWitness* witness = connection.witness();
  absl::Status status = Guarded(connection, "starting a transaction", [&] {
    if (witness == nullptr) {
      connection.Execute("START TRANSACTION");
      return absl::OkStatus();
    }
    connection.Execute("SET autocommit = 0");
    return witness->Begin(connection);
  });
  if (status.ok()) status = Guarded(connection, "in a transaction", [&] { return body(connection); });
  if (status.ok() && witness != nullptr) {
    status = Guarded(connection, "committing", [&] { return witness->CheckBeforeCommit(connection); });
  }
  bool committed = false;
  if (status.ok()) {
    status = Guarded(connection, "committing", [&] {
      connection.Execute("COMMIT");
      return absl::OkStatus();
    });
    committed = status.ok();
  }
  if (!committed && !connection.broken()) {
    absl::Status rollback = Guarded(connection, "rolling back", [&] {
      connection.Execute("ROLLBACK");
      return absl::OkStatus();
    });
    if (!rollback.ok()) connection.MarkBroken();
  }
  if (witness != nullptr && !connection.broken()) {
    absl::Status restored = Guarded(connection, "after the transaction", [&] {
      connection.Execute("SET autocommit = 1");
      return absl::OkStatus();
    });
    // A session left without autocommit would hold every later read open.
    if (!restored.ok()) connection.MarkBroken();
  }
  if (committed && witness != nullptr && !connection.broken()) {
    status = Guarded(connection, "after committing", [&] { return witness->CheckAfterCommit(connection); });
  }
  return status;
}

}  // namespace

absl::Status RunInTransaction(ConnectionPool& pool, absl::FunctionRef<absl::Status(Connection&)> body,
                              const TransactionOptions& options) {
  absl::Duration backoff = options.initial_backoff;
  // Retries stop with the budget, or with the call's deadline if that comes first.
  const absl::Time give_up_at = std::min(absl::Now() + options.budget, CurrentCallDeadline());
  const absl::Time started = absl::Now();
  DatabaseMetrics& metrics = pool.metrics();
  absl::Status status;
  int attempt = 1;
  for (;; ++attempt) {
    status = RunOnce(pool, body);
    if (status.ok() || !IsRetryable(status)) {
      metrics.ObserveTransaction(absl::Now() - started);
      return status;
    }
    const absl::Duration pause = Jittered(backoff);
    if (attempt >= options.max_attempts || absl::Now() + pause >= give_up_at) break;
    metrics.NoteRetry(status);
    spdlog::debug("event=transaction_retry attempt={} errno={}", attempt, MysqlErrno(status).value_or(0));
    absl::SleepFor(pause);
    backoff = std::min(backoff * 2, options.max_backoff);
  }
  metrics.ObserveTransaction(absl::Now() - started);
  metrics.NoteRetriesExhausted();
  spdlog::warn("event=transaction_gave_up attempts={} status=\"{}\"", attempt, status.ToString());
  return status;
}

absl::Status WithConnection(ConnectionPool& pool, absl::FunctionRef<absl::Status(Connection&)> body) {
  absl::StatusOr<ConnectionLease> lease = pool.Acquire();
  if (!lease.ok()) return lease.status();
  Connection& connection = **lease;
  return Guarded(connection, "reading", [&] { return body(connection); });
}

}  // namespace ladder::db
