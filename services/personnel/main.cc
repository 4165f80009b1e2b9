// personnel_server: the system of record for the organisation, its people and their levels.
// See proto/ladder/personnel/v1/personnel_service.proto and README.md for the flags.

#include <memory>

#include "common/server/service_main.h"
#include "services/personnel/access_policy.h"
#include "services/personnel/migrations.h"
#include "services/personnel/mysql_personnel_store.h"
#include "services/personnel/personnel_service.h"

namespace {

class Personnel final : public ladder::server::RunningService {
 public:
  explicit Personnel(const ladder::server::ServiceEnvironment& environment)
      : store_(&environment.pool),
        handlers_(&store_, &environment.policies),
        service_(&handlers_, &store_, environment.authenticator, &environment.pool) {}
  grpc::Service* service() override { return &service_; }
  absl::Status Ready() override { return store_.Ping(); }

 private:
  ladder::personnel::MySqlPersonnelStore store_;
  ladder::personnel::PersonnelServiceImpl handlers_;
  ladder::personnel::PersonnelAccessPolicy service_;
};

}  // namespace

int main(int argc, char** argv) {
  ladder::server::ServiceSpec spec;
  spec.name = "personnel";
  spec.usage =
      "personnel_server: Ladder's personnel service (gRPC).\n"
      "Flags can also be set with LADDER_* environment variables.";
  spec.health_service = "ladder.personnel.v1.PersonnelService";
  spec.migrations = &ladder::personnel::Migrations();
  spec.build = [](const ladder::server::ServiceEnvironment& environment)
      -> absl::StatusOr<std::unique_ptr<ladder::server::RunningService>> {
    return std::make_unique<Personnel>(environment);
  };
  return ladder::server::ServiceMain(argc, argv, spec);
}
