#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/connection_pool.h"
#include "common/policy/policy_set.h"
#include "common/server/server_runner.h"
#include "ladder/evaluation/v1/evaluation_service.grpc.pb.h"
#include "services/evaluation/access_policy.h"
#include "services/evaluation/evaluation_service.h"
#include "services/evaluation/mysql_evaluation_store.h"

namespace ladder::testing {

// The real evaluation service, wired as main.cc wires it, on a free loopback port against
// `database`, reading people from the personnel service at `personnel_address`.
class EvaluationTestServer final {
 public:
  static absl::StatusOr<std::unique_ptr<EvaluationTestServer>> Start(const db::DatabaseOptions& database,
                                                                     const std::string& personnel_address,
                                                                     const std::string& policy_dir = "config/policy");
  ~EvaluationTestServer();

  std::string address() const { return address_; }
  std::unique_ptr<evaluation::v1::EvaluationService::Stub> NewStub() const;
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  EvaluationTestServer() = default;

  policy::PolicySet policies_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<evaluation::MySqlEvaluationStore> store_;
  std::unique_ptr<evaluation::PersonnelDirectory> personnel_;
  std::unique_ptr<evaluation::EvaluationServiceImpl> handlers_;
  std::unique_ptr<evaluation::EvaluationAccessPolicy> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace ladder::testing
