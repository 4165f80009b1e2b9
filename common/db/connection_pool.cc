#include "common/db/connection_pool.h"

#include <algorithm>
#include <mutex>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/db/call_deadline.h"
#include "common/db/sql_error.h"
#include "common/status/errors.h"
#include "common/util/once_per_interval.h"
#include "cppconn/driver.h"
#include "cppconn/exception.h"
#include "cppconn/resultset.h"
#include "mysql_driver.h"
#include "spdlog/spdlog.h"

namespace ladder::db {
namespace {

// A session idle longer than this is pinged before use.
constexpr absl::Duration kValidateAfterIdle = absl::Seconds(1);

sql::Driver* Driver() {
  // The driver's first use initialises the client library, which is not thread-safe.
  static std::once_flag once;
  static sql::Driver* driver = nullptr;
  std::call_once(once, [] { driver = sql::mysql::get_mysql_driver_instance(); });
  return driver;
}

int Seconds(absl::Duration d) { return static_cast<int>(absl::ToInt64Seconds(d)); }

uint64_t RandomSessionToken() {
  static absl::Mutex mu(absl::kConstInit);
  static std::mt19937_64* generator = nullptr;
  absl::MutexLock lock(&mu);
  if (generator == nullptr) generator = new std::mt19937_64(std::random_device{}());
  return (*generator)();
}

// The network bounds of the health probe's session.
constexpr absl::Duration kProbeTimeout = absl::Seconds(2);

std::string StatementBoundStatement(absl::Duration bound, bool by_execution_time) {
  if (by_execution_time) return absl::StrCat("SET SESSION max_execution_time = ", absl::ToInt64Milliseconds(bound));
  return absl::StrCat("SET SESSION max_statement_time = ", absl::ToDoubleSeconds(bound));
}

// During an outage every call fails to connect: one line a second.
OncePerInterval connect_failure_log(absl::Seconds(1));

}  // namespace

Connection::Connection(std::unique_ptr<sql::Connection> native, DatabaseMetrics& metrics)
    : native_(std::move(native)), metrics_(metrics) {}

Connection::~Connection() {
  if (witness_ != nullptr && !broken_) witness_->Forget(*this);
  statements_.clear();
  plain_.reset();
  try {
    if (native_ != nullptr && !broken_) native_->close();
  } catch (const sql::SQLException&) {
    // Closing a dead session fails; there is nothing left to release.
  }
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const DatabaseOptions& options, bool use_database) {
  sql::ConnectOptionsMap props;
  props["hostName"] = options.socket.empty() ? sql::SQLString(absl::StrCat("tcp://", options.host, ":", options.port))
                                             : sql::SQLString(absl::StrCat("unix://", options.socket));
  props["userName"] = sql::SQLString(options.user);
  props["password"] = sql::SQLString(options.password);
  if (use_database) props["schema"] = sql::SQLString(options.database);
  props["OPT_CONNECT_TIMEOUT"] = Seconds(options.connect_timeout);
  props["OPT_READ_TIMEOUT"] = Seconds(options.io_timeout);
  props["OPT_WRITE_TIMEOUT"] = Seconds(options.io_timeout);
  props["OPT_RECONNECT"] = false;
  props["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  try {
    std::unique_ptr<sql::Connection> native(Driver()->connect(props));
    auto connection =
        std::unique_ptr<Connection>(new Connection(std::move(native), DatabaseMetrics::For(options.database)));
    // Each statement sees the latest committed data; the quota checks rely on it together
    // with the county row lock. Strict mode turns silent truncation into errors.
    connection->Execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    // The lock-wait bound ends a wait on a row lock (one held by a vanished client too).
    connection->Execute(
        absl::StrCat("SET SESSION time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,"
                     "NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', innodb_lock_wait_timeout = ",
                     std::max<int64_t>(1, absl::ToInt64Seconds(options.lock_wait_timeout))));
    // The statement bound stops a slow statement on the server's side; calls with less time
    // left lower it (BoundStatementsBy).
    try {
      connection->Execute(StatementBoundStatement(options.statement_timeout, false));
    } catch (const sql::SQLException&) {
      // MySQL has no max_statement_time; its max_execution_time (milliseconds) bounds reads.
      connection->bounds_by_execution_time_ = true;
      connection->Execute(StatementBoundStatement(options.statement_timeout, true));
    }
    connection->configured_statement_bound_ = options.statement_timeout;
    connection->statement_bound_ = options.statement_timeout;
    // On a Galera node: every transaction starts from everything the cluster committed before
    // it (causal reads), so a call never decides on a state older than a change another
    // replica has already answered for. MySQL, which has no such variable, is left alone.
    bool on_cluster = false;
    try {
      std::unique_ptr<sql::ResultSet> wsrep(connection->Query("SELECT @@wsrep_on"));
      on_cluster = wsrep->next() && wsrep->getInt(1) == 1;
    } catch (const sql::SQLException&) {
    }
    if (on_cluster) {
      connection->Execute("SET SESSION wsrep_sync_wait = 1");
      connection->witness_ = std::make_unique<TransactionWitness>(RandomSessionToken());
    }
    return connection;
  } catch (const sql::SQLException& e) {
    absl::Status status = FromSqlException(e, "connecting to the database");
    if (connect_failure_log.Now()) {
      spdlog::warn("event=db_connect_failed url={} errno={} error=\"{}\"", RedactedUrl(options), e.getErrorCode(),
                   e.what());
    }
    if (status.code() == absl::StatusCode::kInternal) {
      // Access denied, unknown database and the like: the service cannot serve either way.
      return ErrorWithReason(absl::StatusCode::kUnavailable, reason::kDatabaseUnavailable,
                             "the database refused the connection; retry later");
    }
    return status;
  }
}

absl::Status Connection::BoundStatementsBy(absl::Time deadline) {
  const absl::Duration bound = StatementBoundFor(configured_statement_bound_, deadline, absl::Now());
  if (bound == statement_bound_) return absl::OkStatus();
  try {
    Execute(StatementBoundStatement(bound, bounds_by_execution_time_));
  } catch (const sql::SQLException& e) {
    MarkBroken();
    return FromSqlException(e, "bounding statements by the call's deadline");
  }
  statement_bound_ = bound;
  return absl::OkStatus();
}

Statement& Connection::Prepare(absl::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    std::unique_ptr<sql::PreparedStatement> native(native_->prepareStatement(sql::SQLString(std::string(sql))));
    it = statements_.emplace(std::string(sql), std::make_unique<Statement>(std::move(native), metrics_)).first;
  }
  return *it->second;
}

