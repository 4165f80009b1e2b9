#pragma once

// The registered face of a service: a grpc::Service whose methods are bound, one by one, to
// the implementation's handlers through the CallGuard. The access policy of a service is such
// a subclass (services/*/access_policy.cc). Methods are registered as ordinary sync unary (or
// client-streaming) methods on raw bytes, so the guard, not the generated code, parses the
// requests, and a call costs what a generated method costs. A method the policy does not
// bind is not registered: the server answers UNIMPLEMENTED. Server-streaming methods (the
// change feed's watch) are bound the same way.

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/auth/caller.h"
#include "common/db/call_deadline.h"
#include "common/observability/trace_context.h"
#include "common/server/audit_rpcs.h"
#include "common/server/call_guard.h"
#include "common/server/stream_watchdog.h"
#include "grpcpp/impl/rpc_service_method.h"
#include "grpcpp/impl/service_type.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/method_handler.h"
#include "grpcpp/support/proto_buffer_writer.h"
#include "grpcpp/support/sync_stream.h"

namespace ladder::server {

// What a client-streaming handler reads its messages from: the guard parses and checks each.
template <typename Request>
class MessageReader {
 public:
  virtual ~MessageReader() = default;
  // False at the end of the stream or on a refused message (then status() says why).
  virtual bool Read(Request* message) = 0;
  virtual absl::Status status() const = 0;
};

// Keeps a parameter out of template argument deduction (std::type_identity before C++20).
template <typename T>
struct NotDeduced {
  using type = T;
};

class GuardedService : public grpc::Service {
 public:
  // Ends the service's server streams (watches of the change feed) at their next step, with
  // UNAVAILABLE: a shutdown is then not held up by them for its whole grace period, and
  // their callers resume on another replica from their last cursor.
  void EndStreams() { streams_ending_->store(true); }

 protected:
  explicit GuardedService(CallGuard guard) : guard_(std::move(guard)) {}

  template <typename Request, typename Response>
  using UnaryHandler = std::function<grpc::Status(grpc::ServerContext*, const Request*, Response*)>;

  template <typename Request, typename Response>
  using ReadingHandler = std::function<grpc::Status(grpc::ServerContext*, MessageReader<Request>*, Response*)>;

  // Writes one message of a server stream; false once the stream is broken or cancelled.
  template <typename Response>
  using MessageWriter = std::function<bool(const Response&)>;

  template <typename Request, typename Response>
  using WritingHandler =
      std::function<grpc::Status(grpc::ServerContext*, const Request*, const MessageWriter<Response>&)>;

  template <typename Request, typename Response>
  void Unary(const char* method, Access<Request> access, UnaryHandler<Request, Response> handler) {
    using Handler = grpc::internal::RpcMethodHandler<GuardedService, grpc::ByteBuffer, grpc::ByteBuffer>;
    AddMethod(new grpc::internal::RpcServiceMethod(
        FullName(method), grpc::internal::RpcMethod::NORMAL_RPC,
        new Handler(
            [method, access = std::move(access), handler = std::move(handler)](
                GuardedService* self, grpc::ServerContext* context, const grpc::ByteBuffer* bytes,
                grpc::ByteBuffer* reply) -> grpc::Status {
              return self->AdmitAndRun(context, method, access, *bytes, [&](const Request& request) {
                Response response;
                grpc::Status status = handler(context, &request, &response);
                if (!status.ok()) return status;
                return Serialize(response, reply);
              });
            },
            this)));
  }

  // Binds `method` to a handler of the implementation, e.g. &PersonnelServiceImpl::GetEmployee.
  template <typename Impl, typename Request, typename Response>
  void Unary(const char* method, typename NotDeduced<Access<Request>>::type access, Impl* impl,
             grpc::Status (Impl::*handler)(grpc::ServerContext*, const Request*, Response*)) {
    Unary<Request, Response>(method, std::move(access),
                             [impl, handler](grpc::ServerContext* context, const Request* request, Response* response) {
                               return (impl->*handler)(context, request, response);
                             });
  }

  // A client-streaming method: the caller is admitted when the stream opens, the first message
  // (which must come within the watchdog's time) is authorized; every message is parsed and
  // checked as it is read.
  template <typename Request, typename Response>
  void ClientStreaming(const char* method, Access<Request> access, ReadingHandler<Request, Response> handler) {
    using Handler = grpc::internal::ClientStreamingHandler<GuardedService, grpc::ByteBuffer, grpc::ByteBuffer>;
    AddMethod(new grpc::internal::RpcServiceMethod(
        FullName(method), grpc::internal::RpcMethod::CLIENT_STREAMING,
        new Handler(
            [method, access = std::move(access), handler = std::move(handler)](
                GuardedService* self, grpc::ServerContext* context, grpc::ServerReader<grpc::ByteBuffer>* stream,
                grpc::ByteBuffer* reply) -> grpc::Status {
              db::ScopedCallDeadline deadline(DeadlineOf(*context));
              observability::ScopedTrace trace(observability::TraceOf(*context));
              const CallGuard& guard = self->guard_;
              absl::StatusOr<auth::Principal> principal = guard.AdmitCaller(*context);
              if (!principal.ok()) return guard.Answer(principal.status());
              GuardedReader<Request> reader(guard, *stream);
              Request first;
              StreamWatchdog::Watch silent = StreamWatchdog::Process().ArmFirstMessage(context);
              const bool has_first = reader.Read(&first);
              silent.Disarm();
              if (context->IsCancelled()) {
                return grpc::Status(grpc::StatusCode::CANCELLED, "the stream sent no message in time");
              }
              if (has_first) {
                if (absl::Status allowed = guard.Authorize(*context, method, access, *principal, first);
                    !allowed.ok()) {
                  return guard.Answer(allowed);
                }
                reader.PutBack(std::move(first));
              } else if (!reader.status().ok()) {
                return guard.Answer(reader.status());
              } else if (!access.grants.Names(*principal)) {
                // An empty stream reaches nothing, but only callers of the method learn so.
                return guard.Answer(guard.Refuse(*context, *principal, method, first));
              }
              auth::ScopedCaller caller(*principal);
              Response response;
              grpc::Status status = handler(context, &reader, &response);
              if (!status.ok()) return status;
              return Serialize(response, reply);
            },
            this)));
  }

