#include "common/server/service_main.h"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "common/db/audit_log.h"
#include "common/db/change_feed.h"
#include "common/db/idempotency.h"
#include "common/observability/metrics.h"
#include "common/observability/metrics_endpoint.h"
#include "common/server/audit_rpcs.h"
#include "common/server/flags.h"
#include "common/server/guarded_service.h"
#include "common/server/logging.h"
#include "common/server/server_runner.h"
#include "common/server/transport_security.h"
#include "prometheus/gauge.h"
#include "spdlog/spdlog.h"

namespace ladder::server {
namespace {

// Runs `task` now and then every `interval` on a thread of its own, until destroyed.
class PeriodicTask final {
 public:
  PeriodicTask(absl::Duration interval, std::function<void()> task)
      : thread_([this, interval, task = std::move(task)] {
          do {
            task();
          } while (!stopping_.WaitForNotificationWithTimeout(interval));
        }) {}
  ~PeriodicTask() {
    stopping_.Notify();
    thread_.join();
  }

 private:
  absl::Notification stopping_;
  std::thread thread_;
};

// Forgets request ids past their retention.
void ForgetExpiredRequestIds(db::ConnectionPool& pool, absl::Duration retention) {
  absl::StatusOr<int64_t> purged = db::PurgeRequestLog(pool, retention);
  if (!purged.ok()) {
    spdlog::warn("event=request_log_purge_failed error=\"{}\"", purged.status().ToString());
  } else if (*purged > 0) {
    spdlog::info("event=request_log_purged rows={}", *purged);
  }
}

// Drops the change feed's changes past their retention.
void PruneExpiredChanges(db::ConnectionPool& pool, absl::Duration retention) {
  absl::StatusOr<int64_t> pruned = db::PruneChanges(pool, retention);
  if (!pruned.ok()) {
    spdlog::warn("event=change_feed_prune_failed error=\"{}\"", pruned.status().ToString());
  } else if (*pruned > 0) {
    spdlog::info("event=change_feed_pruned changes={}", *pruned);
  }
}

// Chains what the service's changes appended to the audit trail. Every replica runs one;
// they take turns on the chain head. A replica asks the database only when it appended
// events since it last sealed, and otherwise once in a while, for events a replica that
// stopped before sealing left behind: an idle replica costs the database nothing.
class AuditSealer final {
 public:
  explicit AuditSealer(db::ConnectionPool& pool) : pool_(pool) {}

  void Run() {
    const int64_t appended = db::AuditEventsAppendedByThisProcess();
    const absl::Time now = absl::Now();
    if (appended == sealed_up_to_ && now - last_sealed_ < kIdleSealInterval) return;
    absl::StatusOr<db::SealResult> sealed = db::SealPendingAuditEvents(pool_);
    if (!sealed.ok()) {
      spdlog::warn("event=audit_seal_failed error=\"{}\"", sealed.status().ToString());
      return;
    }
    sealed_up_to_ = appended;
    last_sealed_ = now;
    if (sealed->sealed > 0) {
      spdlog::debug("event=audit_sealed events={} last_id={}", sealed->sealed, sealed->last_id);
    }
  }

