#pragma once

// The suite's transport security, in one place: TLS for every server, mutual TLS between
// services, certificates read from files and re-read while running (a rotated Kubernetes
// Secret takes effect without a restart). Plaintext only behind --insecure_plaintext.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/auth/authenticator.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace ladder::server {

struct TransportSecurity {
  // Development only: plaintext and no authentication.
  bool insecure_plaintext = false;
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  absl::Duration reload_interval = absl::Seconds(60);
};

// From --tls_cert, --tls_key, --tls_ca, --tls_reload_interval and --insecure_plaintext.
TransportSecurity TransportSecurityFromFlags();

// The three files are readable PEM; a clear startup error beats failing every handshake.
absl::Status CheckTransportFiles(const TransportSecurity& security);

// Server side: TLS that asks for a client certificate and verifies any that is sent against
// the CA (services present one; people present a bearer token instead), with `authenticator`
// run on every call before its handler.
std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(
    const TransportSecurity& security, const std::shared_ptr<auth::Authenticator>& authenticator);

// Client side, for calls to other Ladder services: verifies the server against the CA and
// presents this service's own certificate.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const TransportSecurity& security);

}  // namespace ladder::server
