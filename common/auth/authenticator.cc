#include "common/auth/authenticator.h"

#include <algorithm>
#include <optional>

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

// gRPC's channelz service shows every channel and socket of a server, with its peers'
// addresses: for operators only. It is gRPC's, not guarded by any service's access policy,
// so its rule is kept here, in the transport, which sees each call's :path.
constexpr absl::string_view kChannelzMethods = "/grpc.channelz.v1.Channelz/";

absl::Status CheckOperatorOnly(const grpc::AuthMetadataProcessor::InputMetadata& metadata, const Principal& principal) {
  auto path = metadata.find(":path");
  if (path == metadata.end() ||
      !absl::StartsWith(absl::string_view(path->second.data(), path->second.size()), kChannelzMethods)) {
    return absl::OkStatus();
  }
  if (principal.role == Role::kOperator) return absl::OkStatus();
  return absl::PermissionDeniedError("grpc.channelz.v1.Channelz is for callers with an OPERATOR token");
}

class PrincipalProcessor final : public grpc::AuthMetadataProcessor {
 public:
  explicit PrincipalProcessor(Authenticator* authenticator) : authenticator_(authenticator) {}

  // Token checks are CPU only and cached; no need for gRPC's extra thread hop.
  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context, OutputMetadata* /*consumed*/,
                       OutputMetadata* /*response*/) override {
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
    if (absl::Status allowed = CheckOperatorOnly(metadata, *principal); !allowed.ok()) {
      spdlog::warn("event=permission_denied method=channelz actor=\"{}\" role={}", principal->actor,
                   std::string(RoleName(principal->role)));
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, std::string(allowed.message()));
    }
    // A caller already at its limit of calls in flight is turned away here, before the call
    // takes one of the server's threads: a flood of calls from one caller costs the others
    // nothing but this check.
    if (absl::Status room = authenticator_->CheckAdmission(*principal); !room.ok()) {
      return grpc::Status(static_cast<grpc::StatusCode>(room.code()), std::string(room.message()));
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

absl::StatusOr<Principal> Authenticator::Authenticate(const grpc::AuthContext& peer, absl::string_view authorization,
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

void Authenticator::SetAdmissionCheck(AdmissionCheck check) {
  absl::MutexLock lock(&cache_mutex_);
  admission_check_ = std::make_shared<const AdmissionCheck>(std::move(check));
}

absl::Status Authenticator::CheckAdmission(const Principal& principal) {
  std::shared_ptr<const AdmissionCheck> check;
  {
    absl::MutexLock lock(&cache_mutex_);
    check = admission_check_;
  }
  return check == nullptr ? absl::OkStatus() : (*check)(principal);
}

void Authenticator::SetCountyCheck(CountyCheck check) {
  absl::MutexLock lock(&cache_mutex_);
  county_check_ = std::make_shared<const CountyCheck>(std::move(check));
  county_kinds_.clear();
  cache_.clear();
}

absl::Status Authenticator::CheckCounties(const Principal& principal) {
  if (principal.role != Role::kCountyHr) return absl::OkStatus();
  std::shared_ptr<const CountyCheck> check;
  {
    absl::MutexLock lock(&cache_mutex_);
    check = county_check_;
  }
  if (check == nullptr) return absl::OkStatus();
  for (int64_t id : principal.counties) {
    std::optional<bool> known;
    {
      absl::MutexLock lock(&cache_mutex_);
      if (auto it = county_kinds_.find(id); it != county_kinds_.end()) known = it->second;
    }
    if (!known.has_value()) {
      absl::StatusOr<bool> is_county = (*check)(id);
      if (!is_county.ok()) return is_county.status();  // not kept: asked again next time
      known = *is_county;
      absl::MutexLock lock(&cache_mutex_);
      if (county_kinds_.size() >= kTokenCacheEntries) county_kinds_.clear();
      county_kinds_[id] = *known;
    }
    if (!*known) {
      return absl::UnauthenticatedError(
          absl::StrCat("bearer token refused: its counties claim names orgUnits/", id,
                       ", which is not a county; a COUNTY_HR token may name counties only"));
    }
  }
  return absl::OkStatus();
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
  // Here, on the call's own thread, not in the transport: the check may ask a database or
  // another service the first time it meets a county.
  if (principal.ok()) {
    if (absl::Status counties = CheckCounties(*principal); !counties.ok()) return counties;
  }
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
                 absl::CHexEscape(principal.status().message()), !authorization.empty(), peer->IsPeerAuthenticated());
  }
  return principal;
}

std::shared_ptr<grpc::AuthMetadataProcessor> Authenticator::MakeProcessor() {
  return std::make_shared<PrincipalProcessor>(this);
}

}  // namespace ladder::auth