 private:
  static constexpr absl::Duration kIdleSealInterval = absl::Seconds(30);
  db::ConnectionPool& pool_;
  // Touched by the sealing thread only.
  int64_t sealed_up_to_ = -1;
  absl::Time last_sealed_ = absl::InfinitePast();
};

// Tokens verified against --jwt_keys_dir; in plaintext development mode, nothing verified.
absl::StatusOr<std::shared_ptr<auth::Authenticator>> MakeAuthenticator(const TransportSecurity& transport) {
  if (transport.insecure_plaintext) return auth::Authenticator::InsecureForDevelopment();
  auth::JwtOptions options;
  options.keys_dir = absl::GetFlag(FLAGS_jwt_keys_dir);
  options.issuer = absl::GetFlag(FLAGS_jwt_issuer);
  options.audience = absl::GetFlag(FLAGS_jwt_audience);
  absl::StatusOr<std::unique_ptr<auth::JwtVerifier>> verifier = auth::JwtVerifier::Create(options);
  if (!verifier.ok()) return verifier.status();
  return auth::Authenticator::Verifying(*std::move(verifier));
}

// Memory freed after a burst (large requests, many calls at once) goes back to the system.
// glibc raises its mmap threshold to the largest block freed so far, after which big
// buffers come from the heap and stay; a fixed threshold keeps them mapped and unmapped.
void ReturnFreedMemory() {
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
}

// ladder_build_info and ladder_policy_version_info: constant series that say what runs, for
// dashboards and for joining other series by version.
void ExportBuildInfo(const std::string& service, const policy::PolicySet& policies) {
  prometheus::BuildGauge()
      .Name("ladder_build_info")
      .Help("1 for the running build: the service and its version.")
      .Register(observability::Metrics())
      .Add({{"service", service}, {"version", LADDER_VERSION}})
      .Set(1);
  auto& loaded = prometheus::BuildGauge()
                     .Name("ladder_policy_version_info")
                     .Help("1 for each policy version loaded (config/policy), with its effective date.")
                     .Register(observability::Metrics());
  for (const policy::Policy& version : policies.versions()) {
    const google::type::Date& date = version.effective_date();
    loaded
        .Add({{"policy_version", version.version()},
              {"effective_date", absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day())}})
        .Set(1);
  }
}

int Fail(const absl::Status& status, const char* step) {
  spdlog::critical("event=startup_failed step={} error=\"{}\"", step, status.ToString());
  return EXIT_FAILURE;
}

}  // namespace

