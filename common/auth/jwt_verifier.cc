#include "common/auth/jwt_verifier.h"

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/resource_name.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "spdlog/spdlog.h"

namespace ladder::auth {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// Far larger than any token the suite issues; bounds the work an anonymous caller can cause.
constexpr size_t kMaxTokenBytes = 8192;

absl::Status Refused(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("bearer token refused: ", why));
}

// The algorithm a public key verifies, from its type: RSA → RS256, EC P-256 → ES256.
absl::StatusOr<std::string> AlgorithmOfKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return absl::InternalError("out of memory reading a key");
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return absl::InvalidArgumentError("not a PEM public key");
  std::string algorithm;
  if (EVP_PKEY_base_id(key) == EVP_PKEY_RSA && EVP_PKEY_bits(key) >= 2048) {
    algorithm = "RS256";
  } else if (EVP_PKEY_base_id(key) == EVP_PKEY_EC && EVP_PKEY_bits(key) == 256) {
    algorithm = "ES256";
  }
  EVP_PKEY_free(key);
  if (algorithm.empty()) {
    return absl::InvalidArgumentError("only RSA keys of 2048 bits or more and EC P-256 keys are accepted");
  }
  return algorithm;
}

absl::StatusOr<Struct> DecodeSegment(absl::string_view segment, absl::string_view what) {
  std::string json;
  if (!absl::WebSafeBase64Unescape(segment, &json)) {
    return Refused(absl::StrCat("its ", what, " is not base64url"));
  }
  Struct parsed;
  if (!google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) {
    return Refused(absl::StrCat("its ", what, " is not a JSON object"));
  }
  return parsed;
}

const Value* Field(const Struct& object, const char* name) {
  auto it = object.fields().find(name);
  return it == object.fields().end() ? nullptr : &it->second;
}

absl::StatusOr<std::string> StringClaim(const Struct& claims, const char* name, bool required) {
  const Value* value = Field(claims, name);
  if (value == nullptr) {
    if (required) return Refused(absl::StrCat("claim ", name, " is missing"));
    return std::string();
  }
  if (value->kind_case() != Value::kStringValue) {
    return Refused(absl::StrCat("claim ", name, " is not a string"));
  }
  return value->string_value();
}

// A NumericDate claim as a time; absent → `absent`.
absl::StatusOr<absl::Time> TimeClaim(const Struct& claims, const char* name, bool required, absl::Time absent) {
  const Value* value = Field(claims, name);
  if (value == nullptr) {
    if (required) return Refused(absl::StrCat("claim ", name, " is missing"));
    return absent;
  }
  if (value->kind_case() != Value::kNumberValue || !std::isfinite(value->number_value()) ||
      std::abs(value->number_value()) > 1e11) {
    return Refused(absl::StrCat("claim ", name, " is not a NumericDate"));
  }
  return absl::FromUnixSeconds(static_cast<int64_t>(value->number_value()));
}

bool Printable(absl::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return !text.empty() && text.size() <= 128;
}

absl::StatusOr<int64_t> ScopeId(absl::string_view name, absl::string_view collection, const char* claim) {
  absl::StatusOr<int64_t> id = api::ParseName(name, collection, claim);
  if (!id.ok()) return Refused(absl::StrCat("claim ", claim, " is not a ", collection, " name"));
  return *id;
}

