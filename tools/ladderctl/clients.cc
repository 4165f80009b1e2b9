#include "tools/ladderctl/clients.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "tools/common/channel_credentials.h"

namespace ladder::ladderctl {

bool MayRetry(const google::protobuf::Message& request, const absl::Status& status) {
  const bool unavailable = status.code() == absl::StatusCode::kUnavailable;
  const bool lost_to_concurrent_changes =
      status.code() == absl::StatusCode::kAborted && ErrorReason(status) == std::string(reason::kConcurrentUpdate);
  if (!unavailable && !lost_to_concurrent_changes) return false;
  const google::protobuf::FieldDescriptor* field = request.GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr) return unavailable;  // a read
  if (field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) return false;
  return !request.GetReflection()->GetString(request, field).empty();
}

absl::Status Annotate(const absl::Status& status, absl::string_view prefix) {
  absl::Status annotated(status.code(), absl::StrCat(prefix, status.message()));
  status.ForEachPayload(
      [&annotated](absl::string_view type_url, const absl::Cord& payload) { annotated.SetPayload(type_url, payload); });
  return annotated;
}

absl::StatusOr<std::unique_ptr<Clients>> Clients::Create(const ConnectionOptions& options) {
  if (!options.tls && !options.token.empty()) {
    // Unreachable from the command line (a token turns TLS on); a token must not travel in
    // clear whatever the caller asks.
    return absl::InvalidArgumentError("a token is sent over TLS only");
  }
  tools::TransportOptions transport;
  transport.insecure_plaintext = !options.tls;
  transport.ca_file = options.tls_ca_file;
  transport.cert_file = options.tls_cert_file;
  transport.key_file = options.tls_key_file;
  transport.token = options.token;
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = tools::ChannelCredentialsFor(transport);
  if (!credentials.ok()) return credentials.status();
  auto clients = std::unique_ptr<Clients>(new Clients(options));
  grpc::ChannelArguments arguments;
  // Retries are ladderctl's own (below), with its rules; not gRPC's.
  arguments.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  arguments.SetMaxReceiveMessageSize(64 << 20);
  const auto channel = [&](const std::string& address) {
    return grpc::CreateCustomChannel(address, *credentials, arguments);
  };
  clients->personnel_ = personnel::v1::PersonnelService::NewStub(channel(options.personnel));
  clients->evaluation_ = evaluation::v1::EvaluationService::NewStub(channel(options.evaluation));
  // Careerpath serves its reviews' operations too: one connection for both.
  const std::shared_ptr<grpc::Channel> careerpath = channel(options.careerpath);
  clients->careerpath_ = careerpath::v1::CareerPathService::NewStub(careerpath);
  clients->operations_ = google::longrunning::Operations::NewStub(careerpath);
  return clients;
}

std::unique_ptr<grpc::ClientContext> Clients::Context(double deadline_factor) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline * std::max(1.0, deadline_factor)));
  if (!options_.actor.empty()) context->AddMetadata("x-ladder-actor", options_.actor);
  return context;
}

std::string Clients::AddressOf(absl::string_view method) const {
  if (absl::StartsWith(method, "PersonnelService")) return options_.personnel;
  if (absl::StartsWith(method, "EvaluationService")) return options_.evaluation;
  if (absl::StartsWith(method, "CareerPathService") || absl::StartsWith(method, "Operations")) {
    return options_.careerpath;
  }
  return "";
}

absl::Status Clients::CallWithRetry(const char* method, const google::protobuf::Message& request,
                                    const std::function<grpc::Status(grpc::ClientContext*)>& send,
                                    double deadline_factor) {
  absl::Duration backoff = options_.first_backoff;
  absl::Status status;
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<grpc::ClientContext> context = Context(deadline_factor);
    status = FromGrpcStatus(send(context.get()));
    if (status.ok()) return status;
    if (attempt >= options_.attempts || !MayRetry(request, status)) break;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  std::string prefix = absl::StrCat(method, ": ");
  if (status.code() == absl::StatusCode::kUnavailable || status.code() == absl::StatusCode::kDeadlineExceeded) {
    prefix = absl::StrCat(method, " at ", AddressOf(method), ": ");
  }
  return Annotate(status, prefix);
}

}  // namespace ladder::ladderctl
