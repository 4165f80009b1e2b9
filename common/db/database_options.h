#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
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
  // Bounds on one network operation, so a dead server fails calls fast.
  absl::Duration connect_timeout = absl::Seconds(3);
  absl::Duration io_timeout = absl::Seconds(30);
};

// Parses "mysql://user:password@host:port/database?socket=/path&pool_size=16".
// User and password may be percent-encoded. Query options: socket, pool_size,
// connect_timeout_s, io_timeout_s, acquire_timeout_ms.
absl::StatusOr<DatabaseOptions> ParseDatabaseUrl(absl::string_view url);

// The URL without the password, for logs.
std::string RedactedUrl(const DatabaseOptions& options);

}  // namespace ladder::db
