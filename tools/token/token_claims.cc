#include "tools/token/token_claims.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace ladder::token {
namespace {

constexpr absl::string_view kRoles[] = {"HR_ADMIN", "COUNTY_HR", "SUPERVISOR", "SERVICE_STAFF",
                                        "AUDITOR",  "EMPLOYEE",  "PAYROLL",    "OPERATOR"};

// "<collection>/<id>" with a positive decimal id, as the services name their resources.
bool IsResourceName(absl::string_view name, absl::string_view collection) {
  if (!absl::ConsumePrefix(&name, collection) || !absl::ConsumePrefix(&name, "/")) return false;
  if (name.empty() || name.size() > 19 || name[0] == '0') return false;
  for (const char c : name) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The servers look the key up as <kid>.pem in a directory: a kid must not leave it.
bool IsFileStem(absl::string_view kid) {
  if (kid.empty() || kid.size() > 128 || kid[0] == '.') return false;
  for (const char c : kid) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

absl::Status Problem(absl::string_view text) { return absl::InvalidArgumentError(text); }

}  // namespace

bool IsKnownRole(absl::string_view role) {
  for (const absl::string_view known : kRoles) {
    if (role == known) return true;
  }
  return false;
}

absl::Status CheckClaims(const TokenSpec& spec) {
  if (!IsFileStem(spec.kid)) {
    return Problem("kid: required, letters, digits, '-', '_' and '.' only (the key file's stem)");
  }
  if (spec.issuer.empty()) return Problem("issuer: required");
  if (spec.audience.empty()) return Problem("audience: required");
  if (spec.subject.empty()) return Problem("subject: required");
  if (spec.expires_at == absl::InfinitePast() || spec.expires_at == absl::InfiniteFuture()) {
    return Problem("expiry: required, a finite time");
  }
  if (spec.issued_at != absl::InfinitePast() && spec.expires_at <= spec.issued_at) {
    return Problem("expiry: must come after the time of issue");
  }
  if (spec.not_before != absl::InfinitePast() && spec.expires_at <= spec.not_before) {
    return Problem("expiry: must come after not-before");
  }
  if (!IsKnownRole(spec.role)) {
    return Problem(absl::StrCat("role: '", spec.role,
                                "' is not HR_ADMIN, COUNTY_HR, SUPERVISOR, SERVICE_STAFF, "
                                "AUDITOR, EMPLOYEE, PAYROLL or OPERATOR"));
  }
  for (const std::string& county : spec.counties) {
    if (!IsResourceName(county, "orgUnits")) {
      return Problem(absl::StrCat("counties: '", county, "' is not orgUnits/<id>"));
    }
  }
  if (!spec.team.empty() && !IsResourceName(spec.team, "teams")) {
    return Problem(absl::StrCat("team: '", spec.team, "' is not teams/<id>"));
  }
  if (!spec.employee.empty() && !IsResourceName(spec.employee, "employees")) {
    return Problem(absl::StrCat("employee: '", spec.employee, "' is not employees/<id>"));
  }
  if (spec.role == "COUNTY_HR" && spec.counties.empty()) {
    return Problem("role COUNTY_HR needs counties (orgUnits/<id>,...)");
  }
  if ((spec.role == "SUPERVISOR" || spec.role == "SERVICE_STAFF") && spec.team.empty()) {
    return Problem(absl::StrCat("role ", spec.role, " needs team (teams/<id>)"));
  }
  if (spec.role == "EMPLOYEE" && spec.employee.empty()) {
    return Problem("role EMPLOYEE needs employee (employees/<id>)");
  }
  return absl::OkStatus();
}

}  // namespace ladder::token
