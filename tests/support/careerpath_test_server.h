#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/connection_pool.h"
#include "common/policy/policy_set.h"
#include "google/longrunning/operations.grpc.pb.h"
#include "ladder/careerpath/v1/careerpath_service.grpc.pb.h"
#include "services/careerpath/access_policy.h"
#include "services/careerpath/careerpath_service.h"
#include "services/careerpath/mysql_case_store.h"
#include "services/careerpath/mysql_review_store.h"
#include "services/careerpath/operations_service.h"
#include "services/careerpath/review_worker.h"

namespace ladder::testing {

// The real career-path service, wired as main.cc wires it, on a free loopback port against
// `database`, calling personnel and evaluation at the given addresses.
class CareerPathTestServer final {
 public:
  struct Options {
    std::string policy_dir = "config/policy";
    // The review worker's batch and lease (small batches make small cycles cross several).
    int review_batch_size = 500;
    absl::Duration review_lease = absl::Seconds(30);
    // Wraps the evaluation client the service and its review worker use, e.g. to hold a
    // review between two batches.
    std::function<std::unique_ptr<careerpath::EvaluationGateway>(std::unique_ptr<careerpath::EvaluationGateway>)>
        wrap_evaluation;
    // Wraps the case store the service, its access policy and its reviewer use, e.g. to
    // force an interleaving of two concurrent calls.
    std::function<std::unique_ptr<careerpath::CaseStore>(careerpath::CaseStore*)> wrap_store;
  };

  static absl::StatusOr<std::unique_ptr<CareerPathTestServer>> Start(const db::DatabaseOptions& database,
                                                                     const std::string& personnel_address,
                                                                     const std::string& evaluation_address,
                                                                     const std::string& policy_dir = "config/policy");
  static absl::StatusOr<std::unique_ptr<CareerPathTestServer>> Start(const db::DatabaseOptions& database,
                                                                     const std::string& personnel_address,
                                                                     const std::string& evaluation_address,
                                                                     Options options);
  // Stops serving, and the review worker after the batch in hand (it gives its review up).
  ~CareerPathTestServer();

  std::string address() const { return address_; }
  std::unique_ptr<careerpath::v1::CareerPathService::Stub> NewStub() const;
  std::unique_ptr<google::longrunning::Operations::Stub> NewOperationsStub() const;

 private:
  CareerPathTestServer() = default;

  policy::PolicySet policies_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<careerpath::MySqlCaseStore> mysql_store_;
  std::unique_ptr<careerpath::CaseStore> wrapped_store_;
  careerpath::CaseStore* store_ = nullptr;  // What the service uses: wrapped, or the MySQL one.
  std::unique_ptr<careerpath::MySqlReviewStore> reviews_;
  std::unique_ptr<careerpath::PersonnelGateway> personnel_;
  std::unique_ptr<careerpath::EvaluationGateway> evaluation_;
  std::unique_ptr<careerpath::CycleReviewer> reviewer_;
  std::unique_ptr<careerpath::ReviewWorker> worker_;
  std::unique_ptr<careerpath::CareerPathServiceImpl> handlers_;
  std::unique_ptr<careerpath::CareerPathAccessPolicy> service_;
  std::unique_ptr<careerpath::ReviewOperationsService> operations_;
  std::unique_ptr<careerpath::ReviewOperationsAccessPolicy> operations_service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace ladder::testing
