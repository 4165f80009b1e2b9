#include "common/observability/trace_context.h"

#include <random>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"

namespace ladder::observability {
namespace {

using grpc::experimental::InterceptionHookPoints;

thread_local const TraceParent* current_trace = nullptr;

bool IsLowerHex(absl::string_view text, size_t length) {
  if (text.size() != length) return false;
  bool nonzero = false;
  for (const char c : text) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
    nonzero |= c != '0';
  }
  return nonzero;
}

std::string RandomHex(size_t digits) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digits);
  while (hex.size() < digits) {
    uint64_t bits = generator();
    for (int i = 0; i < 16 && hex.size() < digits; ++i, bits >>= 4) hex.push_back(kDigits[bits & 0xf]);
  }
  if (hex.find_first_not_of('0') == std::string::npos) hex.back() = '1';  // all zero is invalid
  return hex;
}

// Holds the header it put into the call's metadata for as long as the call lives (gRPC
// destroys interceptors with the call).
class ServerTraceInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit ServerTraceInterceptor(grpc::experimental::ServerRpcInfo* info) : info_(info) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      std::multimap<grpc::string_ref, grpc::string_ref>* metadata = methods->GetRecvInitialMetadata();
      std::optional<TraceParent> received;
      if (auto found = metadata->find(kTraceparentHeader); found != metadata->end()) {
        received = TraceParent::Parse(absl::string_view(found->second.data(), found->second.size()));
        metadata->erase(kTraceparentHeader);
      }
      // The handler and the access log read the trace from the metadata: the caller's,
      // or the one started here.
      const TraceParent trace = received.has_value() ? *received : TraceParent::NewTrace();
      header_ = trace.Header();
      metadata->emplace(kTraceparentHeader, grpc::string_ref(header_));
      info_->server_context()->AddInitialMetadata(kTraceparentHeader, trace.NewSpan().Header());
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  std::string header_;
};

class ClientTraceInterceptor final : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      const TraceParent* trace = CurrentTrace();
      const TraceParent span = trace != nullptr ? trace->NewSpan() : TraceParent::NewTrace();
      std::multimap<std::string, std::string>* metadata = methods->GetSendInitialMetadata();
      if (metadata->find(kTraceparentHeader) == metadata->end()) {
        metadata->emplace(kTraceparentHeader, span.Header());
      }
    }
    methods->Proceed();
  }
};

class ServerTraceFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new ServerTraceInterceptor(info);
  }
};

class ClientTraceFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo*) override {
    return new ClientTraceInterceptor();
  }
};

}  // namespace

std::optional<TraceParent> TraceParent::Parse(absl::string_view header) {
  header = absl::StripAsciiWhitespace(header);
  std::vector<absl::string_view> parts = absl::StrSplit(header, '-');
  if (parts.size() < 4) return std::nullopt;
  const absl::string_view version = parts[0];
  // Version ff is forbidden; version 00 has exactly four parts; later ones may add more.
  if (version.size() != 2 || version == "ff" || !absl::ascii_isxdigit(version[0]) ||
      !absl::ascii_isxdigit(version[1]) || (version == "00" && parts.size() != 4)) {
    return std::nullopt;
  }
  if (absl::AsciiStrToLower(version) != version) return std::nullopt;
  if (!IsLowerHex(parts[1], 32) || !IsLowerHex(parts[2], 16)) return std::nullopt;
  const absl::string_view flags = parts[3];
  if (flags.size() != 2 || !absl::ascii_isxdigit(flags[0]) || !absl::ascii_isxdigit(flags[1])) {
    return std::nullopt;
  }
  TraceParent trace;
  trace.trace_id = std::string(parts[1]);
  trace.parent_id = std::string(parts[2]);
  const int flag_bits = std::stoi(std::string(flags), nullptr, 16);
  trace.sampled = (flag_bits & 1) != 0;
  return trace;
}

TraceParent TraceParent::NewTrace() {
  TraceParent trace;
  trace.trace_id = RandomHex(32);
  trace.parent_id = RandomHex(16);
  trace.sampled = true;
  return trace;
}

TraceParent TraceParent::NewSpan() const {
  TraceParent span = *this;
  span.parent_id = RandomHex(16);
  return span;
}

std::string TraceParent::Header() const {
  return absl::StrCat("00-", trace_id, "-", parent_id, sampled ? "-01" : "-00");
}

ScopedTrace::ScopedTrace(TraceParent trace) : trace_(std::move(trace)), previous_(current_trace) {
  current_trace = &trace_;
}

ScopedTrace::~ScopedTrace() { current_trace = previous_; }

const TraceParent* CurrentTrace() { return current_trace; }

TraceParent TraceOf(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  if (auto found = metadata.find(kTraceparentHeader); found != metadata.end()) {
    if (std::optional<TraceParent> trace =
            TraceParent::Parse(absl::string_view(found->second.data(), found->second.size()))) {
      return *std::move(trace);
    }
  }
  return TraceParent::NewTrace();
}

std::string TraceIdOf(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto found = metadata.find(kTraceparentHeader);
  // The interceptor wrote "00-<trace id>-…".
  if (found == metadata.end() || found->second.size() < 35) return "";
  return std::string(found->second.data() + 3, 32);
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeServerTraceFactory() {
  return std::make_unique<ServerTraceFactory>();
}

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> MakeClientTraceFactory() {
  return std::make_unique<ClientTraceFactory>();
}

}  // namespace ladder::observability
