#pragma once

// A session's prepared statement whose executions are timed, for
// ladder_db_statement_seconds{database,kind="read"|"write"} (db_metrics.h): the time the
// database takes to answer one statement, apart from the wait for a session and from the
// transaction around it. The methods keep Connector/C++'s names and arguments, so a store
// reads as it would against sql::PreparedStatement; like those, they throw sql::SQLException.

#include <chrono>
#include <cstdint>
#include <istream>
#include <memory>

#include "common/db/db_metrics.h"
#include "cppconn/prepared_statement.h"
#include "cppconn/resultset.h"
#include "cppconn/sqlstring.h"

namespace ladder::db {

// Observes the time from its construction to its destruction: also when the statement
// throws, so that one ended by its time bound or a lock wait shows in the histogram.
class StatementClock final {
 public:
  StatementClock(DatabaseMetrics& metrics, StatementKind kind) : metrics_(metrics), kind_(kind) {}
  ~StatementClock();
  StatementClock(const StatementClock&) = delete;
  StatementClock& operator=(const StatementClock&) = delete;

 private:
  DatabaseMetrics& metrics_;
  const StatementKind kind_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class Statement final {
 public:
  Statement(std::unique_ptr<sql::PreparedStatement> native, DatabaseMetrics& metrics)
      : native_(std::move(native)), metrics_(metrics) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void setInt(unsigned int index, int32_t value) { native_->setInt(index, value); }
  void setInt64(unsigned int index, int64_t value) { native_->setInt64(index, value); }
  void setUInt64(unsigned int index, uint64_t value) { native_->setUInt64(index, value); }
  void setString(unsigned int index, const sql::SQLString& value) { native_->setString(index, value); }
  // The stream is read when the statement executes: it must live until then.
  void setBlob(unsigned int index, std::istream* blob) { native_->setBlob(index, blob); }
  void setNull(unsigned int index, int sql_type) { native_->setNull(index, sql_type); }

  // The rows, read whole before this returns (the caller owns them).
  sql::ResultSet* executeQuery();
  // The rows changed.
  int executeUpdate();

 private:
  std::unique_ptr<sql::PreparedStatement> native_;
  DatabaseMetrics& metrics_;
};

}  // namespace ladder::db