int ServiceMain(int argc, char** argv, const ServiceSpec& spec) {
  TurnOffMutexDeadlockDetection();
  BlockShutdownSignals();
  ReturnFreedMemory();
  ParseFlags(argc, argv, spec.usage, spec.extra_environment);
  const std::string log_format = absl::GetFlag(FLAGS_log_format);
  if (log_format != "logfmt" && log_format != "json") {
    std::fprintf(stderr, "--log_format: '%s' is neither logfmt nor json\n", log_format.c_str());
    return EXIT_FAILURE;
  }
  InitLogging(spec.name, absl::GetFlag(FLAGS_log_level), log_format);

  absl::StatusOr<policy::PolicySet> policies = policy::PolicySet::LoadFromDirectory(absl::GetFlag(FLAGS_policy_dir));
  if (!policies.ok()) return Fail(policies.status(), "load_policy");
  absl::StatusOr<db::DatabaseOptions> database = db::ParseDatabaseUrl(absl::GetFlag(FLAGS_database));
  if (!database.ok()) return Fail(database.status(), "parse_database_url");
  if (const char* password = DatabasePasswordFromEnvironment()) database->password = password;
  spdlog::info("event=starting database={} policy_versions={}", db::RedactedUrl(*database),
               policies->versions().size());

  if (absl::GetFlag(FLAGS_migrate) || absl::GetFlag(FLAGS_migrate_only)) {
    absl::Status migrated = db::ApplyMigrations(*database, *spec.migrations);
    if (!migrated.ok()) return Fail(migrated, "migrate");
    if (absl::GetFlag(FLAGS_migrate_only)) {
      spdlog::info("event=migrations_applied exiting=true");
      return EXIT_SUCCESS;
    }
  }

  const TransportSecurity transport = TransportSecurityFromFlags();
  if (absl::Status files = CheckTransportFiles(transport); !files.ok()) return Fail(files, "tls");
  absl::StatusOr<std::shared_ptr<auth::Authenticator>> authenticator = MakeAuthenticator(transport);
  if (!authenticator.ok()) return Fail(authenticator.status(), "authentication");

  db::ConnectionPool pool(*database);
  ServiceEnvironment environment{pool, *policies, *authenticator, ChannelCredentialsFor(transport)};
  absl::StatusOr<std::unique_ptr<RunningService>> running = spec.build(environment);
  if (!running.ok()) return Fail(running.status(), "wire");

  // Before the gRPC port, so that a scrape never finds the service serving unobserved.
  std::unique_ptr<observability::MetricsEndpoint> metrics_endpoint;
  if (const std::string listen = absl::GetFlag(FLAGS_metrics_listen); !listen.empty()) {
    absl::StatusOr<std::unique_ptr<observability::MetricsEndpoint>> endpoint =
        observability::MetricsEndpoint::Start(listen);
    if (!endpoint.ok()) return Fail(endpoint.status(), "metrics");
    metrics_endpoint = *std::move(endpoint);
    ExportBuildInfo(spec.name, *policies);
    spdlog::info("event=metrics_serving address={} port={}", listen, metrics_endpoint->port());
  }

  ServerConfig config;
  config.service_name = spec.name;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.health_service_names = {spec.health_service};
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  config.health_interval = absl::GetFlag(FLAGS_health_interval);
  config.health_timeout = absl::GetFlag(FLAGS_health_timeout);
  config.max_threads = absl::GetFlag(FLAGS_max_threads);
  config.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);
  config.memory_quota_bytes = int64_t{absl::GetFlag(FLAGS_memory_quota_mb)} << 20;
  config.caller_limits.max_calls_per_person = absl::GetFlag(FLAGS_max_calls_per_person);
  config.caller_limits.max_calls_per_service = absl::GetFlag(FLAGS_max_calls_per_service);
  config.caller_limits.refusals_per_second = absl::GetFlag(FLAGS_refusals_per_second);
  config.caller_limits.refusal_burst = absl::GetFlag(FLAGS_refusal_burst);
  config.stream_first_message_timeout = absl::GetFlag(FLAGS_stream_first_message_timeout);
  config.transport = transport;
  config.authenticator = *authenticator;
  absl::StatusOr<StartedServer> started = StartServer(config, [&] {
    std::vector<grpc::Service*> services = {(*running)->service()};
    for (grpc::Service* more : (*running)->more_services()) services.push_back(more);
    return services;
  }());
  if (!started.ok()) return Fail(started.status(), "listen");
  spdlog::info("event=serving address={} port={}", config.listen, started->port);
  RunningService& service = **running;
  const absl::Duration retention = absl::GetFlag(FLAGS_request_id_retention);
  const absl::Duration change_retention = absl::GetFlag(FLAGS_change_retention);
  db::SetChangeFeedPublishing(absl::GetFlag(FLAGS_change_feed));
  PeriodicTask janitor(absl::Hours(1), [&pool, retention, change_retention] {
    ForgetExpiredRequestIds(pool, retention);
    PruneExpiredChanges(pool, change_retention);
  });
  // The heaps of many threads (arenas) are trimmed only by malloc_trim.
  PeriodicTask trimmer(absl::Seconds(30), [] { malloc_trim(0); });
  AuditSealer audit_sealer(pool);
  PeriodicTask sealer(absl::GetFlag(FLAGS_audit_seal_interval), [&audit_sealer] { audit_sealer.Run(); });
  // The server checks the whole trail itself now and then: an alert on a stale or failed
  // verification needs no one to remember to ask.
  PeriodicTask verifier(absl::GetFlag(FLAGS_audit_verify_interval), [&pool] {
    absl::StatusOr<common::v1::AuditTrailVerification> verified = VerifyAuditTrail(pool);
    if (!verified.ok()) {
      spdlog::warn("event=audit_verify_failed error=\"{}\"", LogQuoted(verified.status().ToString()));
    } else if (!verified->intact()) {
      spdlog::error("event=audit_trail_broken first_broken={} problem=\"{}\"", verified->first_broken_event(),
                    LogQuoted(verified->problem()));
    } else {
      spdlog::info("event=audit_verified events={}", verified->events_checked());
    }
  });
  std::unique_ptr<PeriodicTask> metrics_refresher;
  if (metrics_endpoint != nullptr) {
    metrics_refresher = std::make_unique<PeriodicTask>(absl::GetFlag(FLAGS_metrics_refresh_interval),
                                                       [&service] { service.RefreshMetrics(); });
  }
  RunUntilSignalled(
      config, *started->server, [&service] { return service.Ready(); },
      [&service] {
        // Every service's face is a GuardedService (its access policy).
        if (auto* guarded = dynamic_cast<GuardedService*>(service.service())) guarded->EndStreams();
      });
  return EXIT_SUCCESS;
}

}  // namespace ladder::server
