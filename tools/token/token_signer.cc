#include "tools/token/token_signer.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ladder::token {
namespace {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
// libjwt 1.10 allocates the encoded token with malloc and has no free function of its own.
struct MallocFree {
  void operator()(char* text) const { std::free(text); }
};

// Refuses to ask for a pass phrase: without this OpenSSL would prompt on the terminal for
// an encrypted key, and a tool run by a script would hang.
int NoPassphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return 0; }

// The algorithm the key signs with, from the key itself, so that a token can never claim
// an algorithm its key does not have.
absl::StatusOr<jwt_alg_t> AlgorithmOf(absl::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return absl::InternalError("out of memory reading the private key");
  std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return absl::InvalidArgumentError("the signing key is not a readable, unencrypted PEM private key");
  }
  switch (EVP_PKEY_base_id(key.get())) {
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t length = 0;
      if (EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &length) != 1) {
        ERR_clear_error();
        return absl::InvalidArgumentError("the EC signing key names no curve");
      }
      const absl::string_view name(group, length);
      if (name != "prime256v1" && name != "P-256" && name != "secp256r1") {
        return absl::InvalidArgumentError(
            absl::StrCat("the EC signing key is on curve ", name, "; ES256 needs P-256 (prime256v1)"));
      }
      return JWT_ALG_ES256;
    }
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key.get()) < 2048) {
        return absl::InvalidArgumentError(absl::StrFormat("the RSA signing key has %d bits; RS256 needs at least 2048",
                                                          EVP_PKEY_get_bits(key.get())));
      }
      return JWT_ALG_RS256;
    default:
      return absl::InvalidArgumentError("the signing key is neither EC P-256 (ES256) nor RSA (RS256)");
  }
}

// `text` as a JSON string literal. Non-ASCII UTF-8 passes through as it is.
std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

absl::Status AddString(jwt_t* jwt, const char* claim, const std::string& value) {
  if (value.empty()) return absl::OkStatus();
  if (jwt_add_grant(jwt, claim, value.c_str()) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("claim ", claim, ": not valid UTF-8 text or not accepted"));
  }
  return absl::OkStatus();
}

absl::Status AddTime(jwt_t* jwt, const char* claim, absl::Time value) {
  if (value == absl::InfinitePast()) return absl::OkStatus();
  if (value == absl::InfiniteFuture() || value < absl::UnixEpoch()) {
    return absl::InvalidArgumentError(absl::StrCat("claim ", claim, ": not a finite time from 1970 on"));
  }
  // NumericDate: whole seconds since the epoch.
  if (jwt_add_grant_int(jwt, claim, static_cast<long>(absl::ToUnixSeconds(value))) != 0) {
    return absl::InternalError(absl::StrCat("claim ", claim, ": not accepted"));
  }
  return absl::OkStatus();
}

// libjwt 1.10 has no call for an array claim; a JSON object with one member adds it.
absl::Status AddStringArray(jwt_t* jwt, const char* claim, const std::vector<std::string>& values) {
  if (values.empty()) return absl::OkStatus();
  std::string json = absl::StrCat("{", JsonString(claim), ":[");
  for (size_t i = 0; i < values.size(); ++i) {
    absl::StrAppend(&json, i == 0 ? "" : ",", JsonString(values[i]));
  }
  json += "]}";
  if (jwt_add_grants_json(jwt, json.c_str()) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("claim ", claim, ": an entry is not valid UTF-8 text"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> SignToken(const TokenSpec& spec, absl::string_view private_key_pem) {
  absl::StatusOr<jwt_alg_t> algorithm = AlgorithmOf(private_key_pem);
  if (!algorithm.ok()) return algorithm.status();

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("libjwt could not create a token");
  std::unique_ptr<jwt_t, JwtFree> jwt(raw);

  if (!spec.kid.empty() && jwt_add_header(jwt.get(), "kid", spec.kid.c_str()) != 0) {
    return absl::InvalidArgumentError("header kid: not valid UTF-8 text");
  }
  for (const auto& [claim, value] : {std::pair<const char*, const std::string&>{"iss", spec.issuer},
                                     {"aud", spec.audience},
                                     {"sub", spec.subject},
                                     {"role", spec.role},
                                     {"team", spec.team},
                                     {"employee", spec.employee}}) {
    if (absl::Status status = AddString(jwt.get(), claim, value); !status.ok()) return status;
  }
  if (absl::Status status = AddStringArray(jwt.get(), "counties", spec.counties); !status.ok()) {
    return status;
  }
  for (const auto& [claim, value] : {std::pair<const char*, absl::Time>{"iat", spec.issued_at},
                                     {"nbf", spec.not_before},
                                     {"exp", spec.expires_at}}) {
    if (absl::Status status = AddTime(jwt.get(), claim, value); !status.ok()) return status;
  }

  // libjwt keeps (and scrubs on free) its own copy of the key.
  if (jwt_set_alg(jwt.get(), *algorithm, reinterpret_cast<const unsigned char*>(private_key_pem.data()),
                  static_cast<int>(private_key_pem.size())) != 0) {
    return absl::InternalError("libjwt refused the signing key");
  }
  std::unique_ptr<char, MallocFree> encoded(jwt_encode_str(jwt.get()));
  ERR_clear_error();
  if (encoded == nullptr) {
    return absl::InternalError(absl::StrCat("libjwt could not sign the token with ", jwt_alg_str(*algorithm)));
  }
  return std::string(encoded.get());
}

}  // namespace ladder::token
