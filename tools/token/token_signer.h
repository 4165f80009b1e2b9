#pragma once

// Signs the bearer tokens that people and other systems present to the Ladder services: a
// compact JWS (header.payload.signature) whose claims are those of the security contract.
// The algorithm follows the key: an EC P-256 key signs ES256, an RSA key (2048 bits or more)
// RS256.
//
// The signer writes what it is given and judges nothing, so tests can mint the tokens a
// server must refuse (expired, wrong audience, no kid, ...): an empty string or an empty
// `counties` leaves its claim out, and so does a time left at absl::InfinitePast().
// CheckClaims (token_claims.h) is the judgement the ladder_token command line applies first.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ladder::token {

struct TokenSpec {
  std::string issuer;                            // iss
  std::string audience;                          // aud
  std::string subject;                           // sub
  std::string role;                              // role: HR_ADMIN, COUNTY_HR, ...
  std::vector<std::string> counties;             // counties: a JSON array of "orgUnits/<id>"
  std::string team;                              // team: "teams/<id>"
  std::string employee;                          // employee: "employees/<id>"
  absl::Time issued_at = absl::InfinitePast();   // iat
  absl::Time not_before = absl::InfinitePast();  // nbf
  absl::Time expires_at = absl::InfinitePast();  // exp
  std::string kid;                               // header kid: the file stem of the verifying public key
};

// The compact JWS of `spec` signed with `private_key_pem` (PEM, PKCS#8 or traditional).
// INVALID_ARGUMENT when the key cannot be read, is encrypted, or is neither EC P-256 nor RSA
// of at least 2048 bits, or when a time is set but not a finite instant from 1970 on;
// INTERNAL when signing itself fails.
absl::StatusOr<std::string> SignToken(const TokenSpec& spec, absl::string_view private_key_pem);

}  // namespace ladder::token
