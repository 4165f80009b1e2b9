#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/auth/authenticator.h"
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
  // After this a connection is closed gracefully and the client reconnects, resolving the
  // server's name again (see BalancedChannel).
  absl::Duration max_connection_age = absl::Minutes(5);
  // TLS (or, in development only, plaintext) and who verifies callers. Without an
  // authenticator nothing can be called.
  TransportSecurity transport;
  std::shared_ptr<auth::Authenticator> authenticator;
  // Larger requests are refused (RESOURCE_EXHAUSTED) before they are parsed.
  int max_receive_message_bytes = 4 << 20;
};

// Call first in main(): blocks SIGTERM and SIGINT in every thread created afterwards, so
// RunUntilSignalled() alone receives them.
void BlockShutdownSignals();

// A built, started server with the suite's standard parts: the access-log interceptor,
// grpc.health.v1 and server reflection.
struct StartedServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};
absl::StatusOr<StartedServer> StartServer(const ServerConfig& config,
                                          const std::vector<grpc::Service*>& services);

// Probes `readiness` every interval on a thread of its own and reports SERVING or
// NOT_SERVING for the configured service names through grpc.health.v1 (the readiness
// signal), logging each change; the server as a whole ("", the liveness signal) stays
// SERVING until shutdown. Stops when destroyed.
class HealthMonitor final {
 public:
  HealthMonitor(const ServerConfig& config, grpc::Server& server,
                std::function<absl::Status()> readiness);
  ~HealthMonitor();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

 private:
  void Run();

  const ServerConfig config_;
  grpc::Server& server_;
  const std::function<absl::Status()> readiness_;
  absl::Notification stopping_;
  std::thread thread_;
};

// Serves until SIGTERM or SIGINT. Meanwhile probes `readiness` every health_interval and
// reports SERVING or NOT_SERVING. On the signal: NOT_SERVING (so load balancers stop
// sending), then Shutdown with the grace period, then returns.
void RunUntilSignalled(const ServerConfig& config, grpc::Server& server,
                       const std::function<absl::Status()>& readiness);

}  // namespace ladder::server
