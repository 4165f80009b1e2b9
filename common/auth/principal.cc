#include "common/auth/principal.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ladder::auth {
namespace {

struct RoleSpelling {
  Role role;
  absl::string_view name;
};
constexpr RoleSpelling kRoles[] = {
    {Role::kHrAdmin, "HR_ADMIN"},      {Role::kCountyHr, "COUNTY_HR"},
    {Role::kSupervisor, "SUPERVISOR"}, {Role::kServiceStaff, "SERVICE_STAFF"},
    {Role::kAuditor, "AUDITOR"},       {Role::kEmployee, "EMPLOYEE"},
    {Role::kPayroll, "PAYROLL"},       {Role::kOperator, "OPERATOR"},
    {Role::kService, "SERVICE"},
};

absl::StatusOr<Role> RoleFromName(absl::string_view name) {
  for (const RoleSpelling& spelling : kRoles) {
    if (spelling.name == name) return spelling.role;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown role \"", name, "\""));
}

}  // namespace

absl::string_view RoleName(Role role) {
  for (const RoleSpelling& spelling : kRoles) {
    if (spelling.role == role) return spelling.name;
  }
  return "UNKNOWN";
}

absl::StatusOr<Role> TokenRoleFromName(absl::string_view name) {
  absl::StatusOr<Role> role = RoleFromName(name);
  if (role.ok() && *role == Role::kService) {
    return absl::InvalidArgumentError("role SERVICE is given by certificates, not tokens");
  }
  return role;
}

bool Principal::HasCounty(int64_t county) const {
  return std::find(counties.begin(), counties.end(), county) != counties.end();
}

}  // namespace ladder::auth
