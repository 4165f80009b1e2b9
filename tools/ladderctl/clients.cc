#include "tools/ladderctl/clients.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace ladder::ladderctl {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

bool MayRetry(const google::protobuf::Message& request, absl::StatusCode code) {
  if (code != absl::StatusCode::kUnavailable) return false;
  const google::protobuf::FieldDescriptor* field =
      request.GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr) return true;  // a read
  if (field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) return false;
  return !request.GetReflection()->GetString(request, field).empty();
}

absl::Status Annotate(const absl::Status& status, absl::string_view prefix) {
  absl::Status annotated(status.code(), absl::StrCat(prefix, status.message()));
  status.ForEachPayload([&annotated](absl::string_view type_url, const absl::Cord& payload) {
    annotated.SetPayload(type_url, payload);
  });
  return annotated;
}

absl::StatusOr<std::unique_ptr<Clients>> Clients::Create(const ConnectionOptions& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.tls) {
    grpc::SslCredentialsOptions ssl;
    if (!options.tls_ca_file.empty()) {
      absl::StatusOr<std::string> roots = ReadPem(options.tls_ca_file, "tls-ca");
      if (!roots.ok()) return roots.status();
      ssl.pem_root_certs = *roots;
    }
    if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
      return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
    }
    if (!options.tls_cert_file.empty()) {
      absl::StatusOr<std::string> chain = ReadPem(options.tls_cert_file, "tls-cert");
      if (!chain.ok()) return chain.status();
      absl::StatusOr<std::string> key = ReadPem(options.tls_key_file, "tls-key");
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *chain;
      ssl.pem_private_key = *key;
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  auto clients = std::unique_ptr<Clients>(new Clients(options));
  grpc::ChannelArguments arguments;
  // Retries are ladderctl's own (below), with its rules; not gRPC's.
  arguments.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  arguments.SetMaxReceiveMessageSize(64 << 20);
  const auto channel = [&](const std::string& address) {
    return grpc::CreateCustomChannel(address, credentials, arguments);
  };
  clients->personnel_ = personnel::v1::PersonnelService::NewStub(channel(options.personnel));
  clients->evaluation_ = evaluation::v1::EvaluationService::NewStub(channel(options.evaluation));
  clients->careerpath_ = careerpath::v1::CareerPathService::NewStub(channel(options.careerpath));
  return clients;
}

std::unique_ptr<grpc::ClientContext> Clients::Context(double deadline_factor) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(
      absl::ToChronoTime(absl::Now() + options_.deadline * std::max(1.0, deadline_factor)));
  if (!options_.actor.empty()) context->AddMetadata("x-ladder-actor", options_.actor);
  return context;
}

std::string Clients::AddressOf(absl::string_view method) const {
  if (absl::StartsWith(method, "PersonnelService")) return options_.personnel;
  if (absl::StartsWith(method, "EvaluationService")) return options_.evaluation;
  if (absl::StartsWith(method, "CareerPathService")) return options_.careerpath;
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
    if (attempt >= options_.attempts || !MayRetry(request, status.code())) break;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  std::string prefix = absl::StrCat(method, ": ");
  if (status.code() == absl::StatusCode::kUnavailable ||
      status.code() == absl::StatusCode::kDeadlineExceeded) {
    prefix = absl::StrCat(method, " at ", AddressOf(method), ": ");
  }
  return Annotate(status, prefix);
}

}  // namespace ladder::ladderctl
