#pragma once

// Verifies the suite's bearer tokens: compact JWS, ES256 or RS256, signed by one of the keys
// in a directory of PEM public keys named <kid>.pem. The algorithm a key may verify is fixed
// by the key's type, never by the token, so a token cannot pick a weaker check (alg "none",
// or HS256 with the public key as the HMAC secret). Signatures are checked by libjwt; the
// claims (issuer, audience, lifetime, role and scope) here.

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"

namespace ladder::auth {

struct JwtOptions {
  std::string keys_dir;
  std::string issuer = "ladder";
  std::string audience = "ladder";
  // Clock skew tolerated on exp, nbf and iat.
  absl::Duration leeway = absl::Seconds(30);
  // How often the key directory is read again (keys are rotated by adding a file).
  absl::Duration key_refresh = absl::Seconds(60);
};

struct VerifiedToken {
  Principal principal;
  absl::Time expires_at;
  absl::Time not_before = absl::InfinitePast();
};

class JwtVerifier final {
 public:
  // Fails when the directory cannot be read or holds a key that is neither RSA nor EC P-256.
  static absl::StatusOr<std::unique_ptr<JwtVerifier>> Create(const JwtOptions& options);

  // UNAUTHENTICATED with the reason (never the token) when the token is not acceptable at `now`.
  absl::StatusOr<VerifiedToken> Verify(absl::string_view token, absl::Time now);

  const JwtOptions& options() const { return options_; }

 private:
  struct Key {
    std::string pem;
    std::string algorithm;  // "ES256" or "RS256"
  };
  explicit JwtVerifier(JwtOptions options) : options_(std::move(options)) {}
  // `strict`: any unusable file is an error (at start); otherwise it is skipped and logged.
  absl::Status LoadKeys(absl::Time now, bool strict) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  absl::StatusOr<Key> KeyFor(absl::string_view kid, absl::Time now);

  const JwtOptions options_;
  absl::Mutex mutex_;
  std::map<std::string, Key, std::less<>> keys_ ABSL_GUARDED_BY(mutex_);
  absl::Time keys_read_at_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
};

}  // namespace ladder::auth
