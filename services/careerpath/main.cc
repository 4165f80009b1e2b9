// careerpath_server: eligibility, cases and their workflow, the waitlist, distribution
// reports. See proto/ladder/careerpath/v1/careerpath_service.proto and README.md.

#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "common/server/channels.h"
#include "common/server/service_main.h"
#include "services/careerpath/access_policy.h"
#include "services/careerpath/careerpath_service.h"
#include "services/careerpath/migrations.h"
#include "services/careerpath/mysql_case_store.h"

ABSL_FLAG(std::string, personnel, "127.0.0.1:50051",
          "address of the personnel service [LADDER_PERSONNEL_ADDRESS]");
ABSL_FLAG(std::string, evaluation, "127.0.0.1:50052",
          "address of the evaluation service [LADDER_EVALUATION_ADDRESS]");

namespace {

class CareerPath final : public ladder::server::RunningService {
 public:
  explicit CareerPath(const ladder::server::ServiceEnvironment& environment)
      : store_(&environment.pool),
        personnel_(ladder::careerpath::MakeGrpcPersonnelGateway(
            ladder::server::BalancedChannel(absl::GetFlag(FLAGS_personnel),
                                            environment.upstream_credentials),
            absl::Seconds(10))),
        evaluation_(ladder::careerpath::MakeGrpcEvaluationGateway(
            ladder::server::BalancedChannel(absl::GetFlag(FLAGS_evaluation),
                                            environment.upstream_credentials),
            absl::Seconds(10))),
        handlers_(&store_, personnel_.get(), evaluation_.get(), &environment.policies),
        service_(&handlers_, &store_, personnel_.get(), evaluation_.get(), environment.authenticator,
                 &environment.pool) {}
  grpc::Service* service() override { return &service_; }
  // Readiness follows the service's own database; the services it calls being down fails
  // only the calls that need them (UNAVAILABLE).
  absl::Status Ready() override { return store_.Ping(); }

 private:
  ladder::careerpath::MySqlCaseStore store_;
  std::unique_ptr<ladder::careerpath::PersonnelGateway> personnel_;
  std::unique_ptr<ladder::careerpath::EvaluationGateway> evaluation_;
  ladder::careerpath::CareerPathServiceImpl handlers_;
  ladder::careerpath::CareerPathAccessPolicy service_;
};

}  // namespace

int main(int argc, char** argv) {
  ladder::server::ServiceSpec spec;
  spec.name = "careerpath";
  spec.usage =
      "careerpath_server: Ladder's career-path service (gRPC).\n"
      "Flags can also be set with LADDER_* environment variables.";
  spec.health_service = "ladder.careerpath.v1.CareerPathService";
  spec.migrations = &ladder::careerpath::Migrations();
  spec.extra_environment = {{"LADDER_PERSONNEL_ADDRESS", "personnel"},
                            {"LADDER_EVALUATION_ADDRESS", "evaluation"}};
  spec.build = [](const ladder::server::ServiceEnvironment& environment)
      -> absl::StatusOr<std::unique_ptr<ladder::server::RunningService>> {
    return std::make_unique<CareerPath>(environment);
  };
  return ladder::server::ServiceMain(argc, argv, spec);
}