// Role and scope from the claims; each role must carry the scope it is limited to.
absl::StatusOr<Principal> PrincipalFrom(const Struct& claims, const std::string& subject) {
  absl::StatusOr<std::string> role_name = StringClaim(claims, "role", true);
  if (!role_name.ok()) return role_name.status();
  absl::StatusOr<Role> role = TokenRoleFromName(*role_name);
  if (!role.ok()) return Refused("claim role is not one of the token roles");
  Principal principal;
  principal.actor = absl::StrCat("user:", subject);
  principal.role = *role;
  if (const Value* counties = Field(claims, "counties"); counties != nullptr) {
    if (counties->kind_case() != Value::kListValue) return Refused("claim counties is not an array");
    for (const Value& county : counties->list_value().values()) {
      if (county.kind_case() != Value::kStringValue) return Refused("claim counties holds a non-string");
      absl::StatusOr<int64_t> id = ScopeId(county.string_value(), "orgUnits", "counties");
      if (!id.ok()) return id.status();
      principal.counties.push_back(*id);
    }
  }
  absl::StatusOr<std::string> team = StringClaim(claims, "team", false);
  if (!team.ok()) return team.status();
  if (!team->empty()) {
    absl::StatusOr<int64_t> id = ScopeId(*team, "teams", "team");
    if (!id.ok()) return id.status();
    principal.team = *id;
  }
  absl::StatusOr<std::string> employee = StringClaim(claims, "employee", false);
  if (!employee.ok()) return employee.status();
  if (!employee->empty()) {
    absl::StatusOr<int64_t> id = ScopeId(*employee, "employees", "employee");
    if (!id.ok()) return id.status();
    principal.employee = *id;
  }
  switch (principal.role) {
    case Role::kCountyHr:
      if (principal.counties.empty()) return Refused("role COUNTY_HR needs the counties claim");
      break;
    case Role::kSupervisor:
    case Role::kServiceStaff:
      if (principal.team == 0) return Refused(absl::StrCat("role ", *role_name, " needs the team claim"));
      break;
    case Role::kEmployee:
      if (principal.employee == 0) return Refused("role EMPLOYEE needs the employee claim");
      break;
    default:
      break;
  }
  return principal;
}

bool AudienceMatches(const Value& audience, absl::string_view expected) {
  if (audience.kind_case() == Value::kStringValue) return audience.string_value() == expected;
  if (audience.kind_case() != Value::kListValue) return false;
  for (const Value& entry : audience.list_value().values()) {
    if (entry.kind_case() == Value::kStringValue && entry.string_value() == expected) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(const JwtOptions& options) {
  if (options.keys_dir.empty()) {
    return absl::InvalidArgumentError("jwt_keys_dir: a directory of token public keys is required");
  }
  auto verifier = std::unique_ptr<JwtVerifier>(new JwtVerifier(options));
  absl::MutexLock lock(&verifier->mutex_);
  absl::Status loaded = verifier->LoadKeys(absl::Now(), /*strict=*/true);
  if (!loaded.ok()) return loaded;
  return verifier;
}

absl::Status JwtVerifier::LoadKeys(absl::Time now, bool strict) {
  std::map<std::string, Key, std::less<>> keys;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(options_.keys_dir, error)) {
    if (entry.path().extension() != ".pem") continue;
    std::ifstream in(entry.path());
    std::stringstream pem;
    pem << in.rdbuf();
    Key key;
    key.pem = pem.str();
    absl::StatusOr<std::string> algorithm = AlgorithmOfKey(key.pem);
    if (!algorithm.ok()) {
      const std::string problem =
          absl::StrCat("jwt_keys_dir: ", entry.path().string(), ": ", algorithm.status().message());
      if (strict) return absl::InvalidArgumentError(problem);
      // While running, one bad file must not freeze the key set: a key removed to revoke it
      // has to go even if another file is broken.
      spdlog::warn("event=jwt_key_skipped problem=\"{}\"", absl::CHexEscape(problem));
      continue;
    }
    key.algorithm = *algorithm;
    keys.emplace(entry.path().stem().string(), std::move(key));
  }
  if (error) {
    return absl::InvalidArgumentError(
        absl::StrCat("jwt_keys_dir: cannot read ", options_.keys_dir, ": ", error.message()));
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("jwt_keys_dir: no <kid>.pem public key in ", options_.keys_dir));
  }
  keys_ = std::move(keys);
  keys_read_at_ = now;
  return absl::OkStatus();
}

absl::StatusOr<JwtVerifier::Key> JwtVerifier::KeyFor(absl::string_view kid, absl::Time now) {
  absl::MutexLock lock(&mutex_);
  if (now - keys_read_at_ >= options_.key_refresh) {
    // An unreadable or empty directory (mid-update) keeps the keys we had; the next refresh
    // tries again.
    if (absl::Status reloaded = LoadKeys(now, /*strict=*/false); !reloaded.ok()) {
      spdlog::warn("event=jwt_keys_reload_failed error=\"{}\"", absl::CHexEscape(reloaded.message()));
      keys_read_at_ = now;
    }
  }
  auto it = keys_.find(kid);
  if (it == keys_.end()) return Refused("its kid names no configured key");
  return it->second;
}

