#include "common/server/flags.h"

#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "address:port to serve gRPC on");
ABSL_FLAG(std::string, database, "", "database URL, mysql://user:password@host:port/database?socket=/path");
ABSL_FLAG(std::string, policy_dir, "config/policy", "directory of policy *.textproto files");
ABSL_FLAG(std::string, log_level, "info", "trace, debug, info, warn or error");
ABSL_FLAG(std::string, log_format, "logfmt", "logfmt (for a terminal) or json (one object per line)");
ABSL_FLAG(std::string, metrics_listen, "",
          "address:port of the Prometheus /metrics endpoint (plain HTTP); empty: none");
ABSL_FLAG(absl::Duration, metrics_refresh_interval, absl::Seconds(15),
          "how often the domain gauges (counties, cases) are read from the database");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(20),
          "on SIGTERM, time given to calls in flight before they are cancelled");
ABSL_FLAG(absl::Duration, health_interval, absl::Seconds(2), "how often the database is probed for the health service");
ABSL_FLAG(absl::Duration, health_timeout, absl::Seconds(2),
          "a readiness probe that has not answered after this counts as failed");
ABSL_FLAG(int, max_threads, 200,
          "threads the server may use for calls in progress; beyond them a call is "
          "RESOURCE_EXHAUSTED");
ABSL_FLAG(int, max_concurrent_streams, 64, "HTTP/2 streams one connection may have open");
ABSL_FLAG(int, memory_quota_mb, 512, "gRPC's memory quota for the server's buffers, MiB");
ABSL_FLAG(int, max_calls_per_person, 32,
          "calls one person (token subject) may have in flight, responses not yet read "
          "included; 0: no limit");
ABSL_FLAG(int, max_calls_per_service, 256,
          "calls one Ladder service (client certificate) may have in flight; 0: no limit");
ABSL_FLAG(double, refusals_per_second, 5,
          "refused calls one caller may cause per second (each is audited); 0: no limit");
ABSL_FLAG(int, refusal_burst, 50, "refused calls one caller may cause at once");
ABSL_FLAG(absl::Duration, stream_first_message_timeout, absl::Seconds(10),
          "a client stream that sends no message within this is cancelled");
ABSL_FLAG(bool, migrate, true, "apply schema migrations at start");
ABSL_FLAG(bool, migrate_only, false, "apply schema migrations, then exit");
ABSL_FLAG(absl::Duration, request_id_retention, absl::Hours(24 * 30),
          "how long a request_id is remembered for idempotent retries");
ABSL_FLAG(absl::Duration, change_retention, absl::Hours(24 * 400),
          "how long the change feed keeps a change; a cursor older than that is refused "
          "(CURSOR_EXPIRED), so a consumer must never stop for longer");
ABSL_FLAG(bool, change_feed, true,
          "publish changes to the change feed; off only to measure what publishing costs (a "
          "server without it leaves its changes out of the feed for good)");
ABSL_FLAG(absl::Duration, audit_verify_interval, absl::Hours(6),
          "how often the server verifies its whole audit trail itself (and at start)");
ABSL_FLAG(absl::Duration, audit_seal_interval, absl::Milliseconds(500),
          "how often committed audit events are sealed into the hash chain; listing and "
          "verifying the trail seal first, so this bounds only how long an event stays "
          "unsealed");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of this service: its server identity, and its client identity "
          "on calls to other services");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA bundle that signs the suite's certificates (client certificates and the "
          "servers this one calls)");
ABSL_FLAG(absl::Duration, tls_reload_interval, absl::Seconds(60),
          "how often the certificate, key and CA files are read again");
ABSL_FLAG(bool, insecure_plaintext, false, "DEVELOPMENT ONLY: serve and call plaintext, with no authentication at all");
ABSL_FLAG(std::string, jwt_keys_dir, "", "directory of bearer-token public keys, <kid>.pem");
ABSL_FLAG(std::string, jwt_issuer, "ladder", "the iss every bearer token must carry");
ABSL_FLAG(std::string, jwt_audience, "ladder", "the aud every bearer token must carry");

namespace ladder::server {
namespace {

constexpr std::pair<const char*, const char*> kEnvironment[] = {
    {"LADDER_LISTEN", "listen"},
    {"LADDER_DATABASE_URL", "database"},
    {"LADDER_POLICY_DIR", "policy_dir"},
    {"LADDER_LOG_LEVEL", "log_level"},
    {"LADDER_LOG_FORMAT", "log_format"},
    {"LADDER_METRICS_LISTEN", "metrics_listen"},
    {"LADDER_METRICS_REFRESH_INTERVAL", "metrics_refresh_interval"},
    {"LADDER_SHUTDOWN_GRACE", "shutdown_grace"},
    {"LADDER_HEALTH_INTERVAL", "health_interval"},
    {"LADDER_HEALTH_TIMEOUT", "health_timeout"},
    {"LADDER_MAX_THREADS", "max_threads"},
    {"LADDER_MAX_CONCURRENT_STREAMS", "max_concurrent_streams"},
    {"LADDER_MEMORY_QUOTA_MB", "memory_quota_mb"},
    {"LADDER_MAX_CALLS_PER_PERSON", "max_calls_per_person"},
    {"LADDER_MAX_CALLS_PER_SERVICE", "max_calls_per_service"},
    {"LADDER_REFUSALS_PER_SECOND", "refusals_per_second"},
    {"LADDER_REFUSAL_BURST", "refusal_burst"},
    {"LADDER_STREAM_FIRST_MESSAGE_TIMEOUT", "stream_first_message_timeout"},
    {"LADDER_MIGRATE", "migrate"},
    {"LADDER_REQUEST_ID_RETENTION", "request_id_retention"},
    {"LADDER_CHANGE_RETENTION", "change_retention"},
    {"LADDER_AUDIT_SEAL_INTERVAL", "audit_seal_interval"},
    {"LADDER_AUDIT_VERIFY_INTERVAL", "audit_verify_interval"},
    {"LADDER_TLS_CERT", "tls_cert"},
    {"LADDER_TLS_KEY", "tls_key"},
    {"LADDER_TLS_CA", "tls_ca"},
    {"LADDER_TLS_RELOAD_INTERVAL", "tls_reload_interval"},
    {"LADDER_INSECURE_PLAINTEXT", "insecure_plaintext"},
    {"LADDER_JWT_KEYS_DIR", "jwt_keys_dir"},
    {"LADDER_JWT_ISSUER", "jwt_issuer"},
    {"LADDER_JWT_AUDIENCE", "jwt_audience"},
};

}  // namespace

void ParseFlags(int argc, char** argv, absl::string_view usage,
                const std::vector<std::pair<const char*, const char*>>& extra_environment) {
  absl::SetProgramUsageMessage(usage);
  std::vector<std::pair<const char*, const char*>> environment(std::begin(kEnvironment), std::end(kEnvironment));
  environment.insert(environment.end(), extra_environment.begin(), extra_environment.end());
  for (const auto& [variable, flag_name] : environment) {
    const char* value = std::getenv(variable);
    if (value == nullptr) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(flag_name);
    std::string error;
    if (flag == nullptr || !flag->ParseFrom(value, &error)) {
      std::fprintf(stderr, "%s: invalid value: %s\n", variable, error.c_str());
      std::exit(2);
    }
  }
  absl::ParseCommandLine(argc, argv);
}

const char* DatabasePasswordFromEnvironment() { return std::getenv("LADDER_DATABASE_PASSWORD"); }

}  // namespace ladder::server
