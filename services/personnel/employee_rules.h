#pragma once

// What each personnel command does to an employee record, as pure functions of the record,
// the command and the policy. The store runs them inside its transaction; unit tests run
// them alone.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/policy/policy_set.h"
#include "ladder/personnel/v1/change.pb.h"
#include "ladder/personnel/v1/employee.pb.h"
#include "ladder/personnel/v1/level_change.pb.h"

namespace ladder::personnel {

using ::ladder::common::v1::Level;
using ::ladder::personnel::v1::Employee;
using ::ladder::personnel::v1::EmploymentStatus;
using ::ladder::personnel::v1::EntryChannel;
using ::ladder::personnel::v1::Role;
using ::ladder::personnel::v1::SeparationReason;

// The employee after a command, and the level-history entry it produces (kind, levels,
// counties, reason, decision, policy version, effective date; the store adds the rest).
struct Transition {
  Employee next;
  std::optional<v1::LevelChange> change;
  // What the change feed calls it.
  v1::Change::Kind kind = v1::Change::KIND_UNSPECIFIED;
};

// Whether the employee counts in N of their county: a customer manager in post who holds a
// level. Those on trial or awaiting their first level do not count yet.
bool CountsInQuota(const Employee& employee);

// The stored form of a new employee: status, trial end, post grade and level follow from
// role, entry channel and hire date under `policy`. Fields are already validated.
Employee NewEmployee(const Employee& requested, const policy::Policy& policy);

struct LevelCommand {
  Level expected_level = Level::LEVEL_UNSPECIFIED;
  Level level = Level::LEVEL_UNSPECIFIED;
  std::string reason;
  std::string decision;
  absl::CivilDay effective_date;
};
absl::StatusOr<Transition> DecideLevelChange(const Employee& current, const LevelCommand& command,
                                             const policy::Policy& policy);

struct TransferCommand {
  std::string county;  // "orgUnits/{id}"
  std::string team;    // "teams/{id}" or empty
  std::string reason;
  absl::CivilDay effective_date;
};
absl::StatusOr<Transition> DecideTransfer(const Employee& current, const TransferCommand& command,
                                          const policy::Policy& policy);

struct RoleCommand {
  Role role = Role::ROLE_UNSPECIFIED;
  int post_grade = 0;
  std::string team;
  std::string reason;
  std::string decision;
  absl::CivilDay effective_date;
};
absl::StatusOr<Transition> DecideRoleChange(const Employee& current, const RoleCommand& command,
                                            const policy::Policy& policy);

struct SeparationCommand {
  SeparationReason reason = SeparationReason::SEPARATION_REASON_UNSPECIFIED;
  std::string note;
  std::string decision;
  absl::CivilDay effective_date;
};
absl::StatusOr<Transition> DecideSeparation(const Employee& current, const SeparationCommand& command,
                                            const policy::Policy& policy);

// The writable fields of an UpdateEmployee, already validated; unset means unchanged.
struct EmployeePatch {
  std::optional<std::string> display_name;
  std::optional<std::string> employee_number;
  std::optional<std::string> team;
  std::optional<int> post_grade;
};
absl::StatusOr<Transition> DecideUpdate(const Employee& current, const EmployeePatch& patch);

// True for roles whose post grade the caller sets (no level, no policy grade).
bool HasFreePostGrade(Role role);

}  // namespace ladder::personnel
