#pragma once

// The real server binaries, run as processes of their own so that what is measured of them
// (resident memory, CPU placement) is theirs and not the benchmark's.

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/database_options.h"
#include "grpcpp/security/credentials.h"

namespace ladder::bench {

struct ServerSpec {
  std::string name;                                // for messages and the log file name
  std::string binary;                              // path of the executable
  std::vector<std::string> args;                   // besides --listen, which Start adds
  std::map<std::string, std::string> environment;  // added to the benchmark's own
  std::string health_service;                      // the grpc.health.v1 name that turns SERVING when ready
  // How the readiness probe calls the server (CallerCredentials): health answers verified
  // callers only.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  int cpu = -1;          // pinned to this CPU (as `taskset -c cpu` would); -1: not pinned
  std::string log_path;  // stdout and stderr go here
};

class ServerProcess final {
 public:
  // Starts the server on a free loopback port and waits until `health_service` is SERVING.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(const ServerSpec& spec,
                                                              absl::Duration timeout = absl::Seconds(60));
  // SIGTERM, then SIGKILL if it has not exited within a few seconds.
  ~ServerProcess();

  // SIGKILL at once, as a crash or an OOM kill would end it: no shutdown of any kind.
  void Kill();

  const std::string& name() const { return name_; }
  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }

  // Resident set size (VmRSS) and its peak (VmHWM), in KiB; -1 if unreadable.
  int64_t RssKib() const;
  int64_t PeakRssKib() const;
  // Threads of the process now; -1 if unreadable.
  int64_t Threads() const;

 private:
  ServerProcess() = default;
  std::string name_;
  std::string address_;
  pid_t pid_ = -1;
};

// How the benchmark programs run a Ladder server: as production runs it (TLS with the PKI's
// certificate, tokens verified), on its scratch database, with its log in `log_dir`.
struct LadderServerSetup {
  std::string build_dir;
  std::string pki_dir;
  std::string policy_dir = "config/policy";
  std::string log_dir;
  int cpu = -1;
  // How the readiness probe calls (the benchmark's own caller credentials).
  std::shared_ptr<grpc::ChannelCredentials> credentials;
};

// The URL a server is given for a scratch database on this machine's MariaDB: its user,
// database and unix socket ("mysql://user@localhost/db?socket=…"); the password goes apart.
std::string LocalDatabaseUrl(const db::DatabaseOptions& options);

// Starts `binary` (relative to the build directory), e.g. "services/careerpath/careerpath_server",
// with `args` besides the common ones; `certificate` is the PKI certificate it serves (default:
// `name`'s); `database` (may be null) is "mysql://user@localhost/db?socket=…" and its password.
absl::StatusOr<std::unique_ptr<ServerProcess>> StartLadderServer(
    const LadderServerSetup& setup, const std::string& name, const std::string& binary,
    const std::string& health_service, const std::string& database_url, const std::string& database_password,
    std::vector<std::string> args, const std::string& certificate = "");

// A field of /proc/PID/status in KiB ("VmRSS"), or -1.
int64_t ProcStatusKib(pid_t pid, const std::string& field);

// Resets the process's peak resident size (VmHWM) to its current one, so that the peak of a
// stretch of work can be read after it; false if the kernel refuses.
bool ResetPeakRss(pid_t pid);

}  // namespace ladder::bench
