#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ladder::db {

// Where and how to reach a service's MySQL-compatible database.
struct DatabaseOptions {
  std::string host = "localhost";
  int port = 3306;
  // A unix socket; when set, host and port are not used.
  std::string socket;
  std::string user;
  std::string password;
  // The service's own schema, e.g. "ladder_personnel".
  std::string database;
  // Connections kept at most; calls wait for one when all are busy.
  int pool_size = 16;
  // How long a call waits for a free connection before UNAVAILABLE.
  absl::Duration acquire_timeout = absl::Seconds(5);
  // Bounds on one network operation, so a dead or frozen server fails calls fast. The
  // read bound is above statement_timeout, so a slow statement is stopped by the server
  // (cleanly, the session kept) before the client gives up on the session.
  absl::Duration connect_timeout = absl::Seconds(3);
  absl::Duration io_timeout = absl::Seconds(12);
  // The longest a statement may run on the server (MariaDB max_statement_time; on MySQL,
  // max_execution_time, which bounds reads only).
  absl::Duration statement_timeout = absl::Seconds(10);
  // The longest a statement waits for a row lock (innodb_lock_wait_timeout, whole seconds);
  // a lock held by a session whose client vanished is waited for this long, not 50 s.
  absl::Duration lock_wait_timeout = absl::Seconds(5);
};

// Parses "mysql://user:password@host:port/database?socket=/path&pool_size=16".
// User and password may be percent-encoded. Query options: socket, pool_size,
// connect_timeout_s, io_timeout_s, acquire_timeout_ms, statement_timeout_ms,
// lock_wait_timeout_s.
absl::StatusOr<DatabaseOptions> ParseDatabaseUrl(absl::string_view url);

// The URL without the password, for logs.
std::string RedactedUrl(const DatabaseOptions& options);

}  // namespace ladder::db
