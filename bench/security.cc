#include "bench/security.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tools/token/token_signer.h"

namespace ladder::bench {
namespace {

constexpr const char* kKid = "ladder-dev-es256";

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

absl::StatusOr<std::string> PkiDir(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  const char* variable = std::getenv("LADDER_TEST_PKI_DIR");
  if (variable != nullptr && *variable != '\0') return std::string(variable);
  return absl::FailedPreconditionError(
      "no PKI: pass --pki_dir or set LADDER_TEST_PKI_DIR (scripts/bench.sh and scripts/test.sh "
      "make one with scripts/lib/dev-pki.sh)");
}

std::vector<std::string> ServerSecurityFlags(const std::string& pki_dir, const std::string& certificate) {
  return {
      absl::StrCat("--tls_cert=", pki_dir, "/", certificate, ".crt"),
      absl::StrCat("--tls_key=", pki_dir, "/", certificate, ".key"),
      absl::StrCat("--tls_ca=", pki_dir, "/ca.crt"),
      absl::StrCat("--jwt_keys_dir=", pki_dir, "/jwt/public"),
  };
}

absl::StatusOr<std::string> SignedToken(const std::string& pki_dir, const std::string& subject, const std::string& role,
                                        const std::string& employee, absl::Duration lifetime) {
  absl::StatusOr<std::string> key = ReadFile(absl::StrCat(pki_dir, "/jwt/private/", kKid, ".key"));
  if (!key.ok()) return key.status();
  token::TokenSpec spec;
  spec.issuer = "ladder";
  spec.audience = "ladder";
  spec.subject = subject;
  spec.role = role;
  spec.employee = employee;
  spec.kid = kKid;
  // Whole seconds, as ladder_token writes them.
  spec.issued_at = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  spec.expires_at = spec.issued_at + lifetime;
  return token::SignToken(spec, *key);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> CallerCredentials(const std::string& pki_dir,
                                                                            const std::string& subject,
                                                                            absl::Duration lifetime) {
  absl::StatusOr<std::string> ca = ReadFile(absl::StrCat(pki_dir, "/ca.crt"));
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> token = SignedToken(pki_dir, subject, "HR_ADMIN", "", lifetime);
  if (!token.ok()) return token.status();

  grpc::SslCredentialsOptions options;
  options.pem_root_certs = *std::move(ca);
  return grpc::CompositeChannelCredentials(grpc::SslCredentials(options), grpc::AccessTokenCredentials(*token));
}

}  // namespace ladder::bench
