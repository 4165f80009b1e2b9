#pragma once

#include <optional>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/connection_pool.h"

namespace ladder::db {

struct TransactionOptions {
  // The retry budget for a deadlock (1213: on a Galera cluster also a write set that lost
  // certification, at COMMIT or when a replicated write aborted it) or a lock-wait timeout
  // (1205): the whole transaction runs again until it commits, `max_attempts` have failed,
  // or the next attempt would start after `budget`. Only then does the call fail ABORTED,
  // with a reason that tells the client to retry with the same request_id. On a cluster a
  // transaction that lost goes back into its node's lock queue behind the others there,
  // so a hot row (one county, written from every node) needs the time more than attempts.
  int max_attempts = 100;
  absl::Duration budget = absl::Seconds(5);
  // The wait before the second attempt; doubled after each one up to `max_backoff`, and
  // drawn at random below it (full jitter), so that transactions colliding across nodes,
  // whose conflicts show only at commit, drift apart instead of colliding again.
  absl::Duration initial_backoff = absl::Milliseconds(2);
  absl::Duration max_backoff = absl::Milliseconds(50);
};

// Runs `body` in one transaction on a pooled connection: commits when it returns OK and
// rolls back otherwise. The whole body runs again on a retryable error, so it must not
// have effects outside the database. Connector/C++ exceptions thrown by the body become
// statuses (see sql_error.h); a connection error discards the session.
absl::Status RunInTransaction(ConnectionPool& pool, absl::FunctionRef<absl::Status(Connection&)> body,
                              const TransactionOptions& options = {});

template <typename T>
absl::StatusOr<T> RunInTransaction(ConnectionPool& pool, absl::FunctionRef<absl::StatusOr<T>(Connection&)> body,
                                   const TransactionOptions& options = {}) {
  std::optional<T> result;
  absl::Status status = RunInTransaction(
      pool,
      [&](Connection& connection) -> absl::Status {
        absl::StatusOr<T> value = body(connection);
        if (!value.ok()) return value.status();
        result = *std::move(value);
        return absl::OkStatus();
      },
      options);
  if (!status.ok()) return status;
  return *std::move(result);
}

// Runs `body` on a pooled connection in autocommit mode: one statement, one round trip.
// For reads that need no snapshot across statements.
absl::Status WithConnection(ConnectionPool& pool, absl::FunctionRef<absl::Status(Connection&)> body);

template <typename T>
absl::StatusOr<T> WithConnection(ConnectionPool& pool, absl::FunctionRef<absl::StatusOr<T>(Connection&)> body) {
  std::optional<T> result;
  absl::Status status = WithConnection(pool, [&](Connection& connection) -> absl::Status {
    absl::StatusOr<T> value = body(connection);
    if (!value.ok()) return value.status();
    result = *std::move(value);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return *std::move(result);
}

}  // namespace ladder::db
