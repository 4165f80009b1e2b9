#include "common/server/transport_security.h"

#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/server/flags.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace ladder::server {
namespace {

absl::Status CheckPem(const std::string& path, const char* flag, const char* marker) {
  if (path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " is required (or --insecure_plaintext for local development)"));
  }
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot read ", path));
  std::stringstream content;
  content << in.rdbuf();
  if (!absl::StrContains(content.str(), marker)) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", path, " holds no ", marker));
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::experimental::CertificateProviderInterface> WatchFiles(const TransportSecurity& security) {
  return std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      security.key_file, security.cert_file, security.ca_file,
      static_cast<unsigned int>(std::max<int64_t>(1, absl::ToInt64Seconds(security.reload_interval))));
}

}  // namespace

TransportSecurity TransportSecurityFromFlags() {
  TransportSecurity security;
  security.insecure_plaintext = absl::GetFlag(FLAGS_insecure_plaintext);
  security.cert_file = absl::GetFlag(FLAGS_tls_cert);
  security.key_file = absl::GetFlag(FLAGS_tls_key);
  security.ca_file = absl::GetFlag(FLAGS_tls_ca);
  security.reload_interval = absl::GetFlag(FLAGS_tls_reload_interval);
  return security;
}

absl::Status CheckTransportFiles(const TransportSecurity& security) {
  if (security.insecure_plaintext) return absl::OkStatus();
  if (absl::Status s = CheckPem(security.cert_file, "tls_cert", "BEGIN CERTIFICATE"); !s.ok()) return s;
  if (absl::Status s = CheckPem(security.key_file, "tls_key", "PRIVATE KEY"); !s.ok()) return s;
  return CheckPem(security.ca_file, "tls_ca", "BEGIN CERTIFICATE");
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(
    const TransportSecurity& security, const std::shared_ptr<auth::Authenticator>& authenticator) {
  if (security.insecure_plaintext) return grpc::InsecureServerCredentials();
  grpc::experimental::TlsServerCredentialsOptions options(WatchFiles(security));
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  // Ask for a client certificate and verify one that is sent; a call without one must then
  // carry a bearer token (the authenticator refuses it otherwise).
  options.set_cert_request_type(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::experimental::TlsServerCredentials(options);
  credentials->SetAuthMetadataProcessor(authenticator->MakeProcessor());
  return credentials;
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const TransportSecurity& security) {
  if (security.insecure_plaintext) return grpc::InsecureChannelCredentials();
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(WatchFiles(security));
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(true);
  return grpc::experimental::TlsCredentials(options);
}

}  // namespace ladder::server
