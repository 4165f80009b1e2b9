#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cppconn/exception.h"

namespace ladder::db {

// Server and client error numbers Ladder reacts to.
inline constexpr int kErrDuplicateEntry = 1062;
inline constexpr int kErrLockWaitTimeout = 1205;
inline constexpr int kErrDeadlock = 1213;
// A statement stopped by max_statement_time (MariaDB) or max_execution_time (MySQL).
inline constexpr int kErrStatementTimeout = 1969;
inline constexpr int kErrMysqlExecutionTimeout = 3024;

// Turns a Connector/C++ exception into a canonical status, keeping the MySQL error number
// as a payload: deadlock and lock-wait timeout → ABORTED (retryable), duplicate key →
// ALREADY_EXISTS, a lost or refused connection → UNAVAILABLE, the rest → INTERNAL.
absl::Status FromSqlException(const sql::SQLException& e, absl::string_view context);

// True for errors after which the connection must be thrown away.
bool IsConnectionError(int mysql_errno);

// The MySQL error number behind `status`, if it came from the database.
std::optional<int> MysqlErrno(const absl::Status& status);

// Marks `status` as worth running the whole transaction again; `cause` names why for the
// retry metrics (db_metrics.h), from a small fixed set: "deadlock", "lock_wait_timeout",
// "aborted_unseen", "duplicate_in_flight", "concurrent_change".
absl::Status MarkRetryable(absl::Status status, absl::string_view cause = "concurrent_change");
bool IsRetryable(const absl::Status& status);
// The cause MarkRetryable recorded; "" when `status` is not retryable.
std::string RetryCause(const absl::Status& status);

}  // namespace ladder::db
