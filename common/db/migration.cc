#include "common/db/migration.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/db/connection_pool.h"
#include "common/db/sql_error.h"
#include "common/db/sql_script.h"
#include "common/status/macros.h"
#include "common/util/stable_hash.h"
#include "cppconn/exception.h"
#include "cppconn/resultset.h"
#include "spdlog/spdlog.h"

namespace ladder::db {
namespace {

constexpr absl::string_view kInfrastructureSql = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  checksum CHAR(16) NOT NULL,
  applied_at DATETIME(6) NOT NULL
) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS schema_migration_lock (
  id TINYINT NOT NULL PRIMARY KEY,
  holder VARCHAR(200) NOT NULL,
  acquired_at DATETIME(6) NOT NULL
) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS request_log (
  request_id VARCHAR(64) NOT NULL PRIMARY KEY,
  method VARCHAR(100) NOT NULL,
  fingerprint CHAR(16) NOT NULL,
  response MEDIUMBLOB NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY request_log_created_at (created_at)
) ENGINE=InnoDB;
)sql";

std::string QuoteIdentifier(absl::string_view name) {
  return absl::StrCat("`", absl::StrReplaceAll(name, {{"`", "``"}}), "`");
}

// Who holds the migration lock: "host/pid/process/call", the host being the pod's name under
// Kubernetes, `process` telling this process from an earlier one that had the same pid (a
// restarted container's server is pid 1 again), `call` one migration among several of a
// process.
std::string LockHolderName() {
  static const int64_t process = absl::ToUnixMicros(absl::Now());
  static std::atomic<int> calls{0};
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return absl::StrCat(host, "/", getpid(), "/", process, "/", ++calls);
}

// Whether `holder` is a process of this host that is gone: a holder that died mid-migration
// (killed, out of memory) leaves its row behind, and its successor need not wait for it.
bool HolderIsGone(const std::string& holder, const std::string& self) {
  const std::vector<std::string> theirs = absl::StrSplit(holder, '/');
  const std::vector<std::string> ours = absl::StrSplit(self, '/');
  if (theirs.size() != 4 || ours.size() != 4 || theirs[0] != ours[0]) return false;
  if (theirs[1] == ours[1]) return theirs[2] != ours[2];  // our pid, an earlier process
  int pid = 0;
  if (!absl::SimpleAtoi(theirs[1], &pid) || pid <= 0) return false;
  return kill(pid, 0) != 0 && errno == ESRCH;
}

// The migration lock is a row, not GET_LOCK: named locks are local to one server, so on a
// Galera cluster replicas migrating through different nodes would not see each other's.
// Two replicas inserting the row at once conflict (a duplicate key on one node, a lost
// certification across nodes) and only one holds it. A holder that died leaves its row:
// it is taken over at once by a process of the same host that sees it is gone (a restarted
// container), and from anywhere once older than kStaleMigrationLock.
constexpr absl::Duration kMigrationLockWait = absl::Minutes(2);
constexpr absl::Duration kStaleMigrationLock = absl::Minutes(10);

