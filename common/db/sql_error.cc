#include "common/db/sql_error.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "spdlog/spdlog.h"

namespace ladder::db {
namespace {

constexpr absl::string_view kErrnoPayload = "ladder.db/mysql-errno";
constexpr absl::string_view kRetryablePayload = "ladder.db/retryable";

}  // namespace

bool IsConnectionError(int mysql_errno) {
  switch (mysql_errno) {
    case 1040:  // too many connections
    case 1047:  // a Galera node outside the primary component ("WSREP has not yet prepared node")
    case 1053:  // server shutdown in progress
    case 1927:  // connection killed
    case 2002:  // can't connect through socket
    case 2003:  // can't connect to host
    case 2005:  // unknown host
    case 2006:  // server has gone away
    case 2013:  // lost connection during query
    case 2055:  // lost connection at reading
    case 4031:  // disconnected for inactivity
      return true;
    default:
      return false;
  }
}

absl::Status FromSqlException(const sql::SQLException& e, absl::string_view context) {
  const int code = e.getErrorCode();
  absl::Status status;
  if (code == kErrDeadlock || code == kErrLockWaitTimeout) {
    status = MarkRetryable(
        ErrorWithReason(absl::StatusCode::kAborted, reason::kConcurrentUpdate,
                        "the request collided with a concurrent change; retry it with the same request_id"),
        code == kErrDeadlock ? "deadlock" : "lock_wait_timeout");
  } else if (code == kErrStatementTimeout || code == kErrMysqlExecutionTimeout) {
    status = ErrorWithReason(absl::StatusCode::kDeadlineExceeded, reason::kDatabaseUnavailable,
                             "a database statement ran longer than its limit; retry later");
  } else if (IsConnectionError(code)) {
    status = ErrorWithReason(absl::StatusCode::kUnavailable, reason::kDatabaseUnavailable,
                             "the database is unavailable; retry later");
  } else {
    // The database's own words (table, key and column names, values) are for the log, not
    // for callers: a constraint a store expects is mapped to its documented code there.
    spdlog::error("event=database_error errno={} context=\"{}\" error=\"{}\"", code, std::string(context),
                  absl::CHexEscape(e.what()));
    status = code == kErrDuplicateEntry ? ErrorWithReason(absl::StatusCode::kAlreadyExists, reason::kAlreadyExists,
                                                          "the request conflicts with an existing resource")
                                        : ErrorWithReason(absl::StatusCode::kInternal, "DATABASE_ERROR",
                                                          absl::StrCat("the database refused the request (error ", code,
                                                                       "); the server log has the details"));
  }
  status.SetPayload(kErrnoPayload, absl::Cord(absl::StrCat(code)));
  return status;
}

std::optional<int> MysqlErrno(const absl::Status& status) {
  auto payload = status.GetPayload(kErrnoPayload);
  int code = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &code)) {
    return std::nullopt;
  }
  return code;
}

absl::Status MarkRetryable(absl::Status status, absl::string_view cause) {
  status.SetPayload(kRetryablePayload, absl::Cord(cause));
  return status;
}

bool IsRetryable(const absl::Status& status) { return status.GetPayload(kRetryablePayload).has_value(); }

std::string RetryCause(const absl::Status& status) {
  auto cause = status.GetPayload(kRetryablePayload);
  return cause.has_value() ? std::string(*cause) : "";
}

}  // namespace ladder::db
