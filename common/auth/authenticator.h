#pragma once

// Establishes who is calling: a verified client certificate names one of the suite's
// services; a verified bearer token names a person or system with a role. Anything else is
// UNAUTHENTICATED. It runs twice per call, cheaply (verified tokens are cached): in the
// transport, before any method (health and reflection included) is reached, and in the call
// guard, which needs the principal itself. (gRPC's auth context is shared by every call of a
// connection, so it cannot carry one call's principal.)

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/jwt_verifier.h"
#include "common/auth/principal.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/auth_metadata_processor.h"
#include "grpcpp/server_context.h"

namespace ladder::auth {

// The services whose certificates the suite accepts as callers (certificate Common Name).
inline const std::vector<std::string>& KnownServices() {
  static const auto* const services = new std::vector<std::string>{"personnel", "evaluation", "careerpath"};
  return *services;
}

class Authenticator final {
 public:
  // Verified identities: certificates (checked by TLS against the suite's CA) and tokens.
  static std::shared_ptr<Authenticator> Verifying(std::unique_ptr<JwtVerifier> verifier);
  // Development only (--insecure_plaintext): nothing is verified; every caller acts as an
  // HR admin named by its `x-ladder-actor` metadata.
  static std::shared_ptr<Authenticator> InsecureForDevelopment();

  bool insecure() const { return verifier_ == nullptr; }

  // From the peer's certificate properties and the `authorization` metadata value ("" when
  // absent). A token, when present, decides; otherwise the certificate.
  absl::StatusOr<Principal> Authenticate(const grpc::AuthContext& peer, absl::string_view authorization,
                                         absl::Time now);

  // The caller of a call: from its peer certificate and `authorization` metadata; on a
  // plaintext development server, an HR admin named by `x-ladder-actor`.
  absl::StatusOr<Principal> PrincipalOf(const grpc::ServerContext& context);

  // The gRPC hook that runs Authenticate for every call and rejects the ones that fail.
  std::shared_ptr<grpc::AuthMetadataProcessor> MakeProcessor();

  // Whether `principal` may start one more call now (the server's per-caller limits); asked
  // in the transport for every call, before the call takes a server thread. Not OK: the
  // call is refused with that status.
  using AdmissionCheck = std::function<absl::Status(const Principal& principal)>;
  void SetAdmissionCheck(AdmissionCheck check);
  absl::Status CheckAdmission(const Principal& principal);

  // Whether org unit `id` is a county (区县): true, false (another kind, or none such), or
  // an error when that cannot be learnt now.
  using CountyCheck = std::function<absl::StatusOr<bool>(int64_t id)>;
  // A COUNTY_HR token may name only counties in its `counties` claim: PrincipalOf (the call
  // guard's) checks each (a kind never changes, so answers are kept), and a token naming
  // the branch or anything else is UNAUTHENTICATED. Each service sets the
  // check it can make (its database, or the personnel service) when it is wired.
  void SetCountyCheck(CountyCheck check);

 private:
  explicit Authenticator(std::unique_ptr<JwtVerifier> verifier) : verifier_(std::move(verifier)) {}
  absl::StatusOr<Principal> FromToken(absl::string_view token, absl::Time now);
  absl::Status CheckCounties(const Principal& principal);

  std::unique_ptr<JwtVerifier> verifier_;
  // Verified tokens, so a client's repeated calls cost one signature check, not one each.
  absl::Mutex cache_mutex_;
  absl::flat_hash_map<std::string, VerifiedToken> cache_ ABSL_GUARDED_BY(cache_mutex_);
  std::shared_ptr<const CountyCheck> county_check_ ABSL_GUARDED_BY(cache_mutex_);
  std::shared_ptr<const AdmissionCheck> admission_check_ ABSL_GUARDED_BY(cache_mutex_);
  // Org unit id -> is a county, as the check answered.
  absl::flat_hash_map<int64_t, bool> county_kinds_ ABSL_GUARDED_BY(cache_mutex_);
};

}  // namespace ladder::auth
