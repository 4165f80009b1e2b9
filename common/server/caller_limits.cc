#include "common/server/caller_limits.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace ladder::server {
namespace {

// Buckets of callers who stopped being refused are dropped once the map holds this many.
constexpr size_t kMaxBuckets = 10000;

int LimitFor(const CallerLimitOptions& options, const auth::Principal& principal) {
  return principal.role == auth::Role::kService ? options.max_calls_per_service : options.max_calls_per_person;
}

absl::Status TooManyCallsInFlight(int limit, absl::Duration retry_delay) {
  return WithRetryDelay(ErrorWithReason(absl::StatusCode::kResourceExhausted, reason::kTooManyCallsInFlight,
                                        absl::StrCat("this caller already has ", limit,
                                                     " calls in flight; wait for them (and read their responses)"),
                                        {{"limit", absl::StrCat(limit)}}),
                        retry_delay);
}

// Reports the end of every call: gRPC destroys a call's interceptors with the call, after its
// status (and any response before it) has gone out.
class CallEndInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit CallEndInterceptor(grpc::experimental::ServerRpcInfo* info) : info_(info) {}
  ~CallEndInterceptor() override { CallerLimits::Process().Finished(info_->server_context()); }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override { methods->Proceed(); }

 private:
  grpc::experimental::ServerRpcInfo* info_;
};

class CallEndFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new CallEndInterceptor(info);
  }
};

}  // namespace

CallerLimits::CallerLimits(CallerLimitOptions options) : options_(std::move(options)) {}

CallerLimits& CallerLimits::Process() {
  static CallerLimits* limits = new CallerLimits();
  return *limits;
}

void CallerLimits::Configure(const CallerLimitOptions& options) {
  absl::MutexLock lock(&mu_);
  options_ = options;
}

absl::Status CallerLimits::Admit(const grpc::ServerContextBase* call, const auth::Principal& principal) {
  absl::MutexLock lock(&mu_);
  if (calls_.contains(call)) return absl::OkStatus();
  const int limit = LimitFor(options_, principal);
  if (limit > 0) {
    int& count = in_flight_[principal.actor];
    if (count >= limit) return TooManyCallsInFlight(limit, options_.retry_delay);
    ++count;
  }
  calls_.emplace(call, Call{principal.actor, limit > 0});
  return absl::OkStatus();
}

absl::Status CallerLimits::CheckRoom(const auth::Principal& principal) const {
  absl::MutexLock lock(&mu_);
  const int limit = LimitFor(options_, principal);
  if (limit <= 0) return absl::OkStatus();
  auto it = in_flight_.find(principal.actor);
  if (it == in_flight_.end() || it->second < limit) return absl::OkStatus();
  return TooManyCallsInFlight(limit, options_.retry_delay);
}

void CallerLimits::Finished(const grpc::ServerContextBase* call) {
  absl::MutexLock lock(&mu_);
  auto it = calls_.find(call);
  if (it == calls_.end()) return;
  if (it->second.counted) {
    auto counted = in_flight_.find(it->second.actor);
    if (counted != in_flight_.end() && --counted->second <= 0) in_flight_.erase(counted);
  }
  calls_.erase(it);
}

std::string CallerLimits::ActorOf(const grpc::ServerContextBase* call) const {
  absl::MutexLock lock(&mu_);
  auto it = calls_.find(call);
  return it == calls_.end() ? std::string() : it->second.actor;
}

absl::Status CallerLimits::AllowRefusal(const auth::Principal& principal) {
  absl::MutexLock lock(&mu_);
  if (options_.refusals_per_second <= 0) return absl::OkStatus();
  const absl::Time now = absl::Now();
  const double burst = std::max(1, options_.refusal_burst);
  if (refusals_.size() >= kMaxBuckets) {
    // Drop the buckets that have refilled: those callers start again from a full bucket.
    absl::erase_if(refusals_, [&](const auto& entry) {
      return entry.second.tokens + absl::ToDoubleSeconds(now - entry.second.refilled) * options_.refusals_per_second >=
             burst;
    });
  }
  auto [it, inserted] = refusals_.try_emplace(principal.actor, Bucket{burst, now});
  Bucket& bucket = it->second;
  if (!inserted) {
    bucket.tokens =
        std::min(burst, bucket.tokens + absl::ToDoubleSeconds(now - bucket.refilled) * options_.refusals_per_second);
    bucket.refilled = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return absl::OkStatus();
  }
  const absl::Duration wait = absl::Seconds((1 - bucket.tokens) / options_.refusals_per_second);
  return WithRetryDelay(ErrorWithReason(absl::StatusCode::kResourceExhausted, reason::kTooManyRefusals,
                                        "this caller was refused too often in a short time; slow down"),
                        wait);
}

int CallerLimits::InFlight(const std::string& actor) const {
  absl::MutexLock lock(&mu_);
  auto it = in_flight_.find(actor);
  return it == in_flight_.end() ? 0 : it->second;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> CallerLimits::MakeCallEndFactory() {
  return std::make_unique<CallEndFactory>();
}

}  // namespace ladder::server
