// ladder_health: waits until a gRPC server reports SERVING on grpc.health.v1.Health/Check.
//
//   ladder_health --target=127.0.0.1:50051 [--service=ladder.personnel.v1.PersonnelService]
//                 [--timeout=10s] [--ca=FILE [--cert=FILE --key=FILE] [--token=JWT]]
//                 [--insecure_plaintext]
//
// The servers answer only callers with a verified identity, health included, so the probe
// speaks TLS by default: verified against --ca, and with --cert/--key it presents that
// client certificate (mutual TLS) — in a pod, the pod's own service certificate. Without a
// client certificate, --token (or --token_file) identifies the caller instead. The TLS
// settings default to the servers' own environment (LADDER_TLS_CA, LADDER_TLS_CERT,
// LADDER_TLS_KEY, LADDER_INSECURE_PLAINTEXT), so a probe run inside a server's container
// needs no flags for them; LADDER_TOKEN sets --token. A flag on the command line wins.
// --insecure_plaintext is for servers started with it, and ignores the other options.
//
// Exit status: 0 when the server reports SERVING before the timeout, 1 when it does not
// (the last status seen is printed), 2 on a bad command line or an unreadable certificate,
// key or token file. Scripts use it to wait for readiness and container images use it as
// their probe.

#include <cstdint>
#include <cstdio>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/support/status.h"
#include "tools/common/channel_credentials.h"
#include "tools/common/command_line.h"

ABSL_FLAG(std::string, target, "", "host:port of the server to probe (required)");
ABSL_FLAG(std::string, service, "",
          "service name to ask about, e.g. ladder.personnel.v1.PersonnelService; empty asks "
          "about the server as a whole");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "how long to keep asking before giving up");
ABSL_FLAG(std::string, ca, "", "PEM CA bundle to verify the server with [LADDER_TLS_CA]; empty: gRPC's default roots");
ABSL_FLAG(std::string, cert, "", "PEM client certificate for mutual TLS, e.g. the service's own [LADDER_TLS_CERT]");
ABSL_FLAG(std::string, key, "", "PEM private key of --cert [LADDER_TLS_KEY]");
ABSL_FLAG(std::string, token, "",
          "bearer token (JWT) sent with the check: the identity of a caller without a "
          "client certificate [LADDER_TOKEN]");
ABSL_FLAG(std::string, token_file, "", "file holding the bearer token; wins over --token");
ABSL_FLAG(bool, insecure_plaintext, false,
          "no TLS, for servers started with --insecure_plaintext; --ca, --cert, --key and "
          "the token are ignored [LADDER_INSECURE_PLAINTEXT]");

namespace {

using google::protobuf::internal::WireFormatLite;

constexpr char kCheckMethod[] = "/grpc.health.v1.Health/Check";
constexpr absl::Duration kRetryInterval = absl::Milliseconds(200);

constexpr char kUsage[] =
    "ladder_health --target=host:port [--service=NAME] [--timeout=10s] "
    "[--ca=FILE] [--cert=FILE --key=FILE] [--token=JWT | --token_file=FILE] "
    "[--insecure_plaintext]";
constexpr int kExitServing = 0;
constexpr int kExitNotServing = 1;

// grpc.health.v1.HealthCheckResponse.ServingStatus.
enum class ServingStatus { kUnknown = 0, kServing = 1, kNotServing = 2, kServiceUnknown = 3 };

const char* StatusName(int status) {
  switch (static_cast<ServingStatus>(status)) {
    case ServingStatus::kUnknown:
      return "UNKNOWN";
    case ServingStatus::kServing:
      return "SERVING";
    case ServingStatus::kNotServing:
      return "NOT_SERVING";
    case ServingStatus::kServiceUnknown:
      return "SERVICE_UNKNOWN";
  }
  return "UNRECOGNISED_STATUS";
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNRECOGNISED_CODE";
  }
}

// HealthCheckRequest { string service = 1; }, written by hand: Debian's gRPC ships neither
// the health proto nor its generated client, and two fields do not justify generating them.
std::string EncodeRequest(const std::string& service) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    // proto3 leaves a default (empty) string off the wire.
    if (!service.empty()) WireFormatLite::WriteString(1, service, &out);
  }
  return bytes;
}

// HealthCheckResponse { ServingStatus status = 1; }. Unknown fields are skipped, so a
// server with a newer proto still parses. Returns false on malformed bytes.
bool DecodeResponse(const std::string& bytes, int* status) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  *status = static_cast<int>(ServingStatus::kUnknown);
  while (const uint32_t tag = in.ReadTag()) {
    if (tag == WireFormatLite::MakeTag(1, WireFormatLite::WIRETYPE_VARINT)) {
      uint32_t value = 0;
      if (!in.ReadVarint32(&value)) return false;
      *status = static_cast<int>(value);
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return false;
    }
  }
  return in.ConsumedEntireMessage();
}

