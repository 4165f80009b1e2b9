#pragma once

// What makes a token one the Ladder services can accept, checked before it is signed, so
// that a typo in a role or a resource name is reported by the tool that mints the token
// instead of as a refusal by a server later.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "tools/token/token_signer.h"

namespace ladder::token {

// OK when `spec` has what the security contract requires: a kid usable as a file stem;
// issuer, audience and subject; an expiry after the issue and not-before times; a role
// among HR_ADMIN, COUNTY_HR, SUPERVISOR, SERVICE_STAFF, AUDITOR and EMPLOYEE with the scope
// it needs (COUNTY_HR: counties; SUPERVISOR and SERVICE_STAFF: team; EMPLOYEE: employee);
// and well-formed names (orgUnits/<id>, teams/<id>, employees/<id>). INVALID_ARGUMENT
// naming the first problem otherwise.
absl::Status CheckClaims(const TokenSpec& spec);

// Whether `role` is one of the six roles.
bool IsKnownRole(absl::string_view role);

}  // namespace ladder::token
