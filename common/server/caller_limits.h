#pragma once

// What one caller may hold of a server, so that no caller can take its threads or its
// database from the others:
//   - calls in flight: a call counts from the guard's admission until its last byte has been
//     sent, so a caller that never reads its responses (an HTTP/2 window of 0) keeps its
//     calls counted and soon gets RESOURCE_EXHAUSTED instead of a thread per call;
//   - refusals: every PERMISSION_DENIED is written to the audit trail, so refusals are
//     metered by a token bucket per caller; beyond it a caller is answered
//     RESOURCE_EXHAUSTED without a write.
// Both answers carry RetryInfo. The server as a whole is bounded apart from this (the thread
// quota and streams per connection, server_runner.h); these limits share it fairly.

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"

namespace ladder::server {

struct CallerLimitOptions {
  // Calls in flight of one person (a bearer token's subject); 0 turns the limit off.
  int max_calls_per_person = 32;
  // Calls in flight of one Ladder service (a client certificate), which calls for many people.
  int max_calls_per_service = 256;
  // Refusals one caller may cause per second, and at once.
  double refusals_per_second = 5;
  int refusal_burst = 50;
  // What RetryInfo tells a caller over its in-flight limit.
  absl::Duration retry_delay = absl::Milliseconds(250);

  // No per-caller limits at all (the server-wide bounds still hold).
  static CallerLimitOptions None() {
    CallerLimitOptions options;
    options.max_calls_per_person = 0;
    options.max_calls_per_service = 0;
    options.refusals_per_second = 0;
    return options;
  }
};

class CallerLimits final {
 public:
  explicit CallerLimits(CallerLimitOptions options = {});
  CallerLimits(const CallerLimits&) = delete;
  CallerLimits& operator=(const CallerLimits&) = delete;

  // The limits every guard of this process applies; StartServer configures them.
  static CallerLimits& Process();
  void Configure(const CallerLimitOptions& options);

  // Counts `call` against its caller until Finished(call); RESOURCE_EXHAUSTED (with
  // RetryInfo) when the caller already has its maximum in flight.
  absl::Status Admit(const grpc::ServerContextBase* call, const auth::Principal& principal);
  // OK when `principal` is below its limit now; RESOURCE_EXHAUSTED otherwise. Admits
  // nothing: the transport asks it to turn a flooding caller away before the call takes a
  // thread, and Admit decides.
  absl::Status CheckRoom(const auth::Principal& principal) const;
  // The call's last byte is sent (or it was cancelled); a call never admitted is ignored.
  void Finished(const grpc::ServerContextBase* call);
  // The actor of an admitted call until it finished (for its access-log line); empty for a
  // call not admitted (unauthenticated, or refused before).
  std::string ActorOf(const grpc::ServerContextBase* call) const;

  // OK when a refusal of `principal` may be recorded now (and takes a token);
  // RESOURCE_EXHAUSTED with RetryInfo otherwise.
  absl::Status AllowRefusal(const auth::Principal& principal);

  // Calls of `actor` in flight now, for tests and diagnostics.
  int InFlight(const std::string& actor) const;

  // The interceptor that reports each call's end to Process().
  static std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCallEndFactory();

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
  };

  mutable absl::Mutex mu_;
  CallerLimitOptions options_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> in_flight_ ABSL_GUARDED_BY(mu_);
  struct Call {
    std::string actor;
    // Whether it counts in in_flight_ (its caller has a limit).
    bool counted = false;
  };
  // Every admitted call until it finishes, limited or not.
  absl::flat_hash_map<const grpc::ServerContextBase*, Call> calls_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Bucket> refusals_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ladder::server
