#include "services/personnel/request_validation.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "common/api/field_mask.h"
#include "common/api/resource_name.h"
#include "common/api/validation.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/dates.h"

namespace ladder::personnel {
namespace {

using api::ParseName;
using api::ValidateText;

constexpr size_t kMaxNameChars = 100;
constexpr size_t kMaxReasonChars = 500;
constexpr size_t kMaxDecisionChars = 200;
constexpr size_t kMaxPolicyVersionChars = 32;
constexpr int kMaxPostGrade = 30;
constexpr int kMaxBatch = 1000;

absl::Status OptionalName(const std::string& name, absl::string_view collection, absl::string_view field) {
  if (name.empty()) return absl::OkStatus();
  return ParseName(name, collection, field).status();
}

absl::Status RequiredName(const std::string& name, absl::string_view collection, absl::string_view field) {
  return ParseName(name, collection, field).status();
}

absl::Status EmployeeNumber(const std::string& number, absl::string_view field) {
  if (number.empty()) return InvalidFieldError(field, "is required");
  if (number.size() > 32) return InvalidFieldError(field, "must have at most 32 characters");
  for (char c : number) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return InvalidFieldError(field, "may contain only letters, digits, '-' and '_'");
  }
  return absl::OkStatus();
}

template <typename Enum>
absl::Status RequiredEnum(int value, bool (*is_valid)(int), absl::string_view field) {
  if (value == 0) return InvalidFieldError(field, "is required");
  if (!is_valid(value)) return InvalidFieldError(field, absl::StrCat("has unknown value ", value));
  return absl::OkStatus();
}

absl::Status OptionalEnum(int value, bool (*is_valid)(int), absl::string_view field) {
  if (!is_valid(value)) return InvalidFieldError(field, absl::StrCat("has unknown value ", value));
  return absl::OkStatus();
}

absl::Status Reason(const std::string& reason, absl::string_view field) {
  return ValidateText(reason, field, 1, kMaxReasonChars);
}

absl::Status DecisionAndPolicy(const std::string& decision, const std::string& policy_version) {
  LADDER_RETURN_IF_ERROR(ValidateText(decision, "decision", 0, kMaxDecisionChars));
  return ValidateText(policy_version, "policy_version", 0, kMaxPolicyVersionChars);
}

bool IsUnset(const google::type::Date& date) { return date.year() == 0 && date.month() == 0 && date.day() == 0; }

absl::Status DateIfSet(const google::type::Date& date, absl::string_view field) {
  if (IsUnset(date)) return absl::OkStatus();
  return ToCivilDay(date, field).status();
}

absl::Status UpdateMask(const google::protobuf::FieldMask& mask, const char* const* begin, const char* const* end) {
  for (const std::string& path : mask.paths()) {
    if (std::find(begin, end, path) == end) {
      return InvalidFieldError("update_mask",
                               absl::StrCat("path '", api::QuotableText(path), "' is not writable by this call"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<absl::CivilDay> EffectiveDate(const google::type::Date& date, absl::string_view field,
                                             absl::CivilDay today) {
  if (IsUnset(date)) return today;
  LADDER_ASSIGN_OR_RETURN(absl::CivilDay day, ToCivilDay(date, field));
  if (day > today) {
    return InvalidFieldError(field,
                             absl::StrCat("must not be in the future (today is ", ToSqlDate(today), " in UTC+8)"));
  }
  return day;
}

absl::Status ValidateCreateOrgUnit(const v1::CreateOrgUnitRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  if (!request.has_org_unit()) return InvalidFieldError("org_unit", "is required");
  const v1::OrgUnit& unit = request.org_unit();
  LADDER_RETURN_IF_ERROR(ValidateText(unit.display_name(), "org_unit.display_name", 1, kMaxNameChars));
  LADDER_RETURN_IF_ERROR(RequiredEnum<v1::OrgUnit::Kind>(unit.kind(), v1::OrgUnit::Kind_IsValid, "org_unit.kind"));
  if (unit.kind() == v1::OrgUnit::KIND_COUNTY) {
    return RequiredName(unit.parent(), "orgUnits", "org_unit.parent");
  }
  if (!unit.parent().empty()) {
    return InvalidFieldError("org_unit.parent", "must be empty for a city branch");
  }
  return absl::OkStatus();
}

absl::Status ValidateCreateTeam(const v1::CreateTeamRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  if (!request.has_team()) return InvalidFieldError("team", "is required");
  LADDER_RETURN_IF_ERROR(ValidateText(request.team().display_name(), "team.display_name", 1, kMaxNameChars));
  LADDER_RETURN_IF_ERROR(RequiredName(request.team().county(), "orgUnits", "team.county"));
  return OptionalName(request.team().supervisor(), "employees", "team.supervisor");
}

absl::Status ValidateUpdateTeam(const v1::UpdateTeamRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  if (!request.has_team()) return InvalidFieldError("team", "is required");
  LADDER_RETURN_IF_ERROR(RequiredName(request.team().name(), "teams", "team.name"));
  LADDER_RETURN_IF_ERROR(
      UpdateMask(request.update_mask(), std::begin(kTeamWritablePaths), std::end(kTeamWritablePaths)));
  if (api::MaskIncludes(request.update_mask(), "display_name")) {
    LADDER_RETURN_IF_ERROR(ValidateText(request.team().display_name(), "team.display_name", 1, kMaxNameChars));
  }
  return OptionalName(request.team().supervisor(), "employees", "team.supervisor");
}

absl::Status ValidateCreateEmployee(const v1::CreateEmployeeRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  if (!request.has_employee()) return InvalidFieldError("employee", "is required");
  const v1::Employee& employee = request.employee();
  LADDER_RETURN_IF_ERROR(EmployeeNumber(employee.employee_number(), "employee.employee_number"));
  LADDER_RETURN_IF_ERROR(ValidateText(employee.display_name(), "employee.display_name", 1, kMaxNameChars));
  LADDER_RETURN_IF_ERROR(RequiredName(employee.county(), "orgUnits", "employee.county"));
  LADDER_RETURN_IF_ERROR(OptionalName(employee.team(), "teams", "employee.team"));
  LADDER_RETURN_IF_ERROR(RequiredEnum<v1::Role>(employee.role(), v1::Role_IsValid, "employee.role"));
  if (employee.role() == v1::ROLE_CUSTOMER_MANAGER) {
    LADDER_RETURN_IF_ERROR(
        RequiredEnum<v1::EntryChannel>(employee.entry_channel(), v1::EntryChannel_IsValid, "employee.entry_channel"));
  } else {
    LADDER_RETURN_IF_ERROR(OptionalEnum(employee.entry_channel(), v1::EntryChannel_IsValid, "employee.entry_channel"));
  }
  if (IsUnset(employee.hire_date())) return InvalidFieldError("employee.hire_date", "is required");
  LADDER_RETURN_IF_ERROR(ToCivilDay(employee.hire_date(), "employee.hire_date").status());
  if (employee.post_grade() < 0 || employee.post_grade() > kMaxPostGrade) {
    return InvalidFieldError("employee.post_grade", absl::StrCat("must be 0-", kMaxPostGrade));
  }
  return absl::OkStatus();
}

absl::Status ValidateUpdateEmployee(const v1::UpdateEmployeeRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  if (!request.has_employee()) return InvalidFieldError("employee", "is required");
  const v1::Employee& employee = request.employee();
  LADDER_RETURN_IF_ERROR(RequiredName(employee.name(), "employees", "employee.name"));
  LADDER_RETURN_IF_ERROR(
      UpdateMask(request.update_mask(), std::begin(kEmployeeWritablePaths), std::end(kEmployeeWritablePaths)));
  LADDER_RETURN_IF_ERROR(ValidateText(employee.etag(), "employee.etag", 0, 64));
  const auto& mask = request.update_mask();
  if (api::MaskIncludes(mask, "display_name")) {
    LADDER_RETURN_IF_ERROR(ValidateText(employee.display_name(), "employee.display_name", 1, kMaxNameChars));
  }
  if (api::MaskIncludes(mask, "employee_number")) {
    LADDER_RETURN_IF_ERROR(EmployeeNumber(employee.employee_number(), "employee.employee_number"));
  }
  if (api::MaskIncludes(mask, "team")) {
    LADDER_RETURN_IF_ERROR(OptionalName(employee.team(), "teams", "employee.team"));
  }
  if (api::MaskIncludes(mask, "post_grade") && (employee.post_grade() < 0 || employee.post_grade() > kMaxPostGrade)) {
    return InvalidFieldError("employee.post_grade", absl::StrCat("must be 0-", kMaxPostGrade));
  }
  return absl::OkStatus();
}

absl::Status ValidateTransferEmployee(const v1::TransferEmployeeRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  LADDER_RETURN_IF_ERROR(RequiredName(request.name(), "employees", "name"));
  LADDER_RETURN_IF_ERROR(RequiredName(request.county(), "orgUnits", "county"));
  LADDER_RETURN_IF_ERROR(OptionalName(request.team(), "teams", "team"));
  LADDER_RETURN_IF_ERROR(Reason(request.reason(), "reason"));
  return DateIfSet(request.effective_date(), "effective_date");
}

absl::Status ValidateChangeLevel(const v1::ChangeLevelRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  LADDER_RETURN_IF_ERROR(RequiredName(request.name(), "employees", "name"));
  LADDER_RETURN_IF_ERROR(OptionalEnum(request.expected_level(), common::v1::Level_IsValid, "expected_level"));
  LADDER_RETURN_IF_ERROR(RequiredEnum<common::v1::Level>(request.level(), common::v1::Level_IsValid, "level"));
  LADDER_RETURN_IF_ERROR(Reason(request.reason(), "reason"));
  LADDER_RETURN_IF_ERROR(DecisionAndPolicy(request.decision(), request.policy_version()));
  return DateIfSet(request.effective_date(), "effective_date");
}

absl::Status ValidateChangeRole(const v1::ChangeRoleRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  LADDER_RETURN_IF_ERROR(RequiredName(request.name(), "employees", "name"));
  LADDER_RETURN_IF_ERROR(RequiredEnum<v1::Role>(request.role(), v1::Role_IsValid, "role"));
  const bool free_grade =
      request.role() != v1::ROLE_CUSTOMER_MANAGER && request.role() != v1::ROLE_CUSTOMER_SERVICE_STAFF;
  if (request.post_grade() < 0 || request.post_grade() > kMaxPostGrade) {
    return InvalidFieldError("post_grade", absl::StrCat("must be 0-", kMaxPostGrade));
  }
  if (!free_grade && request.post_grade() != 0) {
    return InvalidFieldError("post_grade", "must be 0: the level or the policy gives this role's post grade");
  }
  LADDER_RETURN_IF_ERROR(OptionalName(request.team(), "teams", "team"));
  LADDER_RETURN_IF_ERROR(Reason(request.reason(), "reason"));
  LADDER_RETURN_IF_ERROR(DecisionAndPolicy(request.decision(), request.policy_version()));
  return DateIfSet(request.effective_date(), "effective_date");
}

absl::Status ValidateEndEmployment(const v1::EndEmploymentRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  LADDER_RETURN_IF_ERROR(RequiredName(request.name(), "employees", "name"));
  LADDER_RETURN_IF_ERROR(RequiredEnum<v1::SeparationReason>(request.reason(), v1::SeparationReason_IsValid, "reason"));
  LADDER_RETURN_IF_ERROR(ValidateText(request.note(), "note", 0, kMaxReasonChars));
  LADDER_RETURN_IF_ERROR(DecisionAndPolicy(request.decision(), request.policy_version()));
  return DateIfSet(request.effective_date(), "effective_date");
}

absl::Status ValidateListEmployees(const v1::ListEmployeesRequest& request) {
  LADDER_RETURN_IF_ERROR(OptionalName(request.county(), "orgUnits", "county"));
  LADDER_RETURN_IF_ERROR(OptionalName(request.team(), "teams", "team"));
  LADDER_RETURN_IF_ERROR(OptionalEnum(request.role(), v1::Role_IsValid, "role"));
  LADDER_RETURN_IF_ERROR(OptionalEnum(request.level(), common::v1::Level_IsValid, "level"));
  return OptionalEnum(request.status(), v1::EmploymentStatus_IsValid, "status");
}

absl::Status ValidateBatchGetEmployees(const v1::BatchGetEmployeesRequest& request) {
  if (request.names_size() == 0) return InvalidFieldError("names", "must name at least one employee");
  if (request.names_size() > kMaxBatch) {
    return InvalidFieldError("names", absl::StrCat("must name at most ", kMaxBatch, " employees"));
  }
  for (int i = 0; i < request.names_size(); ++i) {
    LADDER_RETURN_IF_ERROR(RequiredName(request.names(i), "employees", absl::StrCat("names[", i, "]")));
  }
  return absl::OkStatus();
}

}  // namespace ladder::personnel
