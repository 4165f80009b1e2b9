#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/db/database_options.h"

namespace ladder::db {

// One numbered schema change of a service, compiled into its binary from
// services/<service>/migrations/NNNN_name.sql (see cmake/LadderEmbed.cmake).
struct Migration {
  int version;
  const char* name;
  // Statements separated by ';' at the end of a line.
  const char* sql;
};

// Brings the service's database up to date: creates the database if missing, then applies
// each migration not yet recorded in `schema_migrations`, in version order, recording
// each with a checksum. Safe to run twice and from several replicas at once, through one
// server or different nodes of a Galera cluster (a lock row serialises them). A recorded migration whose text has since
// changed is an error, since the schema would no longer match the files. Also creates the infrastructure tables that
// common/ relies on (request_log, for idempotent retries).
absl::Status ApplyMigrations(const DatabaseOptions& options, const std::vector<Migration>& migrations);

}  // namespace ladder::db
