// CheckClaims: what ladder_token refuses to sign.

#include "tools/token/token_claims.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace ladder::token {
namespace {

TokenSpec Valid(const std::string& role) {
  TokenSpec spec;
  spec.kid = "ladder-dev-es256";
  spec.issuer = "ladder";
  spec.audience = "ladder";
  spec.subject = "someone";
  spec.role = role;
  spec.issued_at = absl::FromUnixSeconds(1800000000);
  spec.not_before = spec.issued_at;
  spec.expires_at = spec.issued_at + absl::Hours(8);
  if (role == "COUNTY_HR") spec.counties = {"orgUnits/2", "orgUnits/3"};
  if (role == "SUPERVISOR" || role == "SERVICE_STAFF") spec.team = "teams/4";
  if (role == "EMPLOYEE") spec.employee = "employees/5";
  return spec;
}

std::string ProblemOf(const TokenSpec& spec) {
  const absl::Status status = CheckClaims(spec);
  if (status.ok()) return "";
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return std::string(status.message());
}

TEST(CheckClaimsTest, EveryRoleWithItsScopeIsAccepted) {
  for (const char* role : {"HR_ADMIN", "COUNTY_HR", "SUPERVISOR", "SERVICE_STAFF", "AUDITOR", "EMPLOYEE"}) {
    EXPECT_TRUE(IsKnownRole(role)) << role;
    EXPECT_EQ(ProblemOf(Valid(role)), "") << role;
  }
  TokenSpec supervisor = Valid("SUPERVISOR");
  supervisor.employee = "employees/9";  // optional for roles other than EMPLOYEE
  EXPECT_EQ(ProblemOf(supervisor), "");
}

TEST(CheckClaimsTest, ARoleWithoutItsScopeIsRefused) {
  TokenSpec county_hr = Valid("COUNTY_HR");
  county_hr.counties.clear();
  EXPECT_TRUE(absl::StrContains(ProblemOf(county_hr), "COUNTY_HR needs counties"));
  TokenSpec staff = Valid("SERVICE_STAFF");
  staff.team.clear();
  EXPECT_TRUE(absl::StrContains(ProblemOf(staff), "SERVICE_STAFF needs team"));
  TokenSpec employee = Valid("EMPLOYEE");
  employee.employee.clear();
  EXPECT_TRUE(absl::StrContains(ProblemOf(employee), "EMPLOYEE needs employee"));
}

TEST(CheckClaimsTest, UnknownRolesAndMalformedNamesAreRefused) {
  TokenSpec spec = Valid("HR_ADMIN");
  spec.role = "ADMIN";
  EXPECT_TRUE(absl::StrContains(ProblemOf(spec), "'ADMIN' is not HR_ADMIN"));
  EXPECT_FALSE(IsKnownRole("hr_admin"));

  for (const char* county :
       {"orgUnits/", "orgUnits/0", "orgUnits/01", "orgUnits/x", "teams/1", "orgUnits/1/quota", "2"}) {
    spec = Valid("COUNTY_HR");
    spec.counties = {"orgUnits/1", county};
    EXPECT_TRUE(absl::StrContains(ProblemOf(spec), "is not orgUnits/<id>")) << county;
  }
  spec = Valid("SUPERVISOR");
  spec.team = "team/4";
  EXPECT_TRUE(absl::StrContains(ProblemOf(spec), "is not teams/<id>"));
  spec = Valid("EMPLOYEE");
  spec.employee = "employees/LY0016";
  EXPECT_TRUE(absl::StrContains(ProblemOf(spec), "is not employees/<id>"));
}

TEST(CheckClaimsTest, RequiredClaimsAndASafeKid) {
  for (const char* kid : {"", "../ca", "a/b", ".hidden", "sp ace"}) {
    TokenSpec spec = Valid("AUDITOR");
    spec.kid = kid;
    EXPECT_TRUE(absl::StartsWith(ProblemOf(spec), "kid:")) << kid;
  }
  TokenSpec spec = Valid("AUDITOR");
  spec.issuer.clear();
  EXPECT_EQ(ProblemOf(spec), "issuer: required");
  spec = Valid("AUDITOR");
  spec.audience.clear();
  EXPECT_EQ(ProblemOf(spec), "audience: required");
  spec = Valid("AUDITOR");
  spec.subject.clear();
  EXPECT_EQ(ProblemOf(spec), "subject: required");
  spec = Valid("AUDITOR");
  spec.expires_at = absl::InfinitePast();
  EXPECT_TRUE(absl::StartsWith(ProblemOf(spec), "expiry: required"));
  spec = Valid("AUDITOR");
  spec.expires_at = spec.issued_at;
  EXPECT_TRUE(absl::StrContains(ProblemOf(spec), "after the time of issue"));
  spec = Valid("AUDITOR");
  spec.not_before = spec.expires_at + absl::Seconds(1);
  EXPECT_TRUE(absl::StrContains(ProblemOf(spec), "after not-before"));
}

}  // namespace
}  // namespace ladder::token
