// careerpath_server: eligibility, cases and their workflow, the waitlist, distribution
// reports. See proto/ladder/careerpath/v1/careerpath_service.proto.

#include <cstdlib>
#include <memory>

#include "absl/flags/flag.h"
#include "common/db/connection_pool.h"
#include "common/db/migration.h"
#include "common/policy/policy_set.h"
#include "common/server/flags.h"
#include "common/server/logging.h"
#include "common/server/server_runner.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/careerpath/careerpath_service.h"
#include "services/careerpath/migrations.h"
#include "services/careerpath/mysql_case_store.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, personnel, "127.0.0.1:50051",
          "address of the personnel service [LADDER_PERSONNEL_ADDRESS]");
ABSL_FLAG(std::string, evaluation, "127.0.0.1:50052",
          "address of the evaluation service [LADDER_EVALUATION_ADDRESS]");

namespace {

int Fail(const absl::Status& status, const char* what) {
  spdlog::critical("event=startup_failed step={} error=\"{}\"", what, status.ToString());
  return EXIT_FAILURE;
}

// Calls spread over every address the name resolves to (a headless Service in Kubernetes).
std::shared_ptr<grpc::Channel> BalancedChannel(const std::string& target) {
  grpc::ChannelArguments arguments;
  arguments.SetLoadBalancingPolicyName("round_robin");
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), arguments);
}

}  // namespace

int main(int argc, char** argv) {
  ladder::server::BlockShutdownSignals();
  ladder::server::ParseFlags(argc, argv,
                             "careerpath_server: Ladder's career-path service (gRPC).\n"
                             "Flags can also be set with LADDER_* environment variables.",
                             {{"LADDER_PERSONNEL_ADDRESS", "personnel"},
                              {"LADDER_EVALUATION_ADDRESS", "evaluation"}});
  ladder::server::InitLogging("careerpath", absl::GetFlag(FLAGS_log_level));

  absl::StatusOr<ladder::policy::PolicySet> policies =
      ladder::policy::PolicySet::LoadFromDirectory(absl::GetFlag(FLAGS_policy_dir));
  if (!policies.ok()) return Fail(policies.status(), "load_policy");
  absl::StatusOr<ladder::db::DatabaseOptions> database =
      ladder::db::ParseDatabaseUrl(absl::GetFlag(FLAGS_database));
  if (!database.ok()) return Fail(database.status(), "parse_database_url");
  if (const char* password = ladder::server::DatabasePasswordFromEnvironment()) {
    database->password = password;
  }
  spdlog::info("event=starting database={} personnel={} evaluation={}",
               ladder::db::RedactedUrl(*database), absl::GetFlag(FLAGS_personnel),
               absl::GetFlag(FLAGS_evaluation));

  if (absl::GetFlag(FLAGS_migrate) || absl::GetFlag(FLAGS_migrate_only)) {
    absl::Status migrated = ladder::db::ApplyMigrations(*database, ladder::careerpath::Migrations());
    if (!migrated.ok()) return Fail(migrated, "migrate");
    if (absl::GetFlag(FLAGS_migrate_only)) {
      spdlog::info("event=migrations_applied exiting=true");
      return EXIT_SUCCESS;
    }
  }

  ladder::db::ConnectionPool pool(*database);
  ladder::careerpath::MySqlCaseStore store(&pool);
  auto personnel = ladder::careerpath::MakeGrpcPersonnelGateway(
      BalancedChannel(absl::GetFlag(FLAGS_personnel)), absl::Seconds(10));
  auto evaluation = ladder::careerpath::MakeGrpcEvaluationGateway(
      BalancedChannel(absl::GetFlag(FLAGS_evaluation)), absl::Seconds(10));
  ladder::careerpath::CareerPathServiceImpl service(&store, personnel.get(), evaluation.get(),
                                                    &*policies);

  ladder::server::ServerConfig config;
  config.service_name = "careerpath";
  config.listen = absl::GetFlag(FLAGS_listen);
  config.health_service_names = {"ladder.careerpath.v1.CareerPathService"};
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  config.health_interval = absl::GetFlag(FLAGS_health_interval);
  absl::StatusOr<ladder::server::StartedServer> started =
      ladder::server::StartServer(config, {&service});
  if (!started.ok()) return Fail(started.status(), "listen");
  spdlog::info("event=serving address={} port={}", config.listen, started->port);
  ladder::server::RunUntilSignalled(config, *started->server, [&] { return store.Ping(); });
  return EXIT_SUCCESS;
}
