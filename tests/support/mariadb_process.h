#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/database_options.h"

namespace ladder::testing {

// A MariaDB server owned by one test, for tests that must stop and start the database
// (outages). Listens on a unix socket only. The data directory survives a stop, so a
// restart brings the same data back, as after a real crash.
class MariaDbProcess final {
 public:
  // Initialises `directory` if needed and starts the server; waits until it answers.
  static absl::StatusOr<std::unique_ptr<MariaDbProcess>> Start(const std::string& directory);
  ~MariaDbProcess();

  // Kills the server at once (SIGKILL), as a crash or a lost host would.
  absl::Status Kill();
  // Stops the server without ending it (SIGSTOP), as a hung host or a full disk would:
  // connections stay open and nothing answers. Thaw() lets it go on (SIGCONT).
  absl::Status Freeze();
  absl::Status Thaw();
  // Starts it again on the same data; waits until it answers.
  absl::Status Restart();

  // Options to reach `database` on this server as its administrator.
  db::DatabaseOptions Options(const std::string& database) const;

 private:
  explicit MariaDbProcess(std::string directory) : directory_(std::move(directory)) {}
  absl::Status Launch();

  std::string directory_;
  pid_t pid_ = -1;
  bool frozen_ = false;
};

}  // namespace ladder::testing
