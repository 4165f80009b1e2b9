#include "common/auth/authenticator.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/caller.h"
#include "spdlog/spdlog.h"

namespace ladder::auth {
namespace {

constexpr size_t kTokenCacheEntries = 4096;

std::string PeerCommonName(const grpc::AuthContext& peer) {
  if (!peer.IsPeerAuthenticated()) return "";
  std::vector<grpc::string_ref> names = peer.FindPropertyValues("x509_common_name");
  if (names.size() != 1) return "";
  return std::string(names[0].data(), names[0].size());
}

// Declared actor names are only labels for the audit trail in development.
std::string DeclaredActor(const grpc::ServerContext& context) {
  auto it = context.client_metadata().find("x-ladder-actor");
  if (it == context.client_metadata().end() || it->second.empty() || it->second.size() > 128) {
    return "insecure-dev";
  }
  for (char c : it->second) {
    if (c < 0x21 || c > 0x7e) return "insecure-dev";
  }
  return std::string(it->second.data(), it->second.size());
}

class PrincipalProcessor final : public grpc::AuthMetadataProcessor {
 public:
  explicit PrincipalProcessor(Authenticator* authenticator) : authenticator_(authenticator) {}

  // Token checks are CPU only and cached; no need for gRPC's extra thread hop.
  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context,
                       OutputMetadata* /*consumed*/, OutputMetadata* /*response*/) override {
    absl::string_view authorization;
    auto it = metadata.find("authorization");
    if (it != metadata.end()) authorization = absl::string_view(it->second.data(), it->second.size());
    absl::StatusOr<Principal> principal = authenticator_->Authenticate(*context, authorization, absl::Now());
    if (!principal.ok()) {
      // The reason, never the token: a token in a log is a credential anyone can replay.
      spdlog::warn("event=unauthenticated reason=\"{}\" had_token={} had_certificate={}",
                   absl::CHexEscape(principal.status().message()), !authorization.empty(),
                   context->IsPeerAuthenticated());
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(principal.status().message()));
    }
    // Nothing is consumed or added: the call guard authenticates again from the same
    // metadata (a cache hit), since the auth context is the connection's, not the call's.
    return grpc::Status::OK;
  }

 private:
  Authenticator* authenticator_;
};

}  // namespace

std::shared_ptr<Authenticator> Authenticator::Verifying(std::unique_ptr<JwtVerifier> verifier) {
  return std::shared_ptr<Authenticator>(new Authenticator(std::move(verifier)));
}

std::shared_ptr<Authenticator> Authenticator::InsecureForDevelopment() {
  return std::shared_ptr<Authenticator>(new Authenticator(nullptr));
}

absl::StatusOr<Principal> Authenticator::Authenticate(const grpc::AuthContext& peer,
                                                      absl::string_view authorization,
                                                      absl::Time now) {
  if (!authorization.empty()) {
    if (!absl::StartsWithIgnoreCase(authorization, "bearer ")) {
      return absl::UnauthenticatedError("authorization metadata is not a bearer token");
    }
    return FromToken(authorization.substr(7), now);
  }
  const std::string service = PeerCommonName(peer);
  if (!service.empty()) {
    const std::vector<std::string>& known = KnownServices();
    if (std::find(known.begin(), known.end(), service) == known.end()) {
      return absl::UnauthenticatedError("client certificate names no Ladder service");
    }
    Principal principal;
    principal.actor = absl::StrCat("service:", service);
    principal.role = Role::kService;
    principal.service = service;
    return principal;
  }
  return absl::UnauthenticatedError(
      "no credentials: send a bearer token (authorization metadata) or a client certificate");
}

absl::StatusOr<Principal> Authenticator::FromToken(absl::string_view token, absl::Time now) {
  const std::string key(token);
  {
    absl::MutexLock lock(&cache_mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (now < it->second.expires_at && now >= it->second.not_before) return it->second.principal;
      if (now >= it->second.expires_at) {
        cache_.erase(it);
        return absl::UnauthenticatedError("bearer token refused: it has expired");
      }
      return absl::UnauthenticatedError("bearer token refused: it is not valid yet");
    }
  }
  absl::StatusOr<VerifiedToken> verified = verifier_->Verify(token, now);
  if (!verified.ok()) return verified.status();
  absl::MutexLock lock(&cache_mutex_);
  // Crude but bounded: a full cache starts over (tokens are few and long-lived in practice).
  if (cache_.size() >= kTokenCacheEntries) cache_.clear();
  cache_.emplace(key, *verified);
  return verified->principal;
}

absl::StatusOr<Principal> Authenticator::PrincipalOf(const grpc::ServerContext& context) {
  if (insecure()) {
    Principal principal;
    principal.actor = absl::StrCat("user:", DeclaredActor(context));
    principal.role = Role::kHrAdmin;
    return principal;
  }
  absl::string_view authorization;
  auto it = context.client_metadata().find("authorization");
  if (it != context.client_metadata().end()) {
    authorization = absl::string_view(it->second.data(), it->second.size());
  }
  std::shared_ptr<const grpc::AuthContext> peer = context.auth_context();
  if (peer == nullptr) return absl::UnauthenticatedError("the call has no transport security");
  absl::StatusOr<Principal> principal = Authenticate(*peer, authorization, absl::Now());
  if (principal.ok() && principal->role == Role::kService) {
    auto behalf = context.client_metadata().find(std::string(kOnBehalfOfMetadata));
    if (behalf != context.client_metadata().end()) {
      const std::string actor(behalf->second.data(), behalf->second.size());
      // The same shape as the actors the services record; anything else is dropped.
      const bool printable = !actor.empty() && actor.size() <= 160 &&
                             std::all_of(actor.begin(), actor.end(), [](char c) { return c > 0x20 && c < 0x7f; });
      if (printable) principal->on_behalf_of = actor;
    }
  }
  if (!principal.ok()) {
    spdlog::warn("event=unauthenticated reason=\"{}\" had_token={} had_certificate={}",
                 absl::CHexEscape(principal.status().message()), !authorization.empty(),
                 peer->IsPeerAuthenticated());
  }
  return principal;
}

std::shared_ptr<grpc::AuthMetadataProcessor> Authenticator::MakeProcessor() {
  return std::make_shared<PrincipalProcessor>(this);
}

}  // namespace ladder::auth
