#pragma once

// Checks of each PersonnelService request that need no database: required fields,
// formats, lengths, enum values, resource-name shapes. Pure, so they are unit-tested and
// fuzzed directly. Errors are INVALID_ARGUMENT naming the field.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "ladder/personnel/v1/personnel_service.pb.h"

namespace ladder::personnel {

absl::Status ValidateCreateOrgUnit(const v1::CreateOrgUnitRequest& request);
absl::Status ValidateCreateTeam(const v1::CreateTeamRequest& request);
absl::Status ValidateUpdateTeam(const v1::UpdateTeamRequest& request);
absl::Status ValidateCreateEmployee(const v1::CreateEmployeeRequest& request);
absl::Status ValidateUpdateEmployee(const v1::UpdateEmployeeRequest& request);
absl::Status ValidateTransferEmployee(const v1::TransferEmployeeRequest& request);
absl::Status ValidateChangeLevel(const v1::ChangeLevelRequest& request);
absl::Status ValidateChangeRole(const v1::ChangeRoleRequest& request);
absl::Status ValidateEndEmployment(const v1::EndEmploymentRequest& request);
absl::Status ValidateListEmployees(const v1::ListEmployeesRequest& request);
absl::Status ValidateBatchGetEmployees(const v1::BatchGetEmployeesRequest& request);

// The effective date of a change: `today` when unset, else a valid day not after today.
absl::StatusOr<absl::CivilDay> EffectiveDate(const google::type::Date& date, absl::string_view field,
                                             absl::CivilDay today);

// The writable paths of UpdateEmployee and UpdateTeam.
inline constexpr const char* kEmployeeWritablePaths[] = {"display_name", "employee_number", "team", "post_grade"};
inline constexpr const char* kTeamWritablePaths[] = {"display_name", "supervisor"};

}  // namespace ladder::personnel
