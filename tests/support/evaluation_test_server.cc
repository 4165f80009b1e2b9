#include "tests/support/evaluation_test_server.h"

#include "absl/strings/str_cat.h"
#include "common/server/channels.h"
#include "common/status/macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tests/support/test_credentials.h"

namespace ladder::testing {

absl::StatusOr<std::unique_ptr<EvaluationTestServer>> EvaluationTestServer::Start(const db::DatabaseOptions& database,
                                                                                  const std::string& personnel_address,
                                                                                  const std::string& policy_dir) {
  auto server = std::unique_ptr<EvaluationTestServer>(new EvaluationTestServer());
  LADDER_ASSIGN_OR_RETURN(server->policies_, policy::PolicySet::LoadFromDirectory(policy_dir));
  server->pool_ = std::make_unique<db::ConnectionPool>(database);
  server->store_ = std::make_unique<evaluation::MySqlEvaluationStore>(server->pool_.get());
  server->personnel_ = evaluation::MakeGrpcPersonnelDirectory(
      // The channel the server binary opens: round_robin, trace context, client metrics.
      server::BalancedChannel(personnel_address, ClientCredentials("evaluation")), absl::Seconds(5));
  server->handlers_ = std::make_unique<evaluation::EvaluationServiceImpl>(server->store_.get(),
                                                                          server->personnel_.get(), &server->policies_);
  server::ServerConfig config;
  config.service_name = "evaluation";
  config.listen = "127.0.0.1:0";
  // Tests call concurrently as one identity; the abuse tests switch the limits on.
  config.caller_limits = server::CallerLimitOptions::None();
  config.transport = ServerTransport("evaluation");
  config.authenticator = TestAuthenticator();
  server->service_ = std::make_unique<evaluation::EvaluationAccessPolicy>(server->handlers_.get(), server->store_.get(),
                                                                          server->personnel_.get(),
                                                                          config.authenticator, server->pool_.get());
  LADDER_ASSIGN_OR_RETURN(server::StartedServer started, server::StartServer(config, {server->service_.get()}));
  server->server_ = std::move(started.server);
  server->address_ = absl::StrCat("127.0.0.1:", started.port);
  grpc::ChannelArguments arguments;
  // Imports of 100,000 rows stream far more than the 4 MiB default in one call.
  arguments.SetMaxSendMessageSize(64 << 20);
  server->channel_ = grpc::CreateCustomChannel(server->address_, ClientCredentials(), arguments);
  return server;
}

EvaluationTestServer::~EvaluationTestServer() {
  // As the binary does: open watches end first, or Shutdown waits out its grace period.
  service_->EndStreams();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server_->Wait();
}

std::unique_ptr<evaluation::v1::EvaluationService::Stub> EvaluationTestServer::NewStub() const {
  return evaluation::v1::EvaluationService::NewStub(channel_);
}

}  // namespace ladder::testing