// One Health/Check call. Returns true when the server answered SERVING; `outcome` describes
// what was seen either way.
bool CheckOnce(grpc::GenericStub& stub, const std::string& request_bytes, absl::Time deadline, std::string* outcome) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  grpc::Slice slice(request_bytes);
  const grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, kCheckMethod, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  const grpc::Status status = done.get_future().get();
  if (!status.ok()) {
    // The default health service answers NOT_FOUND for a service name it does not know.
    *outcome = status.error_code() == grpc::StatusCode::NOT_FOUND
                   ? absl::StrCat("SERVICE_UNKNOWN (", status.error_message(), ")")
                   : absl::StrCat(CodeName(status.error_code()), ": ", status.error_message());
    return false;
  }
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (response.Dump(&slices).ok()) {
    for (const grpc::Slice& part : slices) {
      bytes.append(reinterpret_cast<const char*>(part.begin()), part.size());
    }
  }
  int serving_status = 0;
  if (!DecodeResponse(bytes, &serving_status)) {
    *outcome = "malformed HealthCheckResponse";
    return false;
  }
  *outcome = StatusName(serving_status);
  return serving_status == static_cast<int>(ServingStatus::kServing);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      absl::StrCat("Waits until a gRPC server reports SERVING on grpc.health.v1.Health/Check.\n"
                   "TLS by default; mutual TLS with --cert/--key, or a bearer token.\n"
                   "Exit status: 0 serving, 1 not serving when --timeout ends, 2 bad usage.\n  ",
                   kUsage));
  // The servers' variables first, then the command line over them.
  ladder::tools::ApplyEnvironmentOrExit({{"LADDER_TLS_CA", "ca"},
                                         {"LADDER_TLS_CERT", "cert"},
                                         {"LADDER_TLS_KEY", "key"},
                                         {"LADDER_TOKEN", "token"},
                                         {"LADDER_INSECURE_PLAINTEXT", "insecure_plaintext"}});
  ladder::tools::ParseCommandLineOrExit(argc, argv, kUsage);
  const std::string target = absl::GetFlag(FLAGS_target);
  const std::string service = absl::GetFlag(FLAGS_service);
  const absl::Duration timeout = absl::GetFlag(FLAGS_timeout);
  if (target.empty()) return ladder::tools::UsageError("--target is required", kUsage);
  if (timeout <= absl::ZeroDuration() || timeout == absl::InfiniteDuration()) {
    return ladder::tools::UsageError("--timeout must be a positive, finite duration such as 10s", kUsage);
  }

  ladder::tools::TransportOptions transport;
  transport.insecure_plaintext = absl::GetFlag(FLAGS_insecure_plaintext);
  transport.ca_file = absl::GetFlag(FLAGS_ca);
  transport.cert_file = absl::GetFlag(FLAGS_cert);
  transport.key_file = absl::GetFlag(FLAGS_key);
  transport.token = absl::GetFlag(FLAGS_token);
  if (absl::Status read = ladder::tools::ApplyTokenFile(absl::GetFlag(FLAGS_token_file), transport); !read.ok()) {
    return ladder::tools::UsageError(read.message(), kUsage);
  }
  const absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ladder::tools::ChannelCredentialsFor(transport);
  if (!credentials.ok()) return ladder::tools::UsageError(credentials.status().message(), kUsage);

  grpc::ChannelArguments arguments;
  // After a refused connection gRPC waits 1 s, then longer and longer, before it dials
  // again, and calls made meanwhile fail without trying. A probe that asks every 200 ms
  // must dial every time, or a server that just came up is seen seconds late.
  const int retry_ms = static_cast<int>(absl::ToInt64Milliseconds(kRetryInterval));
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, retry_ms);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, retry_ms);
  grpc::GenericStub stub(grpc::CreateCustomChannel(target, *credentials, arguments));

  const std::string request = EncodeRequest(service);
  const absl::Time start = absl::Now();
  const absl::Time give_up = start + timeout;
  const std::string subject = service.empty() ? std::string("server") : absl::StrCat("service ", service);
  std::string outcome = "no answer";
  while (true) {
    if (CheckOnce(stub, request, give_up, &outcome)) {
      std::printf("%s at %s: SERVING (after %s)\n", subject.c_str(), target.c_str(),
                  absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(1))).c_str());
      return kExitServing;
    }
    const absl::Time next = absl::Now() + kRetryInterval;
    if (next >= give_up) break;
    absl::SleepFor(next - absl::Now());
  }
  std::printf("%s at %s: not serving after %s; last status: %s\n", subject.c_str(), target.c_str(),
              absl::FormatDuration(timeout).c_str(), outcome.c_str());
  return kExitNotServing;
}
