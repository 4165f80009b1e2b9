#pragma once

// Deny-by-default access decisions, pure so they are tested exhaustively. Each RPC lists the
// grants that let a caller in (its service's access policy); a grant names a role and how far
// it reaches, and a call is allowed only if one of the caller's grants reaches everything the
// request touches.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/auth/principal.h"

namespace ladder::auth {

enum class Reach {
  kAnything,     // no limit
  kOwnCounties,  // every county the request touches is one of the caller's
  kOwnTeam,      // the request touches the caller's team only
  kSelf,         // the request touches the caller's own employee record only
};

struct Grant {
  Role role;
  Reach reach;
  // For Role::kService: the one service this grant is for.
  absl::string_view service = "";
};

// What a request touches, as the service resolved it (from the request, or the stored
// resource it names). Empty when the resource does not exist: then only kAnything grants
// pass, and the caller learns nothing about existence.
struct Scope {
  std::vector<int64_t> counties;
  int64_t team = 0;
  int64_t employee = 0;
};

// The grants of one RPC.
class Grants {
 public:
  Grants(std::initializer_list<Grant> grants) : grants_(grants) {}

  // Whether any grant names the caller's role (and service). If none does, the call is
  // refused without looking anything up.
  bool Names(const Principal& principal) const;
  // Whether a grant of the caller's reaches anything: no scope needs resolving.
  bool Unlimited(const Principal& principal) const;
  // Whether a grant of the caller's reaches all of `scope`.
  bool Reaches(const Principal& principal, const Scope& scope) const;

  const std::vector<Grant>& grants() const { return grants_; }

 private:
  bool Applies(const Grant& grant, const Principal& principal) const;
  std::vector<Grant> grants_;
};

// The grants the services' access policies are written with.
inline constexpr Grant kHrAdmin{Role::kHrAdmin, Reach::kAnything};
inline constexpr Grant kAuditor{Role::kAuditor, Reach::kAnything};
inline constexpr Grant kCountyHrOwnCounties{Role::kCountyHr, Reach::kOwnCounties};
inline constexpr Grant kSupervisorOwnTeam{Role::kSupervisor, Reach::kOwnTeam};
inline constexpr Grant kServiceStaffOwnTeam{Role::kServiceStaff, Reach::kOwnTeam};
inline constexpr Grant kEmployeeSelf{Role::kEmployee, Reach::kSelf};
inline constexpr Grant kPayroll{Role::kPayroll, Reach::kAnything};
// Reference data that is nobody's personal data (org units, teams, quotas, policies) is
// readable by every signed-in role.
inline constexpr Grant kAnyCountyHr{Role::kCountyHr, Reach::kAnything};
inline constexpr Grant kAnySupervisor{Role::kSupervisor, Reach::kAnything};
inline constexpr Grant kAnyServiceStaff{Role::kServiceStaff, Reach::kAnything};
inline constexpr Grant kAnyEmployee{Role::kEmployee, Reach::kAnything};
inline constexpr Grant Service(absl::string_view name) { return Grant{Role::kService, Reach::kAnything, name}; }

// The refusal every out-of-scope call gets: the same words whether or not the resource exists.
absl::Status PermissionDenied(const Principal& principal, absl::string_view method);

}  // namespace ladder::auth