  // A server-streaming method: the request is admitted as a unary call's is (role, limits,
  // scope, narrowing), then the handler writes the stream. The call counts against the
  // caller's calls in flight for as long as it streams.
  template <typename Request, typename Response>
  void ServerStreaming(const char* method, Access<Request> access, WritingHandler<Request, Response> handler) {
    using Handler = grpc::internal::ServerStreamingHandler<GuardedService, grpc::ByteBuffer, grpc::ByteBuffer>;
    AddMethod(new grpc::internal::RpcServiceMethod(
        FullName(method), grpc::internal::RpcMethod::SERVER_STREAMING,
        new Handler(
            [method, access = std::move(access), handler = std::move(handler)](
                GuardedService* self, grpc::ServerContext* context, const grpc::ByteBuffer* bytes,
                grpc::ServerWriter<grpc::ByteBuffer>* stream) -> grpc::Status {
              return self->AdmitAndRun(context, method, access, *bytes, [&](const Request& request) {
                const MessageWriter<Response> write = [stream](const Response& response) {
                  grpc::ByteBuffer message;
                  if (!Serialize(response, &message).ok()) return false;
                  return stream->Write(message);
                };
                return handler(context, &request, write);
              });
            },
            this)));
  }

  // ListAuditEvents and VerifyAuditTrail over the service's own database, for HR admins and
  // auditors: the same in every service, with the service's request and response types.
  template <typename ListRequest, typename ListResponse, typename VerifyRequest, typename VerifyResponse>
  void AuditTrailMethods(db::ConnectionPool* pool) {
    const auth::Grants readers = {auth::kHrAdmin, auth::kAuditor};
    Unary<ListRequest, ListResponse>("ListAuditEvents", {readers},
                                     ListAuditEventsHandler<ListRequest, ListResponse>(pool, guard_.domain()));
    Unary<VerifyRequest, VerifyResponse>("VerifyAuditTrail", {readers},
                                         VerifyAuditTrailHandler<VerifyRequest, VerifyResponse>(pool, guard_.domain()));
  }

  const CallGuard& guard() const { return guard_; }
  // Set once EndStreams was called; streaming handlers poll it.
  const std::atomic<bool>* streams_ending() const { return streams_ending_.get(); }

 private:
  // A call with one request message: with its deadline and trace in scope, the caller is
  // admitted and the request parsed and authorized, then `body(request)` runs as that caller.
  template <typename Request, typename Body>
  grpc::Status AdmitAndRun(grpc::ServerContext* context, const char* method, const Access<Request>& access,
                           const grpc::ByteBuffer& bytes, Body&& body) const {
    db::ScopedCallDeadline deadline(DeadlineOf(*context));
    observability::ScopedTrace trace(observability::TraceOf(*context));
    Request request;
    auth::Principal principal;
    if (absl::Status admitted = guard_.Admit(*context, method, access, bytes, request, principal); !admitted.ok()) {
      return guard_.Answer(admitted);
    }
    auth::ScopedCaller caller(principal);
    return body(request);
  }

  template <typename Request>
  class GuardedReader final : public MessageReader<Request> {
   public:
    GuardedReader(const CallGuard& guard, grpc::ServerReader<grpc::ByteBuffer>& stream)
        : guard_(guard), stream_(stream) {}
    void PutBack(Request message) {
      pending_ = std::move(message);
      has_pending_ = true;
    }
    bool Read(Request* message) override {
      if (has_pending_) {
        *message = std::move(pending_);
        has_pending_ = false;
        return true;
      }
      if (!status_.ok()) return false;
      grpc::ByteBuffer bytes;
      if (!stream_.Read(&bytes)) return false;
      status_ = guard_.Parse(bytes, *message);
      return status_.ok();
    }
    absl::Status status() const override { return status_; }

   private:
    const CallGuard& guard_;
    grpc::ServerReader<grpc::ByteBuffer>& stream_;
    Request pending_;
    bool has_pending_ = false;
    absl::Status status_;
  };

  // "/package.Service/Method", kept for the life of the service (gRPC holds the pointer).
  // The guard checks that the service has such a method: a typo in a policy fails at start.
  const char* FullName(const char* method) {
    guard_.RequireMethod(method);
    names_.push_back(absl::StrCat("/", guard_.service(), "/", method));
    return names_.back().c_str();
  }

  // The caller's deadline; InfiniteFuture() when it set none.
  static absl::Time DeadlineOf(const grpc::ServerContext& context) {
    const auto deadline = context.deadline();
    if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
    return absl::FromChrono(deadline);
  }

  template <typename Response>
  static grpc::Status Serialize(const Response& response, grpc::ByteBuffer* reply) {
    bool own_buffer = false;
    return grpc::SerializationTraits<Response>::Serialize(response, reply, &own_buffer);
  }

  CallGuard guard_;
  std::deque<std::string> names_;
  // Shared with the handlers, which gRPC may still run while the service is destroyed.
  std::shared_ptr<std::atomic<bool>> streams_ending_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace ladder::server
