#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/db/database_options.h"
#include "common/db/db_metrics.h"
#include "common/db/statement.h"
#include "common/db/transaction_witness.h"
#include "cppconn/connection.h"
#include "cppconn/prepared_statement.h"
#include "cppconn/resultset.h"
#include "cppconn/statement.h"

namespace ladder::db {

class ConnectionPool;

// One open MySQL session, used by one call at a time. Prepared statements are cached per
// session, so a warm server prepares nothing per call.
class Connection final {
 public:
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // The cached prepared statement for `sql`, prepared on first use. Throws
  // sql::SQLException like every Connector/C++ call; the transaction helpers convert it.
  Statement& Prepare(absl::string_view sql);

  // Runs a statement that has no parameters and no result (DDL, START TRANSACTION).
  void Execute(absl::string_view sql);

  // Runs a query that has no parameters, unprepared: for statements whose text varies with
  // a batch (an IN list of numbers), which would fill the prepared-statement cache. Read the
  // rows before the next Query or Execute (they share one statement).
  std::unique_ptr<sql::ResultSet> Query(absl::string_view sql);

  // The AUTO_INCREMENT id of this session's last insert.
  int64_t LastInsertId();

  // A round trip to the server (COM_PING); false when the session is gone.
  bool IsAlive();

  // On a Galera node: what proves each transaction commits whole (see
  // transaction_witness.h). Null on a single server, where nothing aborts a transaction
  // without telling the session.
  TransactionWitness* witness() { return witness_.get(); }

  // Bounds this session's statements for a call that must end by `deadline`
  // (StatementBoundFor the configured statement timeout). A round trip only when the bound
  // differs from the one the session has.
  absl::Status BoundStatementsBy(absl::Time deadline);

  // Throws the connection away instead of returning it to the pool.
  void MarkBroken() { broken_ = true; }
  bool broken() const { return broken_; }

  // Opens a session. With `use_database` false the session has no default schema, which
  // lets migrations create it.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const DatabaseOptions& options, bool use_database = true);

 private:
  friend class ConnectionPool;
  Connection(std::unique_ptr<sql::Connection> native, DatabaseMetrics& metrics);

  std::unique_ptr<sql::Connection> native_;
  // Where its statements' times go.
  DatabaseMetrics& metrics_;
  // Declared after native_ so they are destroyed first.
  std::unique_ptr<sql::Statement> plain_;
  absl::flat_hash_map<std::string, std::unique_ptr<Statement>> statements_;
  std::unique_ptr<TransactionWitness> witness_;
  absl::Time last_used_ = absl::Now();
  bool broken_ = false;
  // The statement timeout the session was opened with, and the bound it has now.
  absl::Duration configured_statement_bound_ = absl::ZeroDuration();
  absl::Duration statement_bound_ = absl::ZeroDuration();
  // MySQL bounds statements with max_execution_time (milliseconds), MariaDB with
  // max_statement_time (seconds).
  bool bounds_by_execution_time_ = false;
};

// A connection borrowed from the pool; returns it (or drops it if broken) when destroyed.
class ConnectionLease final {
 public:
  ConnectionLease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
      : pool_(pool), connection_(std::move(connection)) {}
  ConnectionLease(ConnectionLease&& other) noexcept = default;
  ConnectionLease& operator=(ConnectionLease&& other) noexcept = delete;
  ~ConnectionLease();

  Connection& operator*() const { return *connection_; }
  Connection* operator->() const { return connection_.get(); }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<Connection> connection_;
};

// A bounded pool of sessions safe for many threads. Connections are opened lazily, so a
// service starts (and reports NOT_SERVING) while the database is down, and recovers by
// itself when it returns: a session idle for a while is checked with isValid() before use,
// and a session that failed with a connection error is discarded, never auto-reconnected
// (a silent reconnect would lose transaction and session state).
class ConnectionPool final {
 public:
  explicit ConnectionPool(DatabaseOptions options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A session, waiting up to options().acquire_timeout when all are busy. UNAVAILABLE
  // when the database cannot be reached or no session frees up in time.
  absl::StatusOr<ConnectionLease> Acquire();

  // OK when the database answers a ping now. Pings on a session of its own, outside the
  // pool, with short network bounds: a pool busy with slow calls is not a database that is
  // down, and a frozen database is seen in seconds. One caller at a time (the health probe).
  absl::Status Ping();

  const DatabaseOptions& options() const { return options_; }
  DatabaseMetrics& metrics() const { return metrics_; }

 private:
  friend class ConnectionLease;
  void Release(std::unique_ptr<Connection> connection);

  const DatabaseOptions options_;
  DatabaseMetrics& metrics_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  // Idle, leased and being opened.
  int open_count_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Mutex probe_mu_;
  std::unique_ptr<Connection> probe_ ABSL_GUARDED_BY(probe_mu_);
};

}  // namespace ladder::db