absl::StatusOr<VerifiedToken> JwtVerifier::Verify(absl::string_view token, absl::Time now) {
  if (token.empty()) return Refused("it is empty");
  if (token.size() > kMaxTokenBytes) return Refused("it is too long");
  std::vector<absl::string_view> segments = absl::StrSplit(token, '.');
  if (segments.size() != 3 || segments[0].empty() || segments[1].empty() || segments[2].empty()) {
    return Refused("it is not a signed compact JWT");
  }
  absl::StatusOr<Struct> header = DecodeSegment(segments[0], "header");
  if (!header.ok()) return header.status();
  absl::StatusOr<std::string> algorithm = StringClaim(*header, "alg", true);
  if (!algorithm.ok()) return Refused("its header has no alg");
  if (*algorithm != "ES256" && *algorithm != "RS256") {
    return Refused("its algorithm is not accepted (ES256 and RS256 are)");
  }
  absl::StatusOr<std::string> kid = StringClaim(*header, "kid", true);
  if (!kid.ok()) return Refused("its header has no kid");
  absl::StatusOr<Key> key = KeyFor(*kid, now);
  if (!key.ok()) return key.status();
  if (key->algorithm != *algorithm) {
    return Refused(absl::StrCat("the key it names verifies ", key->algorithm, ", not ", *algorithm));
  }

  // libjwt checks the signature with the header's algorithm, which is now the key's own.
  const std::string compact(token);
  jwt_t* decoded = nullptr;
  const int failed = jwt_decode(&decoded, compact.c_str(), reinterpret_cast<const unsigned char*>(key->pem.data()),
                                static_cast<int>(key->pem.size()));
  const bool algorithm_held = decoded != nullptr && jwt_alg_str(jwt_get_alg(decoded)) == *algorithm;
  if (decoded != nullptr) jwt_free(decoded);
  if (failed != 0 || !algorithm_held) return Refused("its signature does not verify");

  absl::StatusOr<Struct> claims = DecodeSegment(segments[1], "payload");
  if (!claims.ok()) return claims.status();
  absl::StatusOr<std::string> issuer = StringClaim(*claims, "iss", true);
  if (!issuer.ok()) return issuer.status();
  if (*issuer != options_.issuer) return Refused("it is from another issuer");
  const Value* audience = Field(*claims, "aud");
  if (audience == nullptr || !AudienceMatches(*audience, options_.audience)) {
    return Refused("it is meant for another audience");
  }
  absl::StatusOr<std::string> subject = StringClaim(*claims, "sub", true);
  if (!subject.ok()) return subject.status();
  if (!Printable(*subject)) return Refused("claim sub is not 1–128 printable ASCII characters");

  VerifiedToken verified;
  absl::StatusOr<absl::Time> expires = TimeClaim(*claims, "exp", true, absl::InfiniteFuture());
  if (!expires.ok()) return expires.status();
  absl::StatusOr<absl::Time> not_before = TimeClaim(*claims, "nbf", false, absl::InfinitePast());
  if (!not_before.ok()) return not_before.status();
  absl::StatusOr<absl::Time> issued = TimeClaim(*claims, "iat", false, absl::InfinitePast());
  if (!issued.ok()) return issued.status();
  if (now >= *expires + options_.leeway) return Refused("it has expired");
  if (now < *not_before - options_.leeway) return Refused("it is not valid yet");
  if (*issued != absl::InfinitePast() && *issued > now + options_.leeway) {
    return Refused("it was issued in the future");
  }
  absl::StatusOr<Principal> principal = PrincipalFrom(*claims, *subject);
  if (!principal.ok()) return principal.status();
  verified.principal = *std::move(principal);
  verified.expires_at = *expires + options_.leeway;
  if (*not_before != absl::InfinitePast()) verified.not_before = *not_before - options_.leeway;
  return verified;
}

}  // namespace ladder::auth
