#pragma once

// W3C Trace Context (https://www.w3.org/TR/trace-context/) across the suite, so one
// request can be followed from careerpath into personnel's logs by its trace id:
//   * a server takes the caller's `traceparent` header, or starts a trace when there is
//     none (or it is malformed), and returns the header of its own span to the caller in
//     the response's initial metadata;
//   * while a handler runs, the thread knows its trace (ScopedTrace, set by the call guard),
//     and every call it makes to another service carries a `traceparent` with that trace
//     id and a span id of the outgoing call;
//   * the access log prints the trace id of every call.
// Spans are not recorded anywhere (there is no tracing backend in the suite); the ids are
// for logs, and for a collector if one is put in front.

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/client_interceptor.h"
#include "grpcpp/support/server_interceptor.h"

namespace ladder::observability {

inline constexpr char kTraceparentHeader[] = "traceparent";

struct TraceParent {
  std::string trace_id;   // 32 lowercase hex digits, not all zero
  std::string parent_id;  // 16 lowercase hex digits, not all zero: the span that sent it
  bool sampled = false;

  // A header of version 00 (or a later version, read as 00 says); nullopt if malformed.
  static std::optional<TraceParent> Parse(absl::string_view header);
  // A new trace, sampled, with a random span id.
  static TraceParent NewTrace();
  // The same trace and flags with a new random span id: the header of a span this process
  // starts under this one.
  TraceParent NewSpan() const;
  std::string Header() const;
};

// The trace of the call this thread is serving. Sync handlers run on one thread from
// start to end.
class ScopedTrace final {
 public:
  explicit ScopedTrace(TraceParent trace);
  ~ScopedTrace();
  ScopedTrace(const ScopedTrace&) = delete;
  ScopedTrace& operator=(const ScopedTrace&) = delete;

 private:
  TraceParent trace_;
  const TraceParent* previous_;
};

// The trace of the call running on this thread; null outside one.
const TraceParent* CurrentTrace();

// The trace id of the call, as the trace interceptor left it in the call's metadata;
// "" when there is none.
std::string TraceIdOf(const grpc::ServerContextBase& context);
// The trace of the call, as the trace interceptor left it in the call's metadata; a new
// trace if there is none (a server built without the interceptor).
TraceParent TraceOf(const grpc::ServerContextBase& context);

// Server side: reads or starts the trace of each call and answers with its span's header.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeServerTraceFactory();
// Client side: a `traceparent` on every outgoing call, under the thread's trace if any.
std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> MakeClientTraceFactory();

}  // namespace ladder::observability
