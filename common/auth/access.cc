#include "common/auth/access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace ladder::auth {

bool Grants::Applies(const Grant& grant, const Principal& principal) const {
  if (grant.role != principal.role) return false;
  return grant.role != Role::kService || grant.service == principal.service;
}

bool Grants::Names(const Principal& principal) const {
  return std::any_of(grants_.begin(), grants_.end(), [&](const Grant& grant) { return Applies(grant, principal); });
}

bool Grants::Unlimited(const Principal& principal) const {
  return std::any_of(grants_.begin(), grants_.end(),
                     [&](const Grant& grant) { return Applies(grant, principal) && grant.reach == Reach::kAnything; });
}

bool Grants::Reaches(const Principal& principal, const Scope& scope) const {
  return std::any_of(grants_.begin(), grants_.end(), [&](const Grant& grant) {
    if (!Applies(grant, principal)) return false;
    switch (grant.reach) {
      case Reach::kAnything:
        return true;
      case Reach::kOwnCounties:
        return !scope.counties.empty() && std::all_of(scope.counties.begin(), scope.counties.end(),
                                                      [&](int64_t county) { return principal.HasCounty(county); });
      case Reach::kOwnTeam:
        return principal.team != 0 && scope.team == principal.team;
      case Reach::kSelf:
        return principal.employee != 0 && scope.employee == principal.employee;
    }
    return false;
  });
}

absl::Status PermissionDenied(const Principal& principal, absl::string_view method) {
  return ErrorWithReason(
      absl::StatusCode::kPermissionDenied, reason::kNotPermitted,
      absl::StrCat(principal.actor, " (", RoleName(principal.role), ") may not call ", method, " on this resource"));
}

}  // namespace ladder::auth
