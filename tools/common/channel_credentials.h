#pragma once

// How the tools reach a Ladder server: TLS verified against a CA bundle (the default), the
// tool's own client certificate for mutual TLS where it acts as a service (ladder_health as
// a pod's probe), a bearer token on every call where it acts for a person, or — for servers
// started with --insecure_plaintext only — plaintext.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/security/credentials.h"

namespace ladder::tools {

struct TransportOptions {
  bool insecure_plaintext = false;
  std::string ca_file;    // PEM roots; empty: gRPC's default roots
  std::string cert_file;  // PEM client certificate chain (mutual TLS); with key_file
  std::string key_file;   // its PEM private key
  std::string token;      // sent as `authorization: Bearer <token>`; empty: none
};

// Channel credentials for `options`. INVALID_ARGUMENT, naming the file, when a file cannot
// be read or holds no PEM of the expected kind, when only one of cert_file and key_file is
// given, or when a token does not look like a compact JWT. The token never appears in a
// message. With insecure_plaintext every other option is ignored: the server neither
// verifies nor asks for an identity then, and a token must not cross the network in clear.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(const TransportOptions& options);

// The token held in `path`, without surrounding white space (files usually end in a
// newline). INVALID_ARGUMENT when the file cannot be read or is empty.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

// Sets `transport.token` from `path` when a path is given and the transport is not
// plaintext (where no token is sent); the error names the file.
absl::Status ApplyTokenFile(const std::string& path, TransportOptions& transport);

// OK when `token` has the shape of a compact JWS: three base64url parts joined by dots.
// Catches a file name given as --token, or a token cut by copy and paste.
absl::Status CheckTokenShape(absl::string_view token);

}  // namespace ladder::tools
