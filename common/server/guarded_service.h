#pragma once

// The registered face of a service: a subclass of the generated gRPC service whose methods
// are bound, one by one, to the implementation's handlers through the CallGuard. The access
// policy of a service is such a subclass (services/*/access_policy.cc). Methods are bound as
// "streamed" sync handlers on raw bytes, so the guard, not the generated code, parses them.

#include <functional>
#include <memory>
#include <utility>

#include "common/auth/caller.h"
#include "common/server/call_guard.h"
#include "grpcpp/impl/codegen/method_handler.h"
#include "grpcpp/support/byte_buffer.h"
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

template <typename Generated>
class GuardedService : public Generated {
 protected:
  explicit GuardedService(CallGuard guard) : guard_(std::move(guard)) {}

  template <typename Request, typename Response>
  using UnaryHandler = std::function<grpc::Status(grpc::ServerContext*, const Request*, Response*)>;

  template <typename Request, typename Response>
  using ReadingHandler =
      std::function<grpc::Status(grpc::ServerContext*, MessageReader<Request>*, Response*)>;

  template <typename Request, typename Response>
  void Unary(const char* method, Access<Request> access, UnaryHandler<Request, Response> handler) {
    using Streamer = grpc::ServerUnaryStreamer<grpc::ByteBuffer, grpc::ByteBuffer>;
    this->MarkMethodStreamed(
        guard_.MethodIndex(method),
        new grpc::internal::StreamedUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
            [this, method, access = std::move(access), handler = std::move(handler)](
                grpc::ServerContext* context, Streamer* stream) -> grpc::Status {
              grpc::ByteBuffer bytes;
              if (!stream->Read(&bytes)) {
                return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message");
              }
              Request request;
              auth::Principal principal;
              if (absl::Status admitted =
                      guard_.Admit(*context, method, access, bytes, request, principal);
                  !admitted.ok()) {
                return guard_.Answer(admitted);
              }
              auth::ScopedCaller caller(principal);
              Response response;
              grpc::Status status = handler(context, &request, &response);
              if (!status.ok()) return status;
              return Reply(response, *stream);
            }));
  }

  // Binds `method` to a handler of the implementation, e.g. &PersonnelServiceImpl::GetEmployee.
  template <typename Impl, typename Request, typename Response>
  void Unary(const char* method, typename NotDeduced<Access<Request>>::type access, Impl* impl,
             grpc::Status (Impl::*handler)(grpc::ServerContext*, const Request*, Response*)) {
    Unary<Request, Response>(method, std::move(access),
                             [impl, handler](grpc::ServerContext* context, const Request* request,
                                             Response* response) {
                               return (impl->*handler)(context, request, response);
                             });
  }

  // A client-streaming method: the first message is authorized; every message is parsed and
  // checked as it is read.
  template <typename Request, typename Response>
  void ClientStreaming(const char* method, Access<Request> access,
                       ReadingHandler<Request, Response> handler) {
    using Stream = grpc::ServerReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>;
    this->MarkMethodStreamed(
        guard_.MethodIndex(method),
        new grpc::internal::TemplatedBidiStreamingHandler<Stream, false>(
            [this, method, access = std::move(access), handler = std::move(handler)](
                grpc::ServerContext* context, Stream* stream) -> grpc::Status {
              absl::StatusOr<auth::Principal> principal = guard_.Caller(*context);
              if (!principal.ok()) return guard_.Answer(principal.status());
              GuardedReader<Request> reader(guard_, *stream);
              Request first;
              if (reader.Read(&first)) {
                if (absl::Status allowed = guard_.Authorize(*context, method, access, *principal, first);
                    !allowed.ok()) {
                  return guard_.Answer(allowed);
                }
                reader.PutBack(std::move(first));
              } else if (!reader.status().ok()) {
                return guard_.Answer(reader.status());
              } else if (!access.grants.Names(*principal)) {
                // An empty stream reaches nothing, but only callers of the method learn so.
                return guard_.Answer(guard_.Refuse(*context, *principal, method, first));
              }
              auth::ScopedCaller caller(*principal);
              Response response;
              grpc::Status status = handler(context, &reader, &response);
              if (!status.ok()) return status;
              return Reply(response, *stream);
            }));
  }

  const CallGuard& guard() const { return guard_; }

 private:
  template <typename Request>
  class GuardedReader final : public MessageReader<Request> {
   public:
    GuardedReader(const CallGuard& guard,
                  grpc::ServerReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>& stream)
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
    grpc::ServerReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>& stream_;
    Request pending_;
    bool has_pending_ = false;
    absl::Status status_;
  };

  template <typename Response, typename Stream>
  static grpc::Status Reply(const Response& response, Stream& stream) {
    grpc::ByteBuffer out;
    bool own_buffer = false;
    grpc::Status serialized =
        grpc::SerializationTraits<Response>::Serialize(response, &out, &own_buffer);
    if (!serialized.ok()) return serialized;
    if (!stream.Write(out)) return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    return grpc::Status::OK;
  }

  CallGuard guard_;
};

}  // namespace ladder::server
