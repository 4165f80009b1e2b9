#include "tests/support/test_credentials.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace ladder::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::abort();
  }
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

const std::string& PkiDir() {
  static const std::string* const dir = [] {
    const char* value = std::getenv("LADDER_TEST_PKI_DIR");
    if (value == nullptr || *value == '\0') {
      std::fprintf(stderr,
                   "LADDER_TEST_PKI_DIR is not set: run the tests with scripts/test.sh, or create "
                   "a PKI with scripts/lib/dev-pki.sh DIR and export LADDER_TEST_PKI_DIR=DIR\n");
      std::abort();
    }
    return new std::string(value);
  }();
  return *dir;
}

server::TransportSecurity ServerTransport(const std::string& service) {
  server::TransportSecurity transport;
  transport.cert_file = absl::StrCat(PkiDir(), "/", service, ".crt");
  transport.key_file = absl::StrCat(PkiDir(), "/", service, ".key");
  transport.ca_file = absl::StrCat(PkiDir(), "/ca.crt");
  transport.reload_interval = absl::Seconds(1);
  return transport;
}

std::shared_ptr<auth::Authenticator> TestAuthenticator() {
  auth::JwtOptions options;
  options.keys_dir = absl::StrCat(PkiDir(), "/jwt/public");
  absl::StatusOr<std::unique_ptr<auth::JwtVerifier>> verifier = auth::JwtVerifier::Create(options);
  if (!verifier.ok()) {
    std::fprintf(stderr, "%s\n", verifier.status().ToString().c_str());
    std::abort();
  }
  return auth::Authenticator::Verifying(*std::move(verifier));
}

std::shared_ptr<grpc::ChannelCredentials> ClientCredentials(const std::string& client_service) {
  if (!client_service.empty()) return server::ChannelCredentialsFor(ServerTransport(client_service));
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFile(absl::StrCat(PkiDir(), "/ca.crt"));
  return grpc::SslCredentials(options);
}

token::TokenSpec SpecFor(const TestIdentity& identity) {
  token::TokenSpec spec;
  spec.issuer = "ladder";
  spec.audience = "ladder";
  spec.subject = identity.subject;
  spec.role = identity.role;
  spec.counties = identity.counties;
  spec.team = identity.team;
  spec.employee = identity.employee;
  spec.issued_at = absl::Now();
  spec.expires_at = absl::Now() + absl::Hours(1);
  spec.kid = "ladder-dev-es256";
  return spec;
}

std::string Sign(const token::TokenSpec& spec, const std::string& key, bool rogue) {
  const std::string path =
      rogue ? absl::StrCat(PkiDir(), "/jwt/rogue/", key, ".key") : absl::StrCat(PkiDir(), "/jwt/private/", key, ".key");
  absl::StatusOr<std::string> token = token::SignToken(spec, ReadFile(path));
  if (!token.ok()) {
    std::fprintf(stderr, "cannot sign a test token: %s\n", token.status().ToString().c_str());
    std::abort();
  }
  return *token;
}

std::string TokenFor(const TestIdentity& identity) {
  // Signing costs a little; tests make many calls as the same few identities.
  static absl::Mutex mutex;
  static auto* const cache = new absl::flat_hash_map<std::string, std::pair<std::string, absl::Time>>();
  const std::string key = absl::StrCat(identity.subject, "|", identity.role, "|", absl::StrJoin(identity.counties, ","),
                                       "|", identity.team, "|", identity.employee);
  absl::MutexLock lock(&mutex);
  auto it = cache->find(key);
  if (it != cache->end() && it->second.second > absl::Now() + absl::Minutes(10)) return it->second.first;
  token::TokenSpec spec = SpecFor(identity);
  std::string token = Sign(spec);
  (*cache)[key] = {token, spec.expires_at};
  return token;
}

void AuthorizeWithToken(grpc::ClientContext& context, const std::string& token) {
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

void Authorize(grpc::ClientContext& context, const TestIdentity& identity) {
  AuthorizeWithToken(context, TokenFor(identity));
}

}  // namespace ladder::testing