void Connection::Execute(absl::string_view sql) {
  if (plain_ == nullptr) plain_.reset(native_->createStatement());
  StatementClock clock(metrics_, StatementKind::kWrite);
  plain_->execute(sql::SQLString(std::string(sql)));
}

std::unique_ptr<sql::ResultSet> Connection::Query(absl::string_view sql) {
  if (plain_ == nullptr) plain_.reset(native_->createStatement());
  StatementClock clock(metrics_, StatementKind::kRead);
  return std::unique_ptr<sql::ResultSet>(plain_->executeQuery(sql::SQLString(std::string(sql))));
}

int64_t Connection::LastInsertId() {
  std::unique_ptr<sql::ResultSet> rows(Prepare("SELECT LAST_INSERT_ID()").executeQuery());
  rows->next();
  return rows->getInt64(1);
}

bool Connection::IsAlive() {
  try {
    return native_->isValid();
  } catch (const sql::SQLException&) {
    return false;
  }
}

ConnectionLease::~ConnectionLease() {
  if (connection_ != nullptr) pool_->Release(std::move(connection_));
}

ConnectionPool::ConnectionPool(DatabaseOptions options)
    : options_(std::move(options)), metrics_(DatabaseMetrics::For(options_.database)) {
  Driver();
}

ConnectionPool::~ConnectionPool() {
  absl::MutexLock lock(&mu_);
  idle_.clear();
}

absl::StatusOr<ConnectionLease> ConnectionPool::Acquire() {
  std::unique_ptr<Connection> connection;
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_count_ < options_.pool_size;
    };
    // Never waits past the call's deadline: the caller is gone by then.
    const absl::Duration left = CurrentCallDeadline() - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("the call's deadline passed before the database was reached");
    }
    const bool waits = !available();
    const absl::Time waiting_since = waits ? absl::Now() : absl::InfinitePast();
    const bool got_one = mu_.AwaitWithTimeout(absl::Condition(&available), std::min(options_.acquire_timeout, left));
    if (waits) metrics_.ObserveWait(absl::Now() - waiting_since, got_one);
    if (!got_one) {
      if (options_.acquire_timeout > left) {
        return absl::DeadlineExceededError("the call's deadline passed while every database connection was busy");
      }
      return ErrorWithReason(absl::StatusCode::kUnavailable, reason::kDatabaseUnavailable,
                             absl::StrCat("all ", options_.pool_size, " database connections stayed busy for ",
                                          absl::FormatDuration(options_.acquire_timeout), "; retry later"));
    }
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_count_;  // Reserve the slot before opening outside the lock.
    }
    metrics_.SetPool(open_count_, static_cast<int>(idle_.size()), options_.pool_size);
  }
  if (connection != nullptr && absl::Now() - connection->last_used_ > kValidateAfterIdle && !connection->IsAlive()) {
    connection->MarkBroken();
    connection.reset();  // Its slot stays reserved for the replacement below.
  }
  if (connection == nullptr) {
    absl::StatusOr<std::unique_ptr<Connection>> opened = Connection::Open(options_);
    if (!opened.ok()) {
      absl::MutexLock lock(&mu_);
      --open_count_;
      metrics_.SetPool(open_count_, static_cast<int>(idle_.size()), options_.pool_size);
      return opened.status();
    }
    connection = *std::move(opened);
  }
  ConnectionLease lease(this, std::move(connection));
  // No statement of the call runs on past its deadline (the lease returns a broken session).
  if (absl::Status bounded = lease->BoundStatementsBy(CurrentCallDeadline()); !bounded.ok()) return bounded;
  return lease;
}

void ConnectionPool::Release(std::unique_ptr<Connection> connection) {
  if (connection->broken()) {
    connection.reset();
    absl::MutexLock lock(&mu_);
    --open_count_;
    metrics_.SetPool(open_count_, static_cast<int>(idle_.size()), options_.pool_size);
    return;
  }
  connection->last_used_ = absl::Now();
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(connection));
  metrics_.SetPool(open_count_, static_cast<int>(idle_.size()), options_.pool_size);
}

absl::Status ConnectionPool::Ping() {
  absl::MutexLock lock(&probe_mu_);
  if (probe_ == nullptr) {
    DatabaseOptions probing = options_;
    probing.connect_timeout = std::min(probing.connect_timeout, kProbeTimeout);
    probing.io_timeout = std::min(probing.io_timeout, kProbeTimeout);
    absl::StatusOr<std::unique_ptr<Connection>> opened = Connection::Open(probing);
    if (!opened.ok()) return opened.status();
    probe_ = *std::move(opened);
  }
  if (!probe_->IsAlive()) {
    // A new session next time: this one may be gone with a restarted server.
    probe_->MarkBroken();
    probe_.reset();
    return ErrorWithReason(absl::StatusCode::kUnavailable, reason::kDatabaseUnavailable,
                           "the database does not answer");
  }
  return absl::OkStatus();
}

}  // namespace ladder::db
