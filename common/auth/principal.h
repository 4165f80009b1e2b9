#pragma once

// Who a verified caller is and what part of the branch they answer for. Built from a verified
// token or a verified client certificate (authenticator.h), never from what a caller declares.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ladder::auth {

enum class Role {
  kHrAdmin,       // everything
  kCountyHr,      // people, cycles and cases of their own counties
  kSupervisor,    // scores their own team
  kServiceStaff,  // quality-inspection flags in their own team
  kAuditor,       // reads everything, changes nothing
  kEmployee,      // their own record, scores and eligibility
  kPayroll,       // a pay system: follows personnel's change feed (levels, post grades), no scores
  kOperator,      // runs the servers: channelz (grpc.channelz.v1), health; no business data
  kService,       // another Ladder service, by its mTLS certificate
};

// "HR_ADMIN", "COUNTY_HR", …, "SERVICE".
absl::string_view RoleName(Role role);
// The token claim's spelling; INVALID_ARGUMENT for anything else (SERVICE is not a token role).
absl::StatusOr<Role> TokenRoleFromName(absl::string_view name);

struct Principal {
  // "user:<sub>" for a token, "service:<name>" for a certificate.
  std::string actor;
  Role role = Role::kEmployee;
  // The service's name (certificate CN) when role is kService.
  std::string service;
  // COUNTY_HR: the counties they answer for (orgUnits ids).
  std::vector<int64_t> counties;
  // SUPERVISOR, SERVICE_STAFF: their team (teams id); 0 when none.
  int64_t team = 0;
  // The employee the caller is (employees id); 0 when none.
  int64_t employee = 0;
  // For a service: the person whose call it is making, as that service verified them
  // ("user:<sub>"); empty otherwise. Recorded, never used to authorize.
  std::string on_behalf_of;

  bool HasCounty(int64_t county) const;
};

}  // namespace ladder::auth
