#include "tools/common/channel_credentials.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ladder::tools {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// gRPC reports a file of the wrong kind only as a failed handshake, much later and without
// the file's name; a look for the PEM label here names it.
// `label` is what follows "-----BEGIN " (any prefix such as "EC " allowed), e.g. "PRIVATE KEY".
absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view what, absl::string_view label) {
  absl::StatusOr<std::string> text = ReadFile(path, what);
  if (!text.ok()) return text.status();
  if (!absl::StrContains(*text, "-----BEGIN ") || !absl::StrContains(*text, absl::StrCat(label, "-----"))) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, " holds no PEM ", absl::AsciiStrToLower(label)));
  }
  return text;
}

bool IsBase64Url(absl::string_view part) {
  if (part.empty()) return false;
  for (const char c : part) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

absl::Status CheckTokenShape(absl::string_view token) {
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || !IsBase64Url(parts[0]) || !IsBase64Url(parts[1]) || !IsBase64Url(parts[2])) {
    return absl::InvalidArgumentError("the token is not a compact JWT (three base64url parts joined by dots)");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, "the token file");
  if (!text.ok()) return text.status();
  const std::string token(absl::StripAsciiWhitespace(*text));
  if (token.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the token file ", path, " is empty"));
  }
  return token;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(const TransportOptions& options) {
  if (options.insecure_plaintext) return grpc::InsecureChannelCredentials();

  grpc::SslCredentialsOptions ssl;
  if (!options.ca_file.empty()) {
    absl::StatusOr<std::string> roots = ReadPem(options.ca_file, "the CA file", "CERTIFICATE");
    if (!roots.ok()) return roots.status();
    ssl.pem_root_certs = *std::move(roots);
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError("a client certificate and its key go together: give both or neither");
  }
  if (!options.cert_file.empty()) {
    absl::StatusOr<std::string> chain = ReadPem(options.cert_file, "the client certificate", "CERTIFICATE");
    if (!chain.ok()) return chain.status();
    absl::StatusOr<std::string> key = ReadPem(options.key_file, "the client key", "PRIVATE KEY");
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *std::move(chain);
    ssl.pem_private_key = *std::move(key);
  }
  std::shared_ptr<grpc::ChannelCredentials> channel = grpc::SslCredentials(ssl);
  if (options.token.empty()) return channel;
  if (absl::Status shape = CheckTokenShape(options.token); !shape.ok()) return shape;
  // gRPC sends call credentials only over a channel that is at least this secure.
  return grpc::CompositeChannelCredentials(channel, grpc::AccessTokenCredentials(options.token));
}

absl::Status ApplyTokenFile(const std::string& path, TransportOptions& transport) {
  if (path.empty() || transport.insecure_plaintext) return absl::OkStatus();
  absl::StatusOr<std::string> token = ReadTokenFile(path);
  if (!token.ok()) return token.status();
  transport.token = *std::move(token);
  return absl::OkStatus();
}

}  // namespace ladder::tools
