#include "common/observability/grpc_metrics.h"

#include <array>
#include <chrono>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/observability/metrics.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"

namespace ladder::observability {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr int kStatusCodes = 17;  // OK .. UNAUTHENTICATED

const char* CodeName(int code) {
  static constexpr std::array<const char*, kStatusCodes> kNames = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  return code >= 0 && code < kStatusCodes ? kNames[code] : "Unknown";
}

// One side's families: "server" or "client".
struct Families {
  explicit Families(const std::string& side)
      : started(prometheus::BuildCounter()
                    .Name(absl::StrCat("grpc_", side, "_started_total"))
                    .Help(absl::StrCat("RPCs started on the ", side, "."))
                    .Register(Metrics())),
        handled(prometheus::BuildCounter()
                    .Name(absl::StrCat("grpc_", side, "_handled_total"))
                    .Help(absl::StrCat("RPCs completed on the ", side, ", by status code."))
                    .Register(Metrics())),
        handling(prometheus::BuildHistogram()
                     .Name(absl::StrCat("grpc_", side, "_handling_seconds"))
                     .Help(absl::StrCat("Time from the start of an RPC to its status, on the ", side, "."))
                     .Register(Metrics())),
        received(prometheus::BuildCounter()
                     .Name(absl::StrCat("grpc_", side, "_msg_received_total"))
                     .Help(absl::StrCat("Messages received on the ", side, "."))
                     .Register(Metrics())),
        sent(prometheus::BuildCounter()
                 .Name(absl::StrCat("grpc_", side, "_msg_sent_total"))
                 .Help(absl::StrCat("Messages sent on the ", side, "."))
                 .Register(Metrics())) {}

  prometheus::Family<prometheus::Counter>& started;
  prometheus::Family<prometheus::Counter>& handled;
  prometheus::Family<prometheus::Histogram>& handling;
  prometheus::Family<prometheus::Counter>& received;
  prometheus::Family<prometheus::Counter>& sent;
};

// The series of one method of one type, looked up once.
struct MethodSeries {
  prometheus::Counter* started;
  prometheus::Histogram* handling;
  prometheus::Counter* received;
  prometheus::Counter* sent;
  std::array<prometheus::Counter*, kStatusCodes> handled;
};

class SeriesCache final {
 public:
  explicit SeriesCache(const std::string& side) : families_(side) {}

  // `full_method` is "/package.Service/Method".
  const MethodSeries& For(absl::string_view full_method, const char* type) {
    const std::string key = absl::StrCat(full_method, " ", type);
    {
      absl::ReaderMutexLock lock(&mu_);
      if (auto found = series_.find(key); found != series_.end()) return *found->second;
    }
    absl::MutexLock lock(&mu_);
    std::unique_ptr<MethodSeries>& series = series_[key];
    if (series == nullptr) series = Create(full_method, type);
    return *series;
  }

 private:
  std::unique_ptr<MethodSeries> Create(absl::string_view full_method, const char* type) {
    absl::string_view service = "unknown";
    absl::string_view method = full_method;
    if (absl::ConsumePrefix(&method, "/")) {
      if (const size_t slash = method.find('/'); slash != absl::string_view::npos) {
        service = method.substr(0, slash);
        method.remove_prefix(slash + 1);
      }
    }
    const prometheus::Labels labels = {
        {"grpc_service", std::string(service)}, {"grpc_method", std::string(method)}, {"grpc_type", type}};
    auto series = std::make_unique<MethodSeries>();
    series->started = &families_.started.Add(labels);
    series->handling = &families_.handling.Add(labels, LatencyBuckets());
    series->received = &families_.received.Add(labels);
    series->sent = &families_.sent.Add(labels);
    for (int code = 0; code < kStatusCodes; ++code) {
      prometheus::Labels with_code = labels;
      with_code.emplace("grpc_code", CodeName(code));
      series->handled[code] = &families_.handled.Add(with_code);
    }
    return series;
  }

  Families families_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodSeries>> series_ ABSL_GUARDED_BY(mu_);
};

SeriesCache& ServerSeries() {
  static auto* cache = new SeriesCache("server");
  return *cache;
}

SeriesCache& ClientSeries() {
  static auto* cache = new SeriesCache("client");
  return *cache;
}

template <typename Type>
const char* TypeName(Type type) {
  switch (type) {
    case Type::UNARY:
      return "unary";
    case Type::CLIENT_STREAMING:
      return "client_stream";
    case Type::SERVER_STREAMING:
      return "server_stream";
    case Type::BIDI_STREAMING:
      return "bidi_stream";
    default:
      return "unknown";
  }
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class ServerMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit ServerMetricsInterceptor(grpc::experimental::ServerRpcInfo* info)
      : series_(ServerSeries().For(info->method(), TypeName(info->type()))) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      series_.started->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      series_.received->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      series_.sent->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      series_.handled[static_cast<int>(methods->GetSendStatus().error_code()) % kStatusCodes]->Increment();
      series_.handling->Observe(SecondsSince(start_));
    }
    methods->Proceed();
  }

 private:
  const MethodSeries& series_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class ClientMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit ClientMetricsInterceptor(grpc::experimental::ClientRpcInfo* info)
      : series_(ClientSeries().For(info->method(), TypeName(info->type()))) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      series_.started->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      series_.sent->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      series_.received->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      const grpc::Status* status = methods->GetRecvStatus();
      const int code =
          status == nullptr ? static_cast<int>(grpc::StatusCode::UNKNOWN) : static_cast<int>(status->error_code());
      series_.handled[code % kStatusCodes]->Increment();
      series_.handling->Observe(SecondsSince(start_));
    }
    methods->Proceed();
  }

 private:
  const MethodSeries& series_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class ServerMetricsFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new ServerMetricsInterceptor(info);  // gRPC owns it
  }
};

class ClientMetricsFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo* info) override {
    return new ClientMetricsInterceptor(info);  // gRPC owns it
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeServerMetricsFactory() {
  return std::make_unique<ServerMetricsFactory>();
}

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> MakeClientMetricsFactory() {
  return std::make_unique<ClientMetricsFactory>();
}

}  // namespace ladder::observability
