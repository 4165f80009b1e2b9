#include "tests/support/careerpath_test_server.h"

#include "absl/strings/str_cat.h"
#include "common/server/channels.h"
#include "common/server/server_runner.h"
#include "common/status/macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tests/support/test_credentials.h"

namespace ladder::testing {

absl::StatusOr<std::unique_ptr<CareerPathTestServer>> CareerPathTestServer::Start(const db::DatabaseOptions& database,
                                                                                  const std::string& personnel_address,
                                                                                  const std::string& evaluation_address,
                                                                                  const std::string& policy_dir) {
  Options options;
  options.policy_dir = policy_dir;
  return Start(database, personnel_address, evaluation_address, std::move(options));
}

absl::StatusOr<std::unique_ptr<CareerPathTestServer>> CareerPathTestServer::Start(const db::DatabaseOptions& database,
                                                                                  const std::string& personnel_address,
                                                                                  const std::string& evaluation_address,
                                                                                  Options options) {
  auto server = std::unique_ptr<CareerPathTestServer>(new CareerPathTestServer());
  LADDER_ASSIGN_OR_RETURN(server->policies_, policy::PolicySet::LoadFromDirectory(options.policy_dir));
  server->pool_ = std::make_unique<db::ConnectionPool>(database);
  server->mysql_store_ = std::make_unique<careerpath::MySqlCaseStore>(server->pool_.get());
  server->store_ = server->mysql_store_.get();
  if (options.wrap_store) {
    server->wrapped_store_ = options.wrap_store(server->mysql_store_.get());
    server->store_ = server->wrapped_store_.get();
  }
  server->reviews_ = std::make_unique<careerpath::MySqlReviewStore>(server->pool_.get());
  server->personnel_ = careerpath::MakeGrpcPersonnelGateway(
      // The channel the server binary opens: round_robin, trace context, client metrics.
      server::BalancedChannel(personnel_address, ClientCredentials("careerpath")), absl::Seconds(5));
  server->evaluation_ = careerpath::MakeGrpcEvaluationGateway(
      server::BalancedChannel(evaluation_address, ClientCredentials("careerpath")), absl::Seconds(5));
  if (options.wrap_evaluation) server->evaluation_ = options.wrap_evaluation(std::move(server->evaluation_));
  server->reviewer_ =
      std::make_unique<careerpath::CycleReviewer>(server->store_, server->personnel_.get(), server->evaluation_.get());
  careerpath::ReviewWorkerOptions worker;
  worker.batch_size = options.review_batch_size;
  worker.lease = options.review_lease;
  worker.idle_poll = absl::Milliseconds(200);
  worker.owner = careerpath::ReviewWorker::UniqueOwnerName();
  server->worker_ = std::make_unique<careerpath::ReviewWorker>(server->reviews_.get(), server->reviewer_.get(),
                                                               server->evaluation_.get(), &server->policies_, worker);
  careerpath::ReviewWorker* const review_worker = server->worker_.get();
  server->handlers_ = std::make_unique<careerpath::CareerPathServiceImpl>(
      server->store_, server->reviews_.get(), server->personnel_.get(), server->evaluation_.get(), &server->policies_,
      [review_worker] { review_worker->Wake(); });
  server::ServerConfig config;
  config.service_name = "careerpath";
  config.listen = "127.0.0.1:0";
  // Tests call concurrently as one identity; the abuse tests switch the limits on.
  config.caller_limits = server::CallerLimitOptions::None();
  config.transport = ServerTransport("careerpath");
  config.authenticator = TestAuthenticator();
  server->service_ = std::make_unique<careerpath::CareerPathAccessPolicy>(
      server->handlers_.get(), server->store_, server->personnel_.get(), server->evaluation_.get(),
      config.authenticator, server->pool_.get());
  server->operations_ = std::make_unique<careerpath::ReviewOperationsService>(server->reviews_.get());
  server->operations_service_ = std::make_unique<careerpath::ReviewOperationsAccessPolicy>(
      server->operations_.get(), server->reviews_.get(), server->evaluation_.get(), config.authenticator,
      server->pool_.get());
  LADDER_ASSIGN_OR_RETURN(server::StartedServer started,
                          server::StartServer(config, {server->service_.get(), server->operations_service_.get()}));
  server->server_ = std::move(started.server);
  server->address_ = absl::StrCat("127.0.0.1:", started.port);
  server->channel_ = grpc::CreateChannel(server->address_, ClientCredentials());
  server->worker_->Start();
  return server;
}

CareerPathTestServer::~CareerPathTestServer() {
  // As the binary does: open watches end first, or Shutdown waits out its grace period.
  service_->EndStreams();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server_->Wait();
  worker_->Stop();
}

std::unique_ptr<careerpath::v1::CareerPathService::Stub> CareerPathTestServer::NewStub() const {
  return careerpath::v1::CareerPathService::NewStub(channel_);
}

std::unique_ptr<google::longrunning::Operations::Stub> CareerPathTestServer::NewOperationsStub() const {
  return google::longrunning::Operations::NewStub(channel_);
}

}  // namespace ladder::testing
