#pragma once

// h2load (Debian's nghttp2-client) as a second load generator for gRPC unary calls: a
// prepared request body sent over TLS with the headers gRPC needs and a bearer token. It
// drives the same server as the benchmark's own generator, so the two figures side by side
// say whether the generator is what limits a measurement. h2load does not read gRPC's
// trailers: a refused call counts as a succeeded HTTP request, so a run is checked by the
// bytes of response data it received.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace ladder::bench {

// Writes `message` to `path` as one uncompressed gRPC message (the 5-byte prefix, then the
// serialized message): what h2load sends as each call's body.
absl::Status WriteGrpcMessage(const std::string& path, const google::protobuf::Message& message);

// One h2load run against a gRPC method.
struct H2loadCall {
  std::string address;    // host:port, served with TLS
  std::string method;     // "/package.Service/Method"
  std::string token;      // the bearer token every call carries
  std::string body_path;  // written by WriteGrpcMessage
  int connections = 1;
  int streams_per_connection = 16;       // calls in flight on each connection
  std::vector<std::string> extra_flags;  // e.g. {"-w", "0"} or {"--rps", "50"}
};

// Starts h2load with `call` and `run_flags` (how long or how many: {"-D", "5"}), its
// output going to `log`; -1 if it could not be started.
pid_t StartH2load(const H2loadCall& call, const std::vector<std::string>& run_flags, const std::string& log);

// What h2load printed at the end of a run.
struct H2loadFigures {
  double requests_per_second = 0;
  int64_t done = 0;
  int64_t succeeded = 0;   // HTTP-level: a gRPC refusal is a success here
  int64_t data_bytes = 0;  // response data received (gRPC messages with their prefixes)
};

// Reads h2load's summary ("finished in …", "requests: …", "traffic: …") from its output.
absl::StatusOr<H2loadFigures> ParseH2loadSummary(absl::string_view output);

// Runs `call` for `duration` after `warmup`, waits for h2load, and returns its summary; an
// error if h2load is missing, fails, or received less response data than `done` calls of
// at least `min_response_bytes` each (some calls were refused).
absl::StatusOr<H2loadFigures> RunH2load(const H2loadCall& call, absl::Duration warmup, absl::Duration duration,
                                        int64_t min_response_bytes, const std::string& log);

}  // namespace ladder::bench
