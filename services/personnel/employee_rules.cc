#include "services/personnel/employee_rules.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/time/dates.h"

namespace ladder::personnel {
namespace {

using ::ladder::personnel::v1::LevelChange;

constexpr auto kCustomerManager = Role::ROLE_CUSTOMER_MANAGER;

int PostGradeFor(const Employee& employee, const policy::Policy& policy) {
  switch (employee.role()) {
    case Role::ROLE_CUSTOMER_MANAGER: {
      const auto* level = policy::FindLevel(policy, employee.level());
      return level == nullptr ? 0 : level->post_grade();
    }
    case Role::ROLE_CUSTOMER_SERVICE_STAFF:
      return policy.customer_service_staff_post_grade();
    default:
      return employee.post_grade();
  }
}

absl::Status RequireNotSeparated(const Employee& employee) {
  if (employee.status() == EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED) {
    return RuleViolationError(reason::kEmployeeSeparated, employee.name(),
                              absl::StrCat(employee.name(),
                                           " is separated; its record is "
                                           "kept read-only"));
  }
  return absl::OkStatus();
}

// A change may not take effect before the employee was hired, nor before the level held
// took effect: the history must read forward in time.
absl::Status RequireDateInOrder(const Employee& current, absl::CivilDay effective) {
  const absl::CivilDay hired = *ToCivilDay(current.hire_date(), "hire_date");
  if (effective < hired) {
    return InvalidFieldError("effective_date",
                             absl::StrCat("is before ", current.name(), " was hired on ", ToSqlDate(hired)));
  }
  if (current.has_level_since()) {
    const absl::CivilDay since = *ToCivilDay(current.level_since(), "level_since");
    if (effective < since) {
      return InvalidFieldError("effective_date",
                               absl::StrCat("is before the current level took effect on ", ToSqlDate(since)));
    }
  }
  return absl::OkStatus();
}

LevelChange BaseChange(const Employee& current, LevelChange::Kind kind, absl::CivilDay day,
                       const policy::Policy& policy) {
  LevelChange change;
  change.set_employee(current.name());
  change.set_kind(kind);
  change.set_from_level(current.level());
  change.set_to_level(current.level());
  change.set_from_county(current.county());
  change.set_to_county(current.county());
  change.set_policy_version(policy.version());
  *change.mutable_effective_date() = ToDate(day);
  return change;
}

}  // namespace

bool CountsInQuota(const Employee& employee) {
  return employee.role() == kCustomerManager && employee.status() == EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE &&
         employee.level() != Level::LEVEL_UNSPECIFIED;
}

bool HasFreePostGrade(Role role) {
  return role != Role::ROLE_CUSTOMER_MANAGER && role != Role::ROLE_CUSTOMER_SERVICE_STAFF;
}

Employee NewEmployee(const Employee& requested, const policy::Policy& policy) {
  Employee employee;
  employee.set_employee_number(requested.employee_number());
  employee.set_display_name(requested.display_name());
  employee.set_county(requested.county());
  employee.set_team(requested.team());
  employee.set_role(requested.role());
  employee.set_entry_channel(requested.entry_channel());
  *employee.mutable_hire_date() = requested.hire_date();
  employee.set_post_grade(HasFreePostGrade(requested.role()) ? requested.post_grade() : 0);
  if (requested.role() != kCustomerManager) {
    employee.set_status(EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE);
  } else if (requested.entry_channel() == EntryChannel::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT) {
    // Measured by written test and interview before the first level.
    employee.set_status(EmploymentStatus::EMPLOYMENT_STATUS_AWAITING_LEVEL);
  } else {
    // Internal recruitment and transfer: the trial period (试岗期) comes first.
    employee.set_status(EmploymentStatus::EMPLOYMENT_STATUS_ON_TRIAL);
    const absl::CivilDay hired = *ToCivilDay(requested.hire_date(), "hire_date");
    *employee.mutable_trial_ends_on() = ToDate(AddMonths(hired, policy.entry().trial_months()) - 1);
  }
  employee.set_post_grade(PostGradeFor(employee, policy));
  return employee;
}

absl::StatusOr<Transition> DecideLevelChange(const Employee& current, const LevelCommand& command,
                                             const policy::Policy& policy) {
  if (absl::Status s = RequireNotSeparated(current); !s.ok()) return s;
  if (absl::Status s = RequireDateInOrder(current, command.effective_date); !s.ok()) return s;
  if (current.role() != kCustomerManager) {
    return RuleViolationError(
        reason::kNotACustomerManager, current.name(),
        absl::StrCat(current.name(), " is ", Role_Name(current.role()), "; only customer managers hold a level"));
  }
  if (current.level() != command.expected_level) {
    return ErrorWithReason(
        absl::StatusCode::kAborted, reason::kLevelChanged,
        absl::StrCat(current.name(), " holds ", common::v1::Level_Name(current.level()), ", not the expected ",
                     common::v1::Level_Name(command.expected_level), "; re-read the employee and decide again"),
        {{"employee", current.name()}, {"level", common::v1::Level_Name(current.level())}});
  }
  if (command.level == current.level()) {
    return InvalidFieldError("level",
                             absl::StrCat("is already the level held, ", common::v1::Level_Name(current.level())));
  }
  if (current.status() == EmploymentStatus::EMPLOYMENT_STATUS_ON_TRIAL) {
    const absl::CivilDay trial_end = *ToCivilDay(current.trial_ends_on(), "trial_ends_on");
    if (command.effective_date <= trial_end) {
      return RuleViolationError(reason::kTrialNotOver, current.name(),
                                absl::StrCat("the trial of ", current.name(), " runs until ", ToSqlDate(trial_end),
                                             "; the level takes effect after it"));
    }
  }

  LevelChange::Kind kind = LevelChange::KIND_INITIAL_LEVEL;
  if (current.level() != Level::LEVEL_UNSPECIFIED) {
    kind = command.level > current.level() ? LevelChange::KIND_PROMOTION : LevelChange::KIND_DEMOTION;
  }
  Transition transition;
  transition.kind = v1::Change::KIND_LEVEL_CHANGED;
  transition.change = BaseChange(current, kind, command.effective_date, policy);
  transition.change->set_to_level(command.level);
  transition.change->set_reason(command.reason);
  transition.change->set_decision(command.decision);

  transition.next = current;
  transition.next.set_level(command.level);
  transition.next.set_status(EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE);
  transition.next.clear_trial_ends_on();
  *transition.next.mutable_level_since() = ToDate(command.effective_date);
  transition.next.set_post_grade(PostGradeFor(transition.next, policy));
  return transition;
}

absl::StatusOr<Transition> DecideTransfer(const Employee& current, const TransferCommand& command,
                                          const policy::Policy& policy) {
  if (absl::Status s = RequireNotSeparated(current); !s.ok()) return s;
  if (absl::Status s = RequireDateInOrder(current, command.effective_date); !s.ok()) return s;
  if (command.county == current.county()) {
    return InvalidFieldError("county", absl::StrCat(current.name(), " already works in ", current.county()));
  }
  Transition transition;
  transition.kind = v1::Change::KIND_EMPLOYEE_TRANSFERRED;
  transition.next = current;
  transition.next.set_county(command.county);
  transition.next.set_team(command.team);
  if (current.role() == kCustomerManager) {
    transition.change = BaseChange(current, LevelChange::KIND_TRANSFER, command.effective_date, policy);
    transition.change->set_to_county(command.county);
    transition.change->set_reason(command.reason);
  }
  return transition;
}

absl::StatusOr<Transition> DecideRoleChange(const Employee& current, const RoleCommand& command,
                                            const policy::Policy& policy) {
  if (absl::Status s = RequireNotSeparated(current); !s.ok()) return s;
  if (absl::Status s = RequireDateInOrder(current, command.effective_date); !s.ok()) return s;
  if (command.role == current.role()) {
    return InvalidFieldError("role", absl::StrCat("is already the role held, ", Role_Name(current.role())));
  }
  Transition transition;
  transition.kind = v1::Change::KIND_ROLE_CHANGED;
  Employee& next = transition.next;
  next = current;
  next.set_role(command.role);
  next.set_team(command.team);
  next.set_post_grade(command.post_grade);
  next.set_level(Level::LEVEL_UNSPECIFIED);
  next.clear_level_since();
  next.clear_trial_ends_on();
  next.set_status(EmploymentStatus::EMPLOYMENT_STATUS_ACTIVE);
  if (command.role == kCustomerManager) {
    // 转岗: an employee moving into the post starts with the trial period.
    next.set_entry_channel(EntryChannel::ENTRY_CHANNEL_TRANSFER);
    next.set_status(EmploymentStatus::EMPLOYMENT_STATUS_ON_TRIAL);
    *next.mutable_trial_ends_on() = ToDate(AddMonths(command.effective_date, policy.entry().trial_months()) - 1);
  }
  next.set_post_grade(PostGradeFor(next, policy));
  if (current.role() == kCustomerManager || command.role == kCustomerManager) {
    transition.change = BaseChange(current, LevelChange::KIND_ROLE_CHANGE, command.effective_date, policy);
    transition.change->set_to_level(Level::LEVEL_UNSPECIFIED);
    transition.change->set_reason(command.reason);
    transition.change->set_decision(command.decision);
  }
  return transition;
}

absl::StatusOr<Transition> DecideSeparation(const Employee& current, const SeparationCommand& command,
                                            const policy::Policy& policy) {
  if (absl::Status s = RequireNotSeparated(current); !s.ok()) return s;
  if (absl::Status s = RequireDateInOrder(current, command.effective_date); !s.ok()) return s;
  Transition transition;
  transition.kind = v1::Change::KIND_EMPLOYMENT_ENDED;
  transition.next = current;
  transition.next.set_status(EmploymentStatus::EMPLOYMENT_STATUS_SEPARATED);
  transition.next.set_separation_reason(command.reason);
  *transition.next.mutable_separation_date() = ToDate(command.effective_date);
  transition.next.clear_trial_ends_on();
  if (current.role() == kCustomerManager) {
    transition.change = BaseChange(current, LevelChange::KIND_SEPARATION, command.effective_date, policy);
    transition.change->set_to_level(Level::LEVEL_UNSPECIFIED);
    transition.change->set_reason(command.note.empty()
                                      ? SeparationReason_Name(command.reason)
                                      : absl::StrCat(SeparationReason_Name(command.reason), ": ", command.note));
    transition.change->set_decision(command.decision);
  }
  return transition;
}

absl::StatusOr<Transition> DecideUpdate(const Employee& current, const EmployeePatch& patch) {
  if (absl::Status s = RequireNotSeparated(current); !s.ok()) return s;
  Transition transition;
  transition.kind = v1::Change::KIND_EMPLOYEE_UPDATED;
  transition.next = current;
  if (patch.display_name) transition.next.set_display_name(*patch.display_name);
  if (patch.employee_number) transition.next.set_employee_number(*patch.employee_number);
  if (patch.team) transition.next.set_team(*patch.team);
  if (patch.post_grade) {
    if (!HasFreePostGrade(current.role())) {
      return InvalidFieldError("employee.post_grade", absl::StrCat("follows from the level or the policy for ",
                                                                   Role_Name(current.role()), "; it is output only"));
    }
    transition.next.set_post_grade(*patch.post_grade);
  }
  return transition;
}

}  // namespace ladder::personnel
