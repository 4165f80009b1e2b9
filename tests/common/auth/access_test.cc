// The access decision on its own: which grants let which principal reach which scope.

#include "common/auth/access.h"

#include "gtest/gtest.h"

namespace ladder::auth {
namespace {

Principal CountyHr(std::vector<int64_t> counties) {
  Principal principal;
  principal.actor = "user:hr";
  principal.role = Role::kCountyHr;
  principal.counties = std::move(counties);
  return principal;
}

Principal WithRole(Role role, int64_t team = 0, int64_t employee = 0) {
  Principal principal;
  principal.actor = "user:someone";
  principal.role = role;
  principal.team = team;
  principal.employee = employee;
  return principal;
}

Principal ServiceNamed(const std::string& name) {
  Principal principal;
  principal.actor = "service:" + name;
  principal.role = Role::kService;
  principal.service = name;
  return principal;
}

TEST(AccessTest, OnlyNamedRolesGetInAndUnlimitedOnesNeedNoScope) {
  const Grants grants = {kHrAdmin, kCountyHrOwnCounties};
  EXPECT_TRUE(grants.Names(WithRole(Role::kHrAdmin)));
  EXPECT_TRUE(grants.Unlimited(WithRole(Role::kHrAdmin)));
  EXPECT_TRUE(grants.Names(CountyHr({1})));
  EXPECT_FALSE(grants.Unlimited(CountyHr({1})));
  for (Role role : {Role::kAuditor, Role::kSupervisor, Role::kServiceStaff, Role::kEmployee, Role::kService}) {
    EXPECT_FALSE(grants.Names(WithRole(role))) << RoleName(role);
    EXPECT_FALSE(grants.Reaches(WithRole(role), Scope{{1}, 1, 1})) << RoleName(role);
  }
}

TEST(AccessTest, CountiesMustAllBeOwn) {
  const Grants grants = {kCountyHrOwnCounties};
  EXPECT_TRUE(grants.Reaches(CountyHr({1, 2}), Scope{{1}, 0, 0}));
  EXPECT_TRUE(grants.Reaches(CountyHr({1, 2}), Scope{{2, 1}, 0, 0}));
  EXPECT_FALSE(grants.Reaches(CountyHr({1, 2}), Scope{{1, 3}, 0, 0})) << "a transfer out of reach";
  EXPECT_FALSE(grants.Reaches(CountyHr({1}), Scope{})) << "nothing found reaches nothing";
}

TEST(AccessTest, TeamAndSelfMustMatchExactly) {
  const Grants grants = {kSupervisorOwnTeam, kServiceStaffOwnTeam, kEmployeeSelf};
  EXPECT_TRUE(grants.Reaches(WithRole(Role::kSupervisor, 7), Scope{{1}, 7, 0}));
  EXPECT_FALSE(grants.Reaches(WithRole(Role::kSupervisor, 7), Scope{{1}, 8, 0}));
  EXPECT_FALSE(grants.Reaches(WithRole(Role::kSupervisor, 0), Scope{{1}, 0, 0})) << "no team is not a team";
  EXPECT_TRUE(grants.Reaches(WithRole(Role::kServiceStaff, 7), Scope{{}, 7, 0}));
  EXPECT_TRUE(grants.Reaches(WithRole(Role::kEmployee, 0, 42), Scope{{1}, 7, 42}));
  EXPECT_FALSE(grants.Reaches(WithRole(Role::kEmployee, 0, 42), Scope{{1}, 7, 43}));
  EXPECT_FALSE(grants.Reaches(WithRole(Role::kEmployee, 0, 0), Scope{{1}, 7, 0}));
}

TEST(AccessTest, ServiceGrantsNameTheService) {
  const Grants grants = {kHrAdmin, Service("careerpath")};
  EXPECT_TRUE(grants.Unlimited(ServiceNamed("careerpath")));
  EXPECT_FALSE(grants.Names(ServiceNamed("evaluation")));
  EXPECT_FALSE(grants.Names(ServiceNamed("")));
}

TEST(AccessTest, RefusalSaysWhoAndWhatButNothingAboutTheResource) {
  const absl::Status refused = PermissionDenied(CountyHr({1}), "GetEmployee");
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.message(), "user:hr (COUNTY_HR) may not call GetEmployee on this resource");
}

TEST(AccessTest, TokenRolesAreTheSixHumanRoles) {
  for (const char* name : {"HR_ADMIN", "COUNTY_HR", "SUPERVISOR", "SERVICE_STAFF", "AUDITOR", "EMPLOYEE"}) {
    absl::StatusOr<Role> role = TokenRoleFromName(name);
    ASSERT_TRUE(role.ok()) << name;
    EXPECT_EQ(RoleName(*role), name);
  }
  EXPECT_FALSE(TokenRoleFromName("SERVICE").ok());
  EXPECT_FALSE(TokenRoleFromName("hr_admin").ok());
  EXPECT_FALSE(TokenRoleFromName("").ok());
}

}  // namespace
}  // namespace ladder::auth
