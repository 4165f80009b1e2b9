#pragma once

// Flags every Ladder server takes. Each can also come from the environment (the name in
// brackets), which is how Kubernetes passes them; a flag on the command line wins.
//   --listen            [LADDER_LISTEN]          address:port to serve on
//   --database          [LADDER_DATABASE_URL]    mysql://user@host:port/db?socket=…
//                       [LADDER_DATABASE_PASSWORD] overrides the URL's password (a Secret)
//   --policy_dir        [LADDER_POLICY_DIR]      directory of policy *.textproto files
//   --log_level         [LADDER_LOG_LEVEL]       trace, debug, info, warn, error
//   --log_format        [LADDER_LOG_FORMAT]      logfmt (default) or json
//   --metrics_listen    [LADDER_METRICS_LISTEN]  address:port of GET /metrics; empty: none
//   --metrics_refresh_interval [LADDER_METRICS_REFRESH_INTERVAL] how often domain gauges are read
//   --shutdown_grace    [LADDER_SHUTDOWN_GRACE]  time given to calls in flight on SIGTERM
//   --health_interval   [LADDER_HEALTH_INTERVAL] how often the database is probed
//   --health_timeout    [LADDER_HEALTH_TIMEOUT]  a probe unanswered this long has failed
// Limits (docs/security.md, "Limits"):
//   --max_threads, --max_concurrent_streams, --memory_quota_mb
//   --max_calls_per_person, --max_calls_per_service, --refusals_per_second, --refusal_burst
//   --stream_first_message_timeout  [LADDER_ + the flag's name in capitals]
//   --migrate           [LADDER_MIGRATE]         apply schema migrations at start
//   --migrate_only                               apply migrations and exit (a Job)
//   --request_id_retention [LADDER_REQUEST_ID_RETENTION] how long request ids are kept
//   --change_retention [LADDER_CHANGE_RETENTION] how long the change feed keeps a change
//   --audit_seal_interval [LADDER_AUDIT_SEAL_INTERVAL] how often pending audit events are sealed
//   --audit_verify_interval [LADDER_AUDIT_VERIFY_INTERVAL] how often the server verifies its trail
// Security (docs/security.md):
//   --tls_cert, --tls_key, --tls_ca [LADDER_TLS_CERT, LADDER_TLS_KEY, LADDER_TLS_CA]
//                       this service's certificate and key, and the suite's CA
//   --tls_reload_interval [LADDER_TLS_RELOAD_INTERVAL] how often those files are re-read
//   --insecure_plaintext [LADDER_INSECURE_PLAINTEXT] development only: no TLS, no authentication
//   --jwt_keys_dir      [LADDER_JWT_KEYS_DIR]    bearer-token public keys, <kid>.pem
//   --jwt_issuer, --jwt_audience [LADDER_JWT_ISSUER, LADDER_JWT_AUDIENCE]

#include <string>
#include <utility>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, database);
ABSL_DECLARE_FLAG(std::string, policy_dir);
ABSL_DECLARE_FLAG(std::string, log_level);
ABSL_DECLARE_FLAG(std::string, log_format);
ABSL_DECLARE_FLAG(std::string, metrics_listen);
ABSL_DECLARE_FLAG(absl::Duration, metrics_refresh_interval);
ABSL_DECLARE_FLAG(absl::Duration, shutdown_grace);
ABSL_DECLARE_FLAG(absl::Duration, health_interval);
ABSL_DECLARE_FLAG(absl::Duration, health_timeout);
ABSL_DECLARE_FLAG(int, max_threads);
ABSL_DECLARE_FLAG(int, max_concurrent_streams);
ABSL_DECLARE_FLAG(int, memory_quota_mb);
ABSL_DECLARE_FLAG(int, max_calls_per_person);
ABSL_DECLARE_FLAG(int, max_calls_per_service);
ABSL_DECLARE_FLAG(double, refusals_per_second);
ABSL_DECLARE_FLAG(int, refusal_burst);
ABSL_DECLARE_FLAG(absl::Duration, stream_first_message_timeout);
ABSL_DECLARE_FLAG(bool, migrate);
ABSL_DECLARE_FLAG(bool, migrate_only);
ABSL_DECLARE_FLAG(absl::Duration, request_id_retention);
ABSL_DECLARE_FLAG(absl::Duration, change_retention);
ABSL_DECLARE_FLAG(bool, change_feed);
ABSL_DECLARE_FLAG(absl::Duration, audit_seal_interval);
ABSL_DECLARE_FLAG(absl::Duration, audit_verify_interval);
ABSL_DECLARE_FLAG(std::string, tls_cert);
ABSL_DECLARE_FLAG(std::string, tls_key);
ABSL_DECLARE_FLAG(std::string, tls_ca);
ABSL_DECLARE_FLAG(absl::Duration, tls_reload_interval);
ABSL_DECLARE_FLAG(bool, insecure_plaintext);
ABSL_DECLARE_FLAG(std::string, jwt_keys_dir);
ABSL_DECLARE_FLAG(std::string, jwt_issuer);
ABSL_DECLARE_FLAG(std::string, jwt_audience);

namespace ladder::server {

// Applies LADDER_* environment variables to the flags above, then parses the command
// line. Exits with a message on a malformed value.
// `extra_environment` maps further variables to a service's own flags.
void ParseFlags(int argc, char** argv, absl::string_view usage,
                const std::vector<std::pair<const char*, const char*>>& extra_environment = {});

// The database password from LADDER_DATABASE_PASSWORD, if set.
const char* DatabasePasswordFromEnvironment();

}  // namespace ladder::server
