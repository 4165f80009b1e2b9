#include "common/db/migration.h"

#include <map>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/db/connection_pool.h"
#include "common/db/sql_error.h"
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

absl::Status Apply(Connection& connection, const std::vector<Migration>& migrations,
                   absl::string_view database) {
  for (const std::string& statement : SplitSqlStatements(kInfrastructureSql)) {
    connection.Execute(statement);
  }
  std::map<int, std::string> applied;
  {
    std::unique_ptr<sql::ResultSet> rows(
        connection.Prepare("SELECT version, checksum FROM schema_migrations").executeQuery());
    while (rows->next()) applied[rows->getInt(1)] = rows->getString(2);
  }
  int last_version = 0;
  for (const Migration& migration : migrations) {
    if (migration.version <= last_version) {
      return absl::InternalError(absl::StrCat("migration versions must increase: ",
                                              migration.version, " after ", last_version));
    }
    last_version = migration.version;
    const std::string checksum = StableHashHex(migration.sql);
    if (auto it = applied.find(migration.version); it != applied.end()) {
      if (it->second != checksum) {
        return absl::FailedPreconditionError(absl::StrCat(
            "migration ", migration.version, "_", migration.name, " of ", database,
            " was changed after it was applied; add a new migration instead"));
      }
      continue;
    }
    spdlog::info("event=migration_apply database={} version={} name={}", std::string(database),
                 migration.version, migration.name);
    for (const std::string& statement : SplitSqlStatements(migration.sql)) {
      connection.Execute(statement);
    }
    sql::PreparedStatement& record = connection.Prepare(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
        "VALUES (?, ?, ?, UTC_TIMESTAMP(6))");
    record.setInt(1, migration.version);
    record.setString(2, migration.name);
    record.setString(3, checksum);
    record.executeUpdate();
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> SplitSqlStatements(absl::string_view sql) {
  std::vector<std::string> statements;
  std::string current;
  for (absl::string_view line : absl::StrSplit(sql, '\n')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || absl::StartsWith(trimmed, "--")) continue;
    // Trailing blanks (and the \r of a CRLF file) go, so a ';' ending the line is last.
    absl::StrAppend(&current, current.empty() ? "" : "\n", absl::StripTrailingAsciiWhitespace(line));
    if (absl::EndsWith(trimmed, ";")) {
      current.pop_back();
      while (!current.empty() && absl::ascii_isspace(current.back())) current.pop_back();
      if (!current.empty()) statements.push_back(std::move(current));
      current.clear();
    }
  }
  if (!absl::StripAsciiWhitespace(current).empty()) statements.push_back(current);
  return statements;
}

absl::Status ApplyMigrations(const DatabaseOptions& options,
                             const std::vector<Migration>& migrations) {
  LADDER_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection,
                          Connection::Open(options, /*use_database=*/false));
  const std::string database = QuoteIdentifier(options.database);
  try {
    connection->Execute(absl::StrCat("CREATE DATABASE IF NOT EXISTS ", database,
                                     " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"));
    connection->Execute(absl::StrCat("USE ", database));
    // One migrator at a time per database, across replicas.
    {
      sql::PreparedStatement& lock = connection->Prepare("SELECT GET_LOCK(?, 60)");
      lock.setString(1, absl::StrCat("ladder_migrations.", options.database));
      std::unique_ptr<sql::ResultSet> rows(lock.executeQuery());
      if (!rows->next() || rows->getInt(1) != 1) {
        return absl::UnavailableError("another migration of this database holds the lock");
      }
    }
    absl::Status status = Apply(*connection, migrations, options.database);
    sql::PreparedStatement& unlock = connection->Prepare("SELECT RELEASE_LOCK(?)");
    unlock.setString(1, absl::StrCat("ladder_migrations.", options.database));
    std::unique_ptr<sql::ResultSet>(unlock.executeQuery());
    return status;
  } catch (const sql::SQLException& e) {
    connection->MarkBroken();
    return FromSqlException(e, absl::StrCat("migrating ", options.database));
  }
}

}  // namespace ladder::db
