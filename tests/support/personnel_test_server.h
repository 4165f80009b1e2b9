#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/connection_pool.h"
#include "common/policy/policy_set.h"
#include "common/server/server_runner.h"
#include "grpcpp/channel.h"
#include "ladder/personnel/v1/personnel_service.grpc.pb.h"
#include "services/personnel/access_policy.h"
#include "services/personnel/mysql_personnel_store.h"
#include "services/personnel/personnel_service.h"

namespace ladder::testing {

// The real personnel service, wired as main.cc wires it (TLS, verified callers, its access
// policy), serving on a free loopback port against `database`; its health is probed every
// 100 ms. channel() verifies the server and carries no identity: calls add one
// (CallContext, Authorize).
class PersonnelTestServer final {
 public:
  static absl::StatusOr<std::unique_ptr<PersonnelTestServer>> Start(const db::DatabaseOptions& database,
                                                                    const std::string& policy_dir = "config/policy");
  ~PersonnelTestServer();

  std::string address() const { return address_; }
  std::unique_ptr<personnel::v1::PersonnelService::Stub> NewStub() const;
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  const policy::PolicySet& policies() const { return policies_; }

 private:
  PersonnelTestServer() = default;

  policy::PolicySet policies_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<personnel::MySqlPersonnelStore> store_;
  std::unique_ptr<personnel::PersonnelServiceImpl> handlers_;
  std::unique_ptr<personnel::PersonnelAccessPolicy> service_;
  server::ServerConfig config_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<server::HealthMonitor> health_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A client context with a deadline, calling as an HR admin whose token subject is `actor`
// (recorded as "user:<actor>").
std::unique_ptr<grpc::ClientContext> CallContext(absl::Duration deadline = absl::Seconds(30),
                                                 const std::string& actor = "test");

}  // namespace ladder::testing
