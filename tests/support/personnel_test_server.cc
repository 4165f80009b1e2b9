#include "tests/support/personnel_test_server.h"

#include "absl/strings/str_cat.h"
#include "common/status/macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tests/support/test_credentials.h"

namespace ladder::testing {

absl::StatusOr<std::unique_ptr<PersonnelTestServer>> PersonnelTestServer::Start(const db::DatabaseOptions& database,
                                                                                const std::string& policy_dir) {
  auto server = std::unique_ptr<PersonnelTestServer>(new PersonnelTestServer());
  LADDER_ASSIGN_OR_RETURN(server->policies_, policy::PolicySet::LoadFromDirectory(policy_dir));
  server->pool_ = std::make_unique<db::ConnectionPool>(database);
  server->store_ = std::make_unique<personnel::MySqlPersonnelStore>(server->pool_.get());
  server->handlers_ = std::make_unique<personnel::PersonnelServiceImpl>(server->store_.get(), &server->policies_);
  server->config_.transport = ServerTransport("personnel");
  server->config_.authenticator = TestAuthenticator();
  server->service_ = std::make_unique<personnel::PersonnelAccessPolicy>(
      server->handlers_.get(), server->store_.get(), server->config_.authenticator, server->pool_.get());
  server->config_.service_name = "personnel";
  server->config_.listen = "127.0.0.1:0";
  server->config_.health_service_names = {"ladder.personnel.v1.PersonnelService"};
  server->config_.health_interval = absl::Milliseconds(100);
  // Tests call concurrently as one identity; the abuse tests switch the limits on.
  server->config_.caller_limits = server::CallerLimitOptions::None();
  LADDER_ASSIGN_OR_RETURN(server::StartedServer started,
                          server::StartServer(server->config_, {server->service_.get()}));
  server->server_ = std::move(started.server);
  server->address_ = absl::StrCat("127.0.0.1:", started.port);
  personnel::MySqlPersonnelStore* store = server->store_.get();
  server->health_ =
      std::make_unique<server::HealthMonitor>(server->config_, *server->server_, [store] { return store->Ping(); });
  server->channel_ = grpc::CreateChannel(server->address_, ClientCredentials());
  return server;
}

PersonnelTestServer::~PersonnelTestServer() {
  health_.reset();
  if (server_ == nullptr) return;  // Start failed before the server was up
  service_->EndStreams();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server_->Wait();
}

std::unique_ptr<personnel::v1::PersonnelService::Stub> PersonnelTestServer::NewStub() const {
  return personnel::v1::PersonnelService::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> CallContext(absl::Duration deadline, const std::string& actor) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline));
  Authorize(*context, TestIdentity{actor});
  return context;
}

}  // namespace ladder::testing
