#include "common/server/access_log.h"

#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/observability/trace_context.h"
#include "common/server/caller_limits.h"
#include "common/server/logging.h"
#include "grpcpp/server_context.h"
#include "spdlog/spdlog.h"

namespace ladder::server {
namespace {

spdlog::level::level_enum LevelFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return spdlog::level::debug;
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return spdlog::level::warn;
    default:
      return spdlog::level::info;
  }
}

class AccessLogInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit AccessLogInterceptor(grpc::experimental::ServerRpcInfo* info) : info_(info), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const auto level = LevelFor(status.error_code());
      if (spdlog::should_log(level)) {
        const grpc::ServerContextBase& context = *info_->server_context();
        const std::string actor = CallerLimits::Process().ActorOf(&context);
        spdlog::log(level, "event=rpc method={} code={} ms={:.2f} trace_id={} peer={} actor=\"{}\" message=\"{}\"",
                    info_->method(), static_cast<int>(status.error_code()),
                    absl::ToDoubleMilliseconds(absl::Now() - start_), observability::TraceIdOf(context), context.peer(),
                    LogQuoted(actor.empty() ? "-" : actor), LogQuoted(status.error_message()));
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  absl::Time start_;
};

class AccessLogFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    // gRPC takes ownership of the interceptor.
    return new AccessLogInterceptor(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeAccessLogFactory() {
  return std::make_unique<AccessLogFactory>();
}

}  // namespace ladder::server
