#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/connection_pool.h"
#include "common/policy/policy_set.h"
#include "ladder/careerpath/v1/careerpath_service.grpc.pb.h"
#include "services/careerpath/access_policy.h"
#include "services/careerpath/careerpath_service.h"
#include "services/careerpath/mysql_case_store.h"

namespace ladder::testing {

// The real career-path service, wired as main.cc wires it, on a free loopback port against
// `database`, calling personnel and evaluation at the given addresses.
class CareerPathTestServer final {
 public:
  static absl::StatusOr<std::unique_ptr<CareerPathTestServer>> Start(
      const db::DatabaseOptions& database, const std::string& personnel_address,
      const std::string& evaluation_address, const std::string& policy_dir = "config/policy");
  ~CareerPathTestServer();

  std::string address() const { return address_; }
  std::unique_ptr<careerpath::v1::CareerPathService::Stub> NewStub() const;

 private:
  CareerPathTestServer() = default;

  policy::PolicySet policies_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<careerpath::MySqlCaseStore> store_;
  std::unique_ptr<careerpath::PersonnelGateway> personnel_;
  std::unique_ptr<careerpath::EvaluationGateway> evaluation_;
  std::unique_ptr<careerpath::CareerPathServiceImpl> handlers_;
  std::unique_ptr<careerpath::CareerPathAccessPolicy> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace ladder::testing
