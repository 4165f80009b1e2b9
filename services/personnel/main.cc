// personnel_server: the system of record for the organisation, its people and their levels.
// See proto/ladder/personnel/v1/personnel_service.proto and README.md for the flags.

#include <memory>

#include "common/server/service_main.h"
#include "common/time/dates.h"
#include "services/personnel/access_policy.h"
#include "services/personnel/migrations.h"
#include "services/personnel/mysql_personnel_store.h"
#include "services/personnel/personnel_metrics.h"
#include "services/personnel/personnel_service.h"

namespace {

class Personnel final : public ladder::server::RunningService {
 public:
  explicit Personnel(const ladder::server::ServiceEnvironment& environment)
      : policies_(environment.policies),
        store_(&environment.pool),
        handlers_(&store_, &environment.policies),
        service_(&handlers_, &store_, environment.authenticator, &environment.pool) {}
  grpc::Service* service() override { return &service_; }
  absl::Status Ready() override { return store_.Ping(); }
  void RefreshMetrics() override {
    absl::StatusOr<std::vector<ladder::personnel::CountyLevelCounts>> counties = store_.CountyLevelCountsNow();
    const ladder::policy::Policy* policy = policies_.InForceAt(ladder::TodayInBranch());
    if (counties.ok() && policy != nullptr) ladder::personnel::PublishCountyCounts(*counties, *policy);
  }

 private:
  const ladder::policy::PolicySet& policies_;
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
