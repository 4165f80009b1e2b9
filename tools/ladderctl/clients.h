#pragma once

// Channels to the three services and the one way ladderctl makes a call: with a deadline,
// the caller's name in `x-ladder-actor`, and retries only where they are safe and
// docs/api.md asks for them — on UNAVAILABLE, with bounded backoff, for reads and for changes
// that carry a request id, and on ABORTED with CONCURRENT_UPDATE for those changes (every
// change ladderctl sends carries one, derived from what it does, so a retried or re-run
// change lands once).

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/longrunning/operations.grpc.pb.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "ladder/careerpath/v1/careerpath_service.grpc.pb.h"
#include "ladder/evaluation/v1/evaluation_service.grpc.pb.h"
#include "ladder/personnel/v1/personnel_service.grpc.pb.h"

namespace ladder::ladderctl {

struct ConnectionOptions {
  std::string personnel = "127.0.0.1:50051";
  std::string evaluation = "127.0.0.1:50052";
  std::string careerpath = "127.0.0.1:50053";
  absl::Duration deadline = absl::Seconds(10);
  std::string actor;
  // Transport security. Off: plaintext, only for servers started with --insecure_plaintext.
  bool tls = false;
  std::string tls_ca_file;    // PEM roots; empty: the system's
  std::string tls_cert_file;  // PEM client certificate chain, for mutual TLS
  std::string tls_key_file;   // its PEM private key
  // Bearer token (JWT) sent as `authorization: Bearer ...` on every call; needs TLS. Never
  // printed.
  std::string token;
  // Attempts of a retryable call, the first included.
  int attempts = 4;
  absl::Duration first_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(2);
};

// Whether a failed call may be sent again: on UNAVAILABLE when the request is a read (it has
// no request_id field) or carries a request id; on ABORTED with reason CONCURRENT_UPDATE (a
// transaction that lost every retry to concurrent ones) when it carries a request id. Never
// on other ABORTED reasons (a stale etag or level wants a new decision, not the same request).
bool MayRetry(const google::protobuf::Message& request, const absl::Status& status);

class Clients final {
 public:
  // Fails with INVALID_ARGUMENT when a TLS file cannot be read or the token is malformed.
  static absl::StatusOr<std::unique_ptr<Clients>> Create(const ConnectionOptions& options);

  personnel::v1::PersonnelService::Stub& personnel() { return *personnel_; }
  evaluation::v1::EvaluationService::Stub& evaluation() { return *evaluation_; }
  careerpath::v1::CareerPathService::Stub& careerpath() { return *careerpath_; }
  // The operations of careerpath's long-running reviews.
  google::longrunning::Operations::Stub& operations() { return *operations_; }
  const ConnectionOptions& options() const { return options_; }

  // A context with the deadline (`deadline_factor` times the configured one) and the actor.
  std::unique_ptr<grpc::ClientContext> Context(double deadline_factor = 1.0) const;

  // Makes a unary call, retrying as described above. The status keeps the service's
  // details (ErrorInfo reason, BadRequest field); its message starts with `method` and,
  // for UNAVAILABLE, the address.
  template <typename Stub, typename Request, typename Response>
  absl::Status Call(Stub& stub, grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
                    const char* method, const Request& request, Response* response, double deadline_factor = 1.0) {
    return CallWithRetry(
        method, request, [&](grpc::ClientContext* context) { return (stub.*rpc)(context, request, response); },
        deadline_factor);
  }

  // A streaming call made by `send`, retried by the same rules; `request` is the message
  // that holds the request id (e.g. the header of an import).
  absl::Status CallStream(const char* method, const google::protobuf::Message& request,
                          const std::function<grpc::Status(grpc::ClientContext*)>& send, double deadline_factor = 1.0) {
    return CallWithRetry(method, request, send, deadline_factor);
  }

  // The address serving a method's service, e.g. for messages.
  std::string AddressOf(absl::string_view method) const;

 private:
  explicit Clients(const ConnectionOptions& options) : options_(options) {}
  absl::Status CallWithRetry(const char* method, const google::protobuf::Message& request,
                             const std::function<grpc::Status(grpc::ClientContext*)>& send, double deadline_factor);

  ConnectionOptions options_;
  std::unique_ptr<personnel::v1::PersonnelService::Stub> personnel_;
  std::unique_ptr<evaluation::v1::EvaluationService::Stub> evaluation_;
  std::unique_ptr<careerpath::v1::CareerPathService::Stub> careerpath_;
  std::unique_ptr<google::longrunning::Operations::Stub> operations_;
};

// Text of an already-converted failure with its method and address, for messages.
absl::Status Annotate(const absl::Status& status, absl::string_view prefix);

}  // namespace ladder::ladderctl
