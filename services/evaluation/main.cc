// evaluation_server: scorecards, cycles, scores, quality inspection, rankings and entry
// assessments. See proto/ladder/evaluation/v1/evaluation_service.proto and README.md.

#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "common/server/channels.h"
#include "common/server/service_main.h"
#include "services/evaluation/access_policy.h"
#include "services/evaluation/evaluation_service.h"
#include "services/evaluation/migrations.h"
#include "services/evaluation/mysql_evaluation_store.h"

ABSL_FLAG(std::string, personnel, "127.0.0.1:50051", "address of the personnel service [LADDER_PERSONNEL_ADDRESS]");

namespace {

class Evaluation final : public ladder::server::RunningService {
 public:
  explicit Evaluation(const ladder::server::ServiceEnvironment& environment)
      : store_(&environment.pool),
        personnel_(ladder::evaluation::MakeGrpcPersonnelDirectory(
            ladder::server::BalancedChannel(absl::GetFlag(FLAGS_personnel), environment.upstream_credentials))),
        handlers_(&store_, personnel_.get(), &environment.policies),
        service_(&handlers_, &store_, personnel_.get(), environment.authenticator, &environment.pool) {}
  grpc::Service* service() override { return &service_; }
  // Readiness follows the service's own database; personnel being down fails only the calls
  // that need it (UNAVAILABLE), so rankings and history keep being served.
  absl::Status Ready() override { return store_.Ping(); }
  void RefreshMetrics() override {
    absl::StatusOr<ladder::evaluation::CycleCounts> counts = store_.CountCycles();
    if (counts.ok()) ladder::evaluation::PublishCycleCounts(*counts);
  }

 private:
  ladder::evaluation::MySqlEvaluationStore store_;
  std::unique_ptr<ladder::evaluation::PersonnelDirectory> personnel_;
  ladder::evaluation::EvaluationServiceImpl handlers_;
  ladder::evaluation::EvaluationAccessPolicy service_;
};

}  // namespace

int main(int argc, char** argv) {
  ladder::server::ServiceSpec spec;
  spec.name = "evaluation";
  spec.usage =
      "evaluation_server: Ladder's evaluation service (gRPC).\n"
      "Flags can also be set with LADDER_* environment variables.";
  spec.health_service = "ladder.evaluation.v1.EvaluationService";
  spec.migrations = &ladder::evaluation::Migrations();
  spec.extra_environment = {{"LADDER_PERSONNEL_ADDRESS", "personnel"}};
  spec.build = [](const ladder::server::ServiceEnvironment& environment)
      -> absl::StatusOr<std::unique_ptr<ladder::server::RunningService>> {
    return std::make_unique<Evaluation>(environment);
  };
  return ladder::server::ServiceMain(argc, argv, spec);
}
