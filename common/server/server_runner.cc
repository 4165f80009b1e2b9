#include "common/server/server_runner.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <thread>

#include "absl/base/call_once.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/observability/grpc_metrics.h"
#include "common/observability/metrics.h"
#include "common/observability/trace_context.h"
#include "common/server/access_log.h"
#include "common/server/logging.h"
#include "common/server/stream_watchdog.h"
#include "grpcpp/ext/channelz_service_plugin.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "prometheus/gauge.h"
#include "spdlog/spdlog.h"

namespace ladder::server {
namespace {

sigset_t ShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  return signals;
}

// ladder_serving{health_service}: what the health service answers for each named service,
// so that an alert can tell "no replica serves" from "one replica is not ready".
void ExportServing(const ServerConfig& config, bool serving) {
  static auto& family = prometheus::BuildGauge()
                            .Name("ladder_serving")
                            .Help(
                                "1 while the server reports SERVING for the service (its "
                                "database answers), 0 while NOT_SERVING.")
                            .Register(observability::Metrics());
  for (const std::string& name : config.health_service_names) {
    family.Add({{"health_service", name}}).Set(serving ? 1 : 0);
  }
}

// Only the named services follow the database. The server as a whole ("") stays SERVING
// until shutdown: it answers liveness probes, and a database outage must not make an
// orchestrator restart every replica (and delay recovery by its restart back-off).
void SetServing(grpc::Server& server, const ServerConfig& config, bool serving) {
  grpc::HealthCheckServiceInterface* health = server.GetHealthCheckService();
  if (health == nullptr) return;
  for (const std::string& name : config.health_service_names) {
    health->SetServingStatus(name, serving);
  }
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t signals = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

void TurnOffMutexDeadlockDetection() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

absl::StatusOr<StartedServer> StartServer(const ServerConfig& config, const std::vector<grpc::Service*>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  // gRPC's channelz (grpc.channelz.v1.Channelz): the server's channels, sockets and their
  // call counts, for an operator's debugging; the transport admits OPERATOR tokens only.
  static absl::once_flag channelz_once;
  absl::call_once(channelz_once, [] { grpc::channelz::experimental::InitChannelzService(); });
  if (config.authenticator == nullptr) {
    return absl::FailedPreconditionError("a server needs an authenticator");
  }
  if (config.transport.insecure_plaintext != config.authenticator->insecure()) {
    return absl::FailedPreconditionError("plaintext transport goes with the development authenticator only");
  }
  if (config.transport.insecure_plaintext) {
    spdlog::warn(
        "event=insecure_plaintext listen={} note=\"DEVELOPMENT ONLY: no TLS, no "
        "authentication; every caller acts as an HR admin\"",
        config.listen);
  }
  grpc::ServerBuilder builder;
  StartedServer started;
  builder.AddListeningPort(config.listen, ServerCredentialsFor(config.transport, config.authenticator), &started.port);
  builder.SetMaxReceiveMessageSize(config.max_receive_message_bytes);
  // The server's share of the machine: threads (one per call in progress) and buffer memory.
  // Past the thread quota gRPC answers RESOURCE_EXHAUSTED itself, holding nothing.
  grpc::ResourceQuota quota(absl::StrCat("ladder-", config.service_name));
  quota.SetMaxThreads(config.max_threads);
  quota.Resize(static_cast<size_t>(config.memory_quota_bytes));
  builder.SetResourceQuota(quota);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, config.max_concurrent_streams);
  CallerLimits::Process().Configure(config.caller_limits);
  config.authenticator->SetAdmissionCheck(
      [](const auth::Principal& principal) { return CallerLimits::Process().CheckRoom(principal); });
  StreamWatchdog::Process().set_first_message_timeout(config.stream_first_message_timeout);
  for (grpc::Service* service : services) builder.RegisterService(service);
  // Handlers block on the database; with gRPC's default of two polling threads the sync
  // server keeps creating and destroying threads under load (about one per two calls).
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 64);
  // Connections are closed gracefully after a while, so clients resolve the name again and
  // spread over replicas added since, and leave replicas that turned unready.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config.max_connection_age)));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config.shutdown_grace)));
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  // In this order: the trace first, so that the others see it.
  factories.push_back(observability::MakeServerTraceFactory());
  factories.push_back(observability::MakeServerMetricsFactory());
  factories.push_back(MakeAccessLogFactory());
  factories.push_back(CallerLimits::MakeCallEndFactory());
  builder.experimental().SetInterceptorCreators(std::move(factories));
  started.server = builder.BuildAndStart();
  if (started.server == nullptr || started.port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen));
  }
  // Alive at once; not ready until the first readiness probe passes.
  started.server->GetHealthCheckService()->SetServingStatus(true);
  SetServing(*started.server, config, false);
  return started;
}

HealthMonitor::HealthMonitor(const ServerConfig& config, grpc::Server& server, std::function<absl::Status()> readiness)
    : config_(config), server_(server), readiness_(std::move(readiness)) {
  probe_thread_ = std::thread([this] { Probe(); });
  watch_thread_ = std::thread([this] { Watch(); });
}

HealthMonitor::~HealthMonitor() {
  stopping_.Notify();
  watch_thread_.join();
  // A probe stuck on a frozen database ends by the connection's own timeouts.
  probe_thread_.join();
}

void HealthMonitor::Report(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  if (reported_ && status.ok() == serving_) return;
  reported_ = true;
  serving_ = status.ok();
  SetServing(server_, config_, serving_);
  ExportServing(config_, serving_);
  if (serving_) {
    spdlog::info("event=health status=SERVING");
  } else {
    spdlog::warn("event=health status=NOT_SERVING reason=\"{}\"", LogQuoted(status.ToString()));
  }
}

void HealthMonitor::Probe() {
  do {
    {
      absl::MutexLock lock(&mu_);
      probe_started_ = absl::Now();
    }
    absl::Status status = readiness_();
    {
      absl::MutexLock lock(&mu_);
      probe_started_ = absl::InfiniteFuture();
    }
    Report(status);
  } while (!stopping_.WaitForNotificationWithTimeout(config_.health_interval));
}

void HealthMonitor::Watch() {
  const absl::Duration tick = std::min(absl::Milliseconds(250), config_.health_timeout / 2);
  while (!stopping_.WaitForNotificationWithTimeout(tick)) {
    absl::Time started;
    {
      absl::MutexLock lock(&mu_);
      started = probe_started_;
    }
    if (absl::Now() - started > config_.health_timeout) {
      Report(absl::DeadlineExceededError(
          absl::StrCat("the readiness probe has not answered for ", absl::FormatDuration(config_.health_timeout))));
    }
  }
}

void RunUntilSignalled(const ServerConfig& config, grpc::Server& server, const std::function<absl::Status()>& readiness,
                       const std::function<void()>& before_shutdown) {
  {
    HealthMonitor monitor(config, server, readiness);
    sigset_t signals = ShutdownSignals();
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    spdlog::info("event=shutdown_started signal={} grace_s={}", signal_number,
                 absl::ToInt64Seconds(config.shutdown_grace));
  }
  // Load balancers and probes see NOT_SERVING while calls in flight finish.
  server.GetHealthCheckService()->Shutdown();
  if (before_shutdown) before_shutdown();
  server.Shutdown(std::chrono::system_clock::now() + absl::ToChronoSeconds(config.shutdown_grace));
  server.Wait();
  spdlog::info("event=shutdown_complete");
}

}  // namespace ladder::server
