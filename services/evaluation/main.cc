// evaluation_server: scorecards, cycles, scores, quality inspection, rankings and entry
// assessments. See proto/ladder/evaluation/v1/evaluation_service.proto.

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
#include "services/evaluation/evaluation_service.h"
#include "services/evaluation/migrations.h"
#include "services/evaluation/mysql_evaluation_store.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, personnel, "127.0.0.1:50051",
          "address of the personnel service [LADDER_PERSONNEL_ADDRESS]");

namespace {

int Fail(const absl::Status& status, const char* what) {
  spdlog::critical("event=startup_failed step={} error=\"{}\"", what, status.ToString());
  return EXIT_FAILURE;
}

}  // namespace

int main(int argc, char** argv) {
  ladder::server::BlockShutdownSignals();
  ladder::server::ParseFlags(argc, argv,
                             "evaluation_server: Ladder's evaluation service (gRPC).\n"
                             "Flags can also be set with LADDER_* environment variables.",
                             {{"LADDER_PERSONNEL_ADDRESS", "personnel"}});
  ladder::server::InitLogging("evaluation", absl::GetFlag(FLAGS_log_level));

  absl::StatusOr<ladder::policy::PolicySet> policies =
      ladder::policy::PolicySet::LoadFromDirectory(absl::GetFlag(FLAGS_policy_dir));
  if (!policies.ok()) return Fail(policies.status(), "load_policy");
  absl::StatusOr<ladder::db::DatabaseOptions> database =
      ladder::db::ParseDatabaseUrl(absl::GetFlag(FLAGS_database));
  if (!database.ok()) return Fail(database.status(), "parse_database_url");
  if (const char* password = ladder::server::DatabasePasswordFromEnvironment()) {
    database->password = password;
  }
  spdlog::info("event=starting database={} personnel={}", ladder::db::RedactedUrl(*database),
               absl::GetFlag(FLAGS_personnel));

  if (absl::GetFlag(FLAGS_migrate) || absl::GetFlag(FLAGS_migrate_only)) {
    absl::Status migrated =
        ladder::db::ApplyMigrations(*database, ladder::evaluation::Migrations());
    if (!migrated.ok()) return Fail(migrated, "migrate");
    if (absl::GetFlag(FLAGS_migrate_only)) {
      spdlog::info("event=migrations_applied exiting=true");
      return EXIT_SUCCESS;
    }
  }

  ladder::db::ConnectionPool pool(*database);
  ladder::evaluation::MySqlEvaluationStore store(&pool);
  // Calls spread over every address the name resolves to (a headless Service in Kubernetes).
  grpc::ChannelArguments arguments;
  arguments.SetLoadBalancingPolicyName("round_robin");
  auto personnel = ladder::evaluation::MakeGrpcPersonnelDirectory(grpc::CreateCustomChannel(
      absl::GetFlag(FLAGS_personnel), grpc::InsecureChannelCredentials(), arguments));
  ladder::evaluation::EvaluationServiceImpl service(&store, personnel.get(), &*policies);

  ladder::server::ServerConfig config;
  config.service_name = "evaluation";
  config.listen = absl::GetFlag(FLAGS_listen);
  config.health_service_names = {"ladder.evaluation.v1.EvaluationService"};
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  config.health_interval = absl::GetFlag(FLAGS_health_interval);
  absl::StatusOr<ladder::server::StartedServer> started =
      ladder::server::StartServer(config, {&service});
  if (!started.ok()) return Fail(started.status(), "listen");
  spdlog::info("event=serving address={} port={}", config.listen, started->port);
  // Health follows the service's own database; personnel being down fails only the calls
  // that need it (UNAVAILABLE), so rankings and history keep being served.
  ladder::server::RunUntilSignalled(config, *started->server, [&] { return store.Ping(); });
  return EXIT_SUCCESS;
}
