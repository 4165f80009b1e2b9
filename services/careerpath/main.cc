// careerpath_server: eligibility, cases and their workflow, the waitlist, distribution
// reports. See proto/ladder/careerpath/v1/careerpath_service.proto and README.md.

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "common/server/channels.h"
#include "common/server/service_main.h"
#include "services/careerpath/access_policy.h"
#include "services/careerpath/careerpath_service.h"
#include "services/careerpath/migrations.h"
#include "services/careerpath/mysql_case_store.h"
#include "services/careerpath/mysql_review_store.h"
#include "services/careerpath/operations_service.h"
#include "services/careerpath/review_worker.h"

ABSL_FLAG(std::string, personnel, "127.0.0.1:50051", "address of the personnel service [LADDER_PERSONNEL_ADDRESS]");
ABSL_FLAG(std::string, evaluation, "127.0.0.1:50052", "address of the evaluation service [LADDER_EVALUATION_ADDRESS]");
ABSL_FLAG(int, review_batch_size, 500,
          "participants a cycle review reads, judges and commits together [LADDER_REVIEW_BATCH_SIZE]");
ABSL_FLAG(absl::Duration, review_lease, absl::Seconds(30),
          "how long a review stays with a replica after its last batch; a replica that dies "
          "leaves it to another after this [LADDER_REVIEW_LEASE]");

namespace {

ladder::careerpath::ReviewWorkerOptions WorkerOptions() {
  ladder::careerpath::ReviewWorkerOptions options;
  options.batch_size = std::clamp(absl::GetFlag(FLAGS_review_batch_size), 1, 1000);
  options.lease = absl::GetFlag(FLAGS_review_lease);
  options.owner = ladder::careerpath::ReviewWorker::UniqueOwnerName();
  return options;
}

class CareerPath final : public ladder::server::RunningService {
 public:
  explicit CareerPath(const ladder::server::ServiceEnvironment& environment)
      : store_(&environment.pool),
        reviews_(&environment.pool),
        personnel_(ladder::careerpath::MakeGrpcPersonnelGateway(
            ladder::server::BalancedChannel(absl::GetFlag(FLAGS_personnel), environment.upstream_credentials),
            absl::Seconds(10))),
        evaluation_(ladder::careerpath::MakeGrpcEvaluationGateway(
            ladder::server::BalancedChannel(absl::GetFlag(FLAGS_evaluation), environment.upstream_credentials),
            absl::Seconds(10))),
        reviewer_(&store_, personnel_.get(), evaluation_.get()),
        worker_(&reviews_, &reviewer_, evaluation_.get(), &environment.policies, WorkerOptions()),
        handlers_(&store_, &reviews_, personnel_.get(), evaluation_.get(), &environment.policies,
                  [this] { worker_.Wake(); }),
        service_(&handlers_, &store_, personnel_.get(), evaluation_.get(), environment.authenticator,
                 &environment.pool),
        operations_(&reviews_),
        operations_service_(&operations_, &reviews_, evaluation_.get(), environment.authenticator, &environment.pool) {
    worker_.Start();
  }
  grpc::Service* service() override { return &service_; }
  std::vector<grpc::Service*> more_services() override { return {&operations_service_}; }
  // Readiness follows the service's own database; the services it calls being down fails
  // only the calls that need them (UNAVAILABLE).
  absl::Status Ready() override { return store_.Ping(); }
  void RefreshMetrics() override {
    absl::StatusOr<std::vector<ladder::careerpath::OpenCaseCount>> counts = store_.OpenCaseCounts();
    if (counts.ok()) ladder::careerpath::PublishOpenCases(*counts);
  }

 private:
  ladder::careerpath::MySqlCaseStore store_;
  ladder::careerpath::MySqlReviewStore reviews_;
  std::unique_ptr<ladder::careerpath::PersonnelGateway> personnel_;
  std::unique_ptr<ladder::careerpath::EvaluationGateway> evaluation_;
  ladder::careerpath::CycleReviewer reviewer_;
  // Stopped (its review given up for another replica) before what it uses goes.
  ladder::careerpath::ReviewWorker worker_;
  ladder::careerpath::CareerPathServiceImpl handlers_;
  ladder::careerpath::CareerPathAccessPolicy service_;
  ladder::careerpath::ReviewOperationsService operations_;
  ladder::careerpath::ReviewOperationsAccessPolicy operations_service_;
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
                            {"LADDER_EVALUATION_ADDRESS", "evaluation"},
                            {"LADDER_REVIEW_BATCH_SIZE", "review_batch_size"},
                            {"LADDER_REVIEW_LEASE", "review_lease"}};
  spec.build = [](const ladder::server::ServiceEnvironment& environment)
      -> absl::StatusOr<std::unique_ptr<ladder::server::RunningService>> {
    return std::make_unique<CareerPath>(environment);
  };
  return ladder::server::ServiceMain(argc, argv, spec);
}
