#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/database_options.h"
#include "common/db/migration.h"

namespace ladder::testing {

// The MariaDB server that scripts/test.sh starts, from LADDER_TEST_MYSQL_SOCKET,
// LADDER_TEST_MYSQL_USER and LADDER_TEST_MYSQL_PASSWORD. Fails (never skips) when they are
// missing, so a test run without its database cannot pass by accident.
absl::StatusOr<db::DatabaseOptions> TestServerOptions();

// The migrations every service carries from common/db/migrations/ (the audit trail, request
// ids per caller), read from the repository root like every test, in their order: for tests
// of the db layer on a schema of their own.
std::string CommonMigrationsSql();

// A fresh database of its own on the test server, migrated, dropped when destroyed. Each
// test binary makes its own, so binaries run in parallel without sharing rows.
class ScratchDatabase final {
 public:
  static absl::StatusOr<std::unique_ptr<ScratchDatabase>> Create(const std::string& prefix,
                                                                 const std::vector<db::Migration>& migrations);
  ~ScratchDatabase();

  const db::DatabaseOptions& options() const { return options_; }

  // Runs a statement outside the service, for test set-up and inspection.
  absl::Status Execute(const std::string& sql) const;
  // The first column of the first row of `sql`, as an integer.
  absl::StatusOr<int64_t> QueryInt(const std::string& sql) const;

 private:
  explicit ScratchDatabase(db::DatabaseOptions options) : options_(std::move(options)) {}
  db::DatabaseOptions options_;
};

}  // namespace ladder::testing
