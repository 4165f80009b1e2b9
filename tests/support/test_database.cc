#include "tests/support/test_database.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/db/connection_pool.h"
#include "common/db/sql_error.h"
#include "common/status/macros.h"
#include "cppconn/exception.h"
#include "cppconn/resultset.h"

namespace ladder::testing {
namespace {

absl::StatusOr<std::unique_ptr<db::Connection>> Open(const db::DatabaseOptions& options, bool use_database) {
  return db::Connection::Open(options, use_database);
}

}  // namespace

absl::StatusOr<db::DatabaseOptions> TestServerOptions() {
  const char* socket = std::getenv("LADDER_TEST_MYSQL_SOCKET");
  if (socket == nullptr || *socket == '\0') {
    return absl::FailedPreconditionError(
        "LADDER_TEST_MYSQL_SOCKET is not set: run the tests with scripts/test.sh, which "
        "starts the test database");
  }
  db::DatabaseOptions options;
  options.socket = socket;
  const char* user = std::getenv("LADDER_TEST_MYSQL_USER");
  const char* password = std::getenv("LADDER_TEST_MYSQL_PASSWORD");
  options.user = user != nullptr ? user : "ladder";
  options.password = password != nullptr ? password : "ladder";
  options.database = "ladder_test";
  return options;
}

absl::StatusOr<std::unique_ptr<ScratchDatabase>> ScratchDatabase::Create(const std::string& prefix,
                                                                         const std::vector<db::Migration>& migrations) {
  LADDER_ASSIGN_OR_RETURN(db::DatabaseOptions options, TestServerOptions());
  // The "ladder_" prefix is what the test user is granted.
  options.database = absl::StrCat("ladder_t_", prefix, "_", getpid());
  {
    LADDER_ASSIGN_OR_RETURN(auto connection, Open(options, false));
    try {
      connection->Execute(absl::StrCat("DROP DATABASE IF EXISTS `", options.database, "`"));
    } catch (const sql::SQLException& e) {
      return db::FromSqlException(e, "dropping a leftover test database");
    }
  }
  LADDER_RETURN_IF_ERROR(db::ApplyMigrations(options, migrations));
  return std::unique_ptr<ScratchDatabase>(new ScratchDatabase(std::move(options)));
}

ScratchDatabase::~ScratchDatabase() {
  if (std::getenv("LADDER_TEST_KEEP_DATABASES") != nullptr) return;
  absl::StatusOr<std::unique_ptr<db::Connection>> connection = Open(options_, false);
  if (!connection.ok()) return;
  try {
    (*connection)->Execute(absl::StrCat("DROP DATABASE IF EXISTS `", options_.database, "`"));
  } catch (const sql::SQLException&) {
    // Best effort: the test database is wiped on the next run anyway.
  }
}

absl::Status ScratchDatabase::Execute(const std::string& sql) const {
  LADDER_ASSIGN_OR_RETURN(auto connection, Open(options_, true));
  try {
    connection->Execute(sql);
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return db::FromSqlException(e, sql);
  }
}

absl::StatusOr<int64_t> ScratchDatabase::QueryInt(const std::string& sql) const {
  LADDER_ASSIGN_OR_RETURN(auto connection, Open(options_, true));
  try {
    std::unique_ptr<sql::ResultSet> rows(connection->Prepare(sql).executeQuery());
    if (!rows->next()) return absl::NotFoundError(absl::StrCat("no row from: ", sql));
    return rows->getInt64(1);
  } catch (const sql::SQLException& e) {
    return db::FromSqlException(e, sql);
  }
}

std::string CommonMigrationsSql() {
  std::stringstream sql;
  for (const char* file : {"common/db/migrations/audit_trail.sql", "common/db/migrations/audit_on_behalf_of.sql",
                           "common/db/migrations/request_log_per_caller.sql", "common/db/migrations/audit_sealing.sql",
                           "common/db/migrations/audit_trace_id.sql", "common/db/migrations/transaction_witnesses.sql",
                           "common/db/migrations/change_feed.sql"}) {
    std::ifstream in(file);
    sql << in.rdbuf() << "\n";
  }
  return sql.str();
}

}  // namespace ladder::testing
