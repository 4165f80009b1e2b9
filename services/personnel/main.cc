// personnel_server: the system of record for the organisation, its people and their levels.
// See docs/ and proto/ladder/personnel/v1/personnel_service.proto.

#include <cstdlib>
#include <memory>

#include "absl/flags/flag.h"
#include "common/db/connection_pool.h"
#include "common/db/migration.h"
#include "common/policy/policy_set.h"
#include "common/server/flags.h"
#include "common/server/logging.h"
#include "common/server/server_runner.h"
#include "services/personnel/migrations.h"
#include "services/personnel/mysql_personnel_store.h"
#include "services/personnel/personnel_service.h"
#include "spdlog/spdlog.h"

namespace {

int Fail(const absl::Status& status, const char* what) {
  spdlog::critical("event=startup_failed step={} error=\"{}\"", what, status.ToString());
  return EXIT_FAILURE;
}

}  // namespace

int main(int argc, char** argv) {
  ladder::server::BlockShutdownSignals();
  ladder::server::ParseFlags(argc, argv,
                             "personnel_server: Ladder's personnel service (gRPC).\n"
                             "Flags can also be set with LADDER_* environment variables.");
  ladder::server::InitLogging("personnel", absl::GetFlag(FLAGS_log_level));

  absl::StatusOr<ladder::policy::PolicySet> policies =
      ladder::policy::PolicySet::LoadFromDirectory(absl::GetFlag(FLAGS_policy_dir));
  if (!policies.ok()) return Fail(policies.status(), "load_policy");

  absl::StatusOr<ladder::db::DatabaseOptions> database =
      ladder::db::ParseDatabaseUrl(absl::GetFlag(FLAGS_database));
  if (!database.ok()) return Fail(database.status(), "parse_database_url");
  if (const char* password = ladder::server::DatabasePasswordFromEnvironment()) {
    database->password = password;
  }
  spdlog::info("event=starting database={} policy_versions={}", ladder::db::RedactedUrl(*database),
               policies->versions().size());

  if (absl::GetFlag(FLAGS_migrate) || absl::GetFlag(FLAGS_migrate_only)) {
    absl::Status migrated =
        ladder::db::ApplyMigrations(*database, ladder::personnel::Migrations());
    if (!migrated.ok()) return Fail(migrated, "migrate");
    if (absl::GetFlag(FLAGS_migrate_only)) {
      spdlog::info("event=migrations_applied exiting=true");
      return EXIT_SUCCESS;
    }
  }

  ladder::db::ConnectionPool pool(*database);
  ladder::personnel::MySqlPersonnelStore store(&pool);
  ladder::personnel::PersonnelServiceImpl service(&store, &*policies);

  ladder::server::ServerConfig config;
  config.service_name = "personnel";
  config.listen = absl::GetFlag(FLAGS_listen);
  config.health_service_names = {"ladder.personnel.v1.PersonnelService"};
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  config.health_interval = absl::GetFlag(FLAGS_health_interval);
  absl::StatusOr<ladder::server::StartedServer> started =
      ladder::server::StartServer(config, {&service});
  if (!started.ok()) return Fail(started.status(), "listen");
  spdlog::info("event=serving address={} port={}", config.listen, started->port);
  ladder::server::RunUntilSignalled(config, *started->server, [&] { return store.Ping(); });
  return EXIT_SUCCESS;
}
