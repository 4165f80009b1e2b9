#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/auth/authenticator.h"
#include "common/server/caller_limits.h"
#include "common/server/transport_security.h"
#include "grpcpp/server.h"

namespace ladder::server {

struct ServerConfig {
  // Short name for logs, e.g. "personnel".
  std::string service_name;
  // address:port; port 0 picks a free one (tests).
  std::string listen;
  // Fully-qualified gRPC service names reported by grpc.health.v1, besides "" (overall).
  std::vector<std::string> health_service_names;
  absl::Duration shutdown_grace = absl::Seconds(20);
  absl::Duration health_interval = absl::Seconds(2);
  // A readiness probe that has not answered after this counts as failed (a frozen database
  // never answers): NOT_SERVING within health_interval + health_timeout of the freeze.
  absl::Duration health_timeout = absl::Seconds(2);
  // After this a connection is closed gracefully and the client reconnects, resolving the
  // server's name again (see BalancedChannel).
  absl::Duration max_connection_age = absl::Minutes(5);
  // TLS (or, in development only, plaintext) and who verifies callers. Without an
  // authenticator nothing can be called.
  TransportSecurity transport;
  std::shared_ptr<auth::Authenticator> authenticator;
  // Larger requests are refused (RESOURCE_EXHAUSTED) before they are parsed.
  int max_receive_message_bytes = 4 << 20;
  // Bounds on the server as a whole. Every call in progress holds a thread of the sync
  // server; beyond max_threads a new call is answered RESOURCE_EXHAUSTED at once by gRPC.
  int max_threads = 200;
  // HTTP/2 streams one connection may have open (SETTINGS_MAX_CONCURRENT_STREAMS).
  int max_concurrent_streams = 64;
  // gRPC's memory quota for the server's buffers; under pressure it shrinks flow-control
  // windows and closes idle connections.
  int64_t memory_quota_bytes = int64_t{512} << 20;
  // Per caller (caller_limits.h).
  CallerLimitOptions caller_limits;
  // A client stream must send its first message within this.
  absl::Duration stream_first_message_timeout = absl::Seconds(10);
};

// Call first in main(): blocks SIGTERM and SIGINT in every thread created afterwards, so
// RunUntilSignalled() alone receives them.
void BlockShutdownSignals();

// Call first in main() of a server: turns off Abseil's Mutex deadlock detection. Debian's
// Abseil is built with assertions, which leaves it on: every lock and unlock then updates
// one process-wide lock-order graph under one process-wide lock, a point where all of a
// server's threads meet (about 4% of personnel's CPU in GetEmployee, more under contention).
// The tests keep it on, and check the lock order there.
void TurnOffMutexDeadlockDetection();

// A built, started server with the suite's standard parts: the access-log interceptor,
// grpc.health.v1 and server reflection.
struct StartedServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};
absl::StatusOr<StartedServer> StartServer(const ServerConfig& config, const std::vector<grpc::Service*>& services);

// Probes `readiness` every interval on a thread of its own (a probe that takes longer than
// health_timeout counts as failed, noticed from a second thread) and reports SERVING or
// NOT_SERVING for the configured service names through grpc.health.v1 (the readiness
// signal), logging each change; the server as a whole ("", the liveness signal) stays
// SERVING until shutdown. Stops when destroyed.
class HealthMonitor final {
 public:
  HealthMonitor(const ServerConfig& config, grpc::Server& server, std::function<absl::Status()> readiness);
  ~HealthMonitor();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

 private:
  void Probe();
  void Watch();
  void Report(const absl::Status& status);

  const ServerConfig config_;
  grpc::Server& server_;
  const std::function<absl::Status()> readiness_;
  absl::Notification stopping_;
  absl::Mutex mu_;
  // When the probe running now started; InfiniteFuture() between probes.
  absl::Time probe_started_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  bool reported_ ABSL_GUARDED_BY(mu_) = false;
  // The probe runs on one thread, the watch on another: a probe stuck on a frozen
  // database is noticed without waiting for it.
  std::thread probe_thread_;
  std::thread watch_thread_;
};

// Serves until SIGTERM or SIGINT. Meanwhile probes `readiness` every health_interval and
// reports SERVING or NOT_SERVING. On the signal: NOT_SERVING (so load balancers stop
// sending), then Shutdown with the grace period, then returns.
// `before_shutdown` runs first (ending the services' streams).
void RunUntilSignalled(const ServerConfig& config, grpc::Server& server, const std::function<absl::Status()>& readiness,
                       const std::function<void()>& before_shutdown = nullptr);

}  // namespace ladder::server
