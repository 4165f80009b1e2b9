#pragma once

// The main() of every Ladder server, once: flags and environment, logs, the policy files,
// the database URL, migrations (or --migrate_only), the connection pool, then the service a
// server supplies, served over TLS with every caller verified, with health, reflection and
// graceful shutdown.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/authenticator.h"
#include "common/db/connection_pool.h"
#include "common/db/migration.h"
#include "common/policy/policy_set.h"
#include "grpcpp/impl/service_type.h"
#include "grpcpp/security/credentials.h"

namespace ladder::server {

// A wired service and what it needs kept alive (stores, clients of other services).
class RunningService {
 public:
  virtual ~RunningService() = default;
  virtual grpc::Service* service() = 0;
  // Served beside it (careerpath's google.longrunning.Operations).
  virtual std::vector<grpc::Service*> more_services() { return {}; }
  // OK while the service can serve; probed for grpc.health.v1 readiness.
  virtual absl::Status Ready() = 0;
  // Reads what the service's domain gauges show (counties, cases) from the database; runs
  // every --metrics_refresh_interval on a thread of its own while metrics are served, so a
  // scrape costs no query.
  virtual void RefreshMetrics() {}
};

// What ServiceMain hands a service to wire itself with.
struct ServiceEnvironment {
  db::ConnectionPool& pool;
  const policy::PolicySet& policies;
  // Verifies callers; the service's access policy asks it who is calling.
  std::shared_ptr<auth::Authenticator> authenticator;
  // For channels to other Ladder services: mutual TLS with this service's certificate.
  std::shared_ptr<grpc::ChannelCredentials> upstream_credentials;
};

struct ServiceSpec {
  // Short name for logs, e.g. "personnel".
  std::string name;
  std::string usage;
  // The grpc.health.v1 name that follows readiness, e.g. "ladder.personnel.v1.PersonnelService".
  std::string health_service;
  const std::vector<db::Migration>* migrations = nullptr;
  // Environment variables of the server's own flags: {"LADDER_PERSONNEL_ADDRESS", "personnel"}.
  std::vector<std::pair<const char*, const char*>> extra_environment;
  // Wires the service once flags are parsed and the database is migrated.
  std::function<absl::StatusOr<std::unique_ptr<RunningService>>(const ServiceEnvironment& environment)> build;
};

// Runs the server until SIGTERM or SIGINT; returns the process exit code.
int ServiceMain(int argc, char** argv, const ServiceSpec& spec);

}  // namespace ladder::server
