// echo_server: the baseline E of the benchmarks. The suite's server bootstrap (flags, logs,
// TLS and the verification of every caller, the access-log interceptor, grpc.health.v1,
// reflection, graceful shutdown) around a service that touches no database and answers with
// a record of GetEmployee's shape and size. What a Ladder call costs beyond it is what the
// service adds.
//
//   echo_server --listen=127.0.0.1:0 --tls_cert=… --tls_key=… --tls_ca=… --jwt_keys_dir=…
//               [--callback_api]
//
// With --callback_api the same service is served through gRPC's callback API instead of the
// sync server's thread per call: the benchmark compares the two (scenario 10).

#include <cstdlib>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth/authenticator.h"
#include "common/auth/jwt_verifier.h"
#include "common/server/flags.h"
#include "common/server/logging.h"
#include "common/server/server_runner.h"
#include "common/server/transport_security.h"
#include "ladder/bench/v1/echo.grpc.pb.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(bool, callback_api, false,
          "serve through gRPC's callback API (no thread held per call) instead of the sync server");

namespace ladder::bench {
namespace {

namespace bv1 = ::ladder::bench::v1;

// The values of an employee as the benchmark's data set has them, so the response is as
// long as GetEmployee's on the same data.
bv1::EchoResponse Template() {
  bv1::EchoResponse response;
  response.set_name("employees/54321");
  response.set_employee_number("P0054321");
  response.set_display_name("客户经理54321");
  response.set_county("orgUnits/23");
  response.set_team("teams/228");
  response.set_role(1);
  response.set_entry_channel(1);
  response.set_status(3);
  response.set_level(2);
  response.set_post_grade(7);
  auto date = [](google::type::Date* d, int year, int month, int day) {
    d->set_year(year);
    d->set_month(month);
    d->set_day(day);
  };
  date(response.mutable_level_since(), 2024, 7, 1);
  date(response.mutable_trial_ends_on(), 2021, 4, 30);
  date(response.mutable_hire_date(), 2021, 3, 1);
  response.set_etag("1");
  response.mutable_create_time()->set_seconds(1795000000);
  response.mutable_create_time()->set_nanos(123456000);
  response.mutable_update_time()->set_seconds(1795000000);
  response.mutable_update_time()->set_nanos(123456000);
  return response;
}

class EchoServiceImpl final : public bv1::EchoService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext*, const bv1::EchoRequest* request, bv1::EchoResponse* response) override {
    *response = template_;
    response->set_name(request->name());
    return grpc::Status::OK;
  }

 private:
  const bv1::EchoResponse template_ = Template();
};

// The same answer through the callback API: the reactor finishes at once, on gRPC's own
// threads, and a call whose response waits on a slow reader holds no thread.
class EchoCallbackServiceImpl final : public bv1::EchoService::CallbackService {
 public:
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context, const bv1::EchoRequest* request,
                                 bv1::EchoResponse* response) override {
    *response = template_;
    response->set_name(request->name());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const bv1::EchoResponse template_ = Template();
};

int Main(int argc, char** argv) {
  server::TurnOffMutexDeadlockDetection();
  server::BlockShutdownSignals();
  server::ParseFlags(argc, argv,
                     "echo_server: the benchmarks' echo baseline (the server bootstrap, no "
                     "database).");
  server::InitLogging("echo", absl::GetFlag(FLAGS_log_level));
  // Transport and authenticator as ServiceMain makes them for the services, so the baseline
  // pays what they pay per call: the TLS record layer and the authenticator's token check.
  const server::TransportSecurity transport = server::TransportSecurityFromFlags();
  if (absl::Status files = server::CheckTransportFiles(transport); !files.ok()) {
    spdlog::critical("event=startup_failed step=tls error=\"{}\"", files.ToString());
    return EXIT_FAILURE;
  }
  std::shared_ptr<auth::Authenticator> authenticator;
  if (transport.insecure_plaintext) {
    authenticator = auth::Authenticator::InsecureForDevelopment();
  } else {
    auth::JwtOptions options;
    options.keys_dir = absl::GetFlag(FLAGS_jwt_keys_dir);
    options.issuer = absl::GetFlag(FLAGS_jwt_issuer);
    options.audience = absl::GetFlag(FLAGS_jwt_audience);
    absl::StatusOr<std::unique_ptr<auth::JwtVerifier>> verifier = auth::JwtVerifier::Create(options);
    if (!verifier.ok()) {
      spdlog::critical("event=startup_failed step=authentication error=\"{}\"", verifier.status().ToString());
      return EXIT_FAILURE;
    }
    authenticator = auth::Authenticator::Verifying(*std::move(verifier));
  }
  EchoServiceImpl sync_service;
  EchoCallbackServiceImpl callback_service;
  grpc::Service* service = absl::GetFlag(FLAGS_callback_api) ? static_cast<grpc::Service*>(&callback_service)
                                                             : static_cast<grpc::Service*>(&sync_service);
  server::ServerConfig config;
  config.service_name = "echo";
  config.listen = absl::GetFlag(FLAGS_listen);
  config.health_service_names = {"ladder.bench.v1.EchoService"};
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  config.health_interval = absl::GetFlag(FLAGS_health_interval);
  config.transport = transport;
  config.authenticator = authenticator;
  absl::StatusOr<server::StartedServer> started = server::StartServer(config, {service});
  if (!started.ok()) {
    spdlog::critical("event=startup_failed step=listen error=\"{}\"", started.status().ToString());
    return EXIT_FAILURE;
  }
  spdlog::info("event=serving address={} port={}", config.listen, started->port);
  server::RunUntilSignalled(config, *started->server, [] { return absl::OkStatus(); });
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace ladder::bench

int main(int argc, char** argv) { return ladder::bench::Main(argc, argv); }