absl::Status AcquireMigrationLock(Connection& connection, const std::string& holder, absl::string_view database) {
  const absl::Time deadline = absl::Now() + kMigrationLockWait;
  std::string seen_holder;
  while (true) {
    try {
      Statement& take = connection.Prepare(
          "INSERT INTO schema_migration_lock (id, holder, acquired_at) VALUES (1, ?, UTC_TIMESTAMP(6))");
      take.setString(1, holder);
      take.executeUpdate();
      return absl::OkStatus();
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() != kErrDuplicateEntry && e.getErrorCode() != kErrDeadlock) throw;
    }
    Statement& read = connection.Prepare(
        "SELECT holder, acquired_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND FROM schema_migration_lock "
        "WHERE id = 1");
    read.setInt64(1, absl::ToInt64Seconds(kStaleMigrationLock));
    std::unique_ptr<sql::ResultSet> row(read.executeQuery());
    if (row->next()) {
      seen_holder = row->getString(1);
      const bool stale = row->getInt(2) == 1;
      if (stale || HolderIsGone(seen_holder, holder)) {
        spdlog::warn("event=migration_lock_taken_over database={} previous_holder={} stale={}", std::string(database),
                     seen_holder, stale);
        Statement& drop = connection.Prepare("DELETE FROM schema_migration_lock WHERE id = 1 AND holder = ?");
        drop.setString(1, seen_holder);
        drop.executeUpdate();
        continue;
      }
    }
    if (absl::Now() >= deadline) {
      return absl::UnavailableError(absl::StrCat("another replica (", seen_holder, ") has been migrating ", database,
                                                 " for over ", absl::FormatDuration(kMigrationLockWait),
                                                 "; try again later, or delete its row from "
                                                 "schema_migration_lock if it is gone"));
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
}

void ReleaseMigrationLock(Connection& connection, const std::string& holder) {
  Statement& release = connection.Prepare("DELETE FROM schema_migration_lock WHERE id = 1 AND holder = ?");
  release.setString(1, holder);
  release.executeUpdate();
}

absl::Status Apply(Connection& connection, const std::vector<Migration>& migrations, absl::string_view database) {
  std::map<int, std::string> applied;
  {
    std::unique_ptr<sql::ResultSet> rows(
        connection.Prepare("SELECT version, checksum FROM schema_migrations").executeQuery());
    while (rows->next()) applied[rows->getInt(1)] = rows->getString(2);
  }
  int last_version = 0;
  for (const Migration& migration : migrations) {
    if (migration.version <= last_version) {
      return absl::InternalError(
          absl::StrCat("migration versions must increase: ", migration.version, " after ", last_version));
    }
    last_version = migration.version;
    const std::string checksum = StableHashHex(migration.sql);
    if (auto it = applied.find(migration.version); it != applied.end()) {
      if (it->second != checksum) {
        return absl::FailedPreconditionError(
            absl::StrCat("migration ", migration.version, "_", migration.name, " of ", database,
                         " was changed after it was applied; add a new migration instead"));
      }
      continue;
    }
    spdlog::info("event=migration_apply database={} version={} name={}", std::string(database), migration.version,
                 migration.name);
    for (const std::string& statement : SplitSqlStatements(migration.sql)) {
      connection.Execute(statement);
    }
    Statement& record = connection.Prepare(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
        "VALUES (?, ?, ?, UTC_TIMESTAMP(6))");
    record.setInt(1, migration.version);
    record.setString(2, migration.name);
    record.setString(3, checksum);
    record.executeUpdate();
  }
  return absl::OkStatus();
}

// One attempt of ApplyMigrations on a fresh session.
absl::Status MigrateOnce(const DatabaseOptions& options, const std::vector<Migration>& migrations) {
  // A migration may rewrite a large table: the bounds meant for calls do not apply to it.
  DatabaseOptions unbounded = options;
  unbounded.io_timeout = absl::Hours(1);
  unbounded.statement_timeout = absl::ZeroDuration();
  LADDER_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Connection::Open(unbounded, /*use_database=*/false));
  const std::string database = QuoteIdentifier(options.database);
  try {
    connection->Execute(
        absl::StrCat("CREATE DATABASE IF NOT EXISTS ", database, " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"));
    connection->Execute(absl::StrCat("USE ", database));
    // IF NOT EXISTS throughout, so replicas starting together may all run these.
    for (const std::string& statement : SplitSqlStatements(kInfrastructureSql)) {
      connection->Execute(statement);
    }
    // One migrator at a time per database, across replicas and cluster nodes.
    const std::string holder = LockHolderName();
    LADDER_RETURN_IF_ERROR(AcquireMigrationLock(*connection, holder, options.database));
    absl::Status status;
    try {
      status = Apply(*connection, migrations, options.database);
    } catch (const sql::SQLException& e) {
      status = FromSqlException(e, absl::StrCat("migrating ", options.database));
    }
    ReleaseMigrationLock(*connection, holder);
    return status;
  } catch (const sql::SQLException& e) {
    connection->MarkBroken();
    return FromSqlException(e, absl::StrCat("migrating ", options.database));
  }
}

}  // namespace

absl::Status ApplyMigrations(const DatabaseOptions& options, const std::vector<Migration>& migrations) {
  // On a Galera cluster the DDL of a replica migrating through another node is applied in
  // total order and may abort a statement here (1213): the attempt starts again, and finds
  // what the other replica did.
  absl::Status status;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    status = MigrateOnce(options, migrations);
    if (status.ok() || !IsRetryable(status)) return status;
    spdlog::warn("event=migration_retry database={} attempt={} error=\"{}\"", options.database, attempt,
                 status.ToString());
    absl::SleepFor(absl::Milliseconds(100 * attempt));
  }
  return status;
}

}  // namespace ladder::db
