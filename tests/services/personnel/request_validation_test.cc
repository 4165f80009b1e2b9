#include "services/personnel/request_validation.h"

#include <string>

#include "common/status/errors.h"
#include "common/time/dates.h"
#include "gtest/gtest.h"

namespace ladder::personnel {
namespace {

using absl::CivilDay;

google::type::Date MakeDate(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

// Expects INVALID_ARGUMENT naming `field`.
#define EXPECT_INVALID_FIELD(expr, field)                                       \
  do {                                                                          \
    const absl::Status status_ = (expr);                                        \
    EXPECT_EQ(status_.code(), absl::StatusCode::kInvalidArgument) << status_;   \
    EXPECT_EQ(::ladder::ViolatedField(status_), std::string(field)) << status_; \
  } while (false)

#define EXPECT_VALID(expr)                \
  do {                                    \
    const absl::Status status_ = (expr);  \
    EXPECT_TRUE(status_.ok()) << status_; \
  } while (false)

constexpr char kRequestId[] = "6f1c2d7e-0a4b-4c55-9d1e-2b7f3c8a9e10";

std::string Repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

// ---------------------------------------------------------------- request_id (shared)

TEST(RequestIdTest, IsOptionalButMustBePrintableAsciiUpTo64) {
  v1::TransferEmployeeRequest request;
  request.set_name("employees/1");
  request.set_county("orgUnits/2");
  request.set_reason("needed there");
  EXPECT_VALID(ValidateTransferEmployee(request));  // No request_id: not idempotent, allowed.
  request.set_request_id(std::string(64, 'a'));
  EXPECT_VALID(ValidateTransferEmployee(request));
  for (const std::string& bad : {std::string(65, 'a'), std::string("has space"), std::string("tab\t"),
                                 std::string("中文"), std::string("nul\0", 4)}) {
    request.set_request_id(bad);
    EXPECT_INVALID_FIELD(ValidateTransferEmployee(request), "request_id");
  }
}

// ---------------------------------------------------------------- org units and teams

v1::CreateOrgUnitRequest ValidCreateCounty() {
  v1::CreateOrgUnitRequest request;
  request.set_request_id(kRequestId);
  request.mutable_org_unit()->set_display_name("柯城区");
  request.mutable_org_unit()->set_kind(v1::OrgUnit::KIND_COUNTY);
  request.mutable_org_unit()->set_parent("orgUnits/1");
  return request;
}

TEST(ValidateCreateOrgUnitTest, AcceptsACountyAndABranch) {
  EXPECT_VALID(ValidateCreateOrgUnit(ValidCreateCounty()));
  v1::CreateOrgUnitRequest branch = ValidCreateCounty();
  branch.mutable_org_unit()->set_kind(v1::OrgUnit::KIND_CITY_BRANCH);
  branch.mutable_org_unit()->clear_parent();
  EXPECT_VALID(ValidateCreateOrgUnit(branch));
}

TEST(ValidateCreateOrgUnitTest, RefusesEachBadField) {
  v1::CreateOrgUnitRequest request = ValidCreateCounty();
  request.clear_org_unit();
  EXPECT_INVALID_FIELD(ValidateCreateOrgUnit(request), "org_unit");

  request = ValidCreateCounty();
  request.mutable_org_unit()->set_display_name("");
  EXPECT_INVALID_FIELD(ValidateCreateOrgUnit(request), "org_unit.display_name");

  request = ValidCreateCounty();
  request.mutable_org_unit()->set_kind(v1::OrgUnit::KIND_UNSPECIFIED);
  EXPECT_INVALID_FIELD(ValidateCreateOrgUnit(request), "org_unit.kind");
  request.mutable_org_unit()->set_kind(static_cast<v1::OrgUnit::Kind>(9));
  EXPECT_INVALID_FIELD(ValidateCreateOrgUnit(request), "org_unit.kind");

  request = ValidCreateCounty();
  request.mutable_org_unit()->clear_parent();  // A county needs its branch.
  EXPECT_INVALID_FIELD(ValidateCreateOrgUnit(request), "org_unit.parent");
  request.mutable_org_unit()->set_parent("teams/1");
  EXPECT_INVALID_FIELD(ValidateCreateOrgUnit(request), "org_unit.parent");

  request = ValidCreateCounty();
  request.mutable_org_unit()->set_kind(v1::OrgUnit::KIND_CITY_BRANCH);  // Keeps its parent.
  EXPECT_INVALID_FIELD(ValidateCreateOrgUnit(request), "org_unit.parent");

  request = ValidCreateCounty();
  request.set_request_id("not an id");
  EXPECT_INVALID_FIELD(ValidateCreateOrgUnit(request), "request_id");
}

v1::CreateTeamRequest ValidCreateTeam() {
  v1::CreateTeamRequest request;
  request.set_request_id(kRequestId);
  request.mutable_team()->set_display_name("政企一组");
  request.mutable_team()->set_county("orgUnits/3");
  request.mutable_team()->set_supervisor("employees/5");
  return request;
}

TEST(ValidateCreateTeamTest, AcceptsAValidTeamWithOrWithoutSupervisor) {
  EXPECT_VALID(ValidateCreateTeam(ValidCreateTeam()));
  v1::CreateTeamRequest request = ValidCreateTeam();
  request.mutable_team()->clear_supervisor();
  EXPECT_VALID(ValidateCreateTeam(request));
}

TEST(ValidateCreateTeamTest, RefusesEachBadField) {
  v1::CreateTeamRequest request = ValidCreateTeam();
  request.clear_team();
  EXPECT_INVALID_FIELD(ValidateCreateTeam(request), "team");

  request = ValidCreateTeam();
  request.mutable_team()->set_display_name(Repeat("组", 101));
  EXPECT_INVALID_FIELD(ValidateCreateTeam(request), "team.display_name");

  request = ValidCreateTeam();
  request.mutable_team()->clear_county();
  EXPECT_INVALID_FIELD(ValidateCreateTeam(request), "team.county");

  request = ValidCreateTeam();
  request.mutable_team()->set_supervisor("teams/5");
  EXPECT_INVALID_FIELD(ValidateCreateTeam(request), "team.supervisor");
}

v1::UpdateTeamRequest ValidUpdateTeam() {
  v1::UpdateTeamRequest request;
  request.set_request_id(kRequestId);
  request.mutable_team()->set_name("teams/4");
  request.mutable_team()->set_display_name("政企二组");
  request.mutable_update_mask()->add_paths("display_name");
  return request;
}

TEST(ValidateUpdateTeamTest, AcceptsAValidUpdate) {
  EXPECT_VALID(ValidateUpdateTeam(ValidUpdateTeam()));
  v1::UpdateTeamRequest request = ValidUpdateTeam();
  request.mutable_update_mask()->clear_paths();
  request.mutable_update_mask()->add_paths("supervisor");
  request.mutable_team()->set_display_name("");  // Not in the mask: not checked.
  request.mutable_team()->set_supervisor("employees/9");
  EXPECT_VALID(ValidateUpdateTeam(request));
}

TEST(ValidateUpdateTeamTest, RefusesEachBadField) {
  v1::UpdateTeamRequest request = ValidUpdateTeam();
  request.mutable_team()->set_name("orgUnits/4");
  EXPECT_INVALID_FIELD(ValidateUpdateTeam(request), "team.name");

  request = ValidUpdateTeam();
  request.mutable_update_mask()->add_paths("county");
  EXPECT_INVALID_FIELD(ValidateUpdateTeam(request), "update_mask");

  request = ValidUpdateTeam();
  request.mutable_team()->set_display_name("a\nb");
  EXPECT_INVALID_FIELD(ValidateUpdateTeam(request), "team.display_name");

  request = ValidUpdateTeam();
  request.mutable_team()->set_supervisor("employees/x");
  EXPECT_INVALID_FIELD(ValidateUpdateTeam(request), "team.supervisor");
}

// ---------------------------------------------------------------- employees

v1::CreateEmployeeRequest ValidCreateEmployee() {
  v1::CreateEmployeeRequest request;
  request.set_request_id(kRequestId);
  v1::Employee* employee = request.mutable_employee();
  employee->set_employee_number("QZ_0042-a");
  employee->set_display_name("张三");
  employee->set_county("orgUnits/3");
  employee->set_team("teams/7");
  employee->set_role(v1::ROLE_CUSTOMER_MANAGER);
  employee->set_entry_channel(v1::ENTRY_CHANNEL_INTERNAL_RECRUITMENT);
  *employee->mutable_hire_date() = MakeDate(2026, 3, 15);
  return request;
}

TEST(ValidateCreateEmployeeTest, AcceptsValidEmployees) {
  EXPECT_VALID(ValidateCreateEmployee(ValidCreateEmployee()));

  v1::CreateEmployeeRequest supervisor = ValidCreateEmployee();
  supervisor.mutable_employee()->set_role(v1::ROLE_GROUP_DATA_SUPERVISOR);
  supervisor.mutable_employee()->set_entry_channel(v1::ENTRY_CHANNEL_UNSPECIFIED);
  supervisor.mutable_employee()->set_post_grade(30);
  supervisor.mutable_employee()->clear_team();
  EXPECT_VALID(ValidateCreateEmployee(supervisor));

  v1::CreateEmployeeRequest long_name = ValidCreateEmployee();
  long_name.mutable_employee()->set_display_name(Repeat("张", 100));
  long_name.mutable_employee()->set_employee_number(std::string(32, '9'));
  EXPECT_VALID(ValidateCreateEmployee(long_name));
}

TEST(ValidateCreateEmployeeTest, RefusesEachBadField) {
  struct Case {
    const char* what;
    void (*edit)(v1::CreateEmployeeRequest&);
    const char* field;
  };
  const Case cases[] = {
      {"no employee", [](v1::CreateEmployeeRequest& r) { r.clear_employee(); }, "employee"},
      {"bad request id", [](v1::CreateEmployeeRequest& r) { r.set_request_id(std::string(65, 'x')); }, "request_id"},
      {"empty number", [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->clear_employee_number(); },
       "employee.employee_number"},
      {"number with a space", [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_employee_number("QZ 42"); },
       "employee.employee_number"},
      {"number not ASCII", [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_employee_number("工号42"); },
       "employee.employee_number"},
      {"number too long",
       [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_employee_number(std::string(33, '9')); },
       "employee.employee_number"},
      {"empty name", [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->clear_display_name(); },
       "employee.display_name"},
      {"name of 101 characters",
       [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_display_name(Repeat("张", 101)); },
       "employee.display_name"},
      {"name with a newline", [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_display_name("张\n三"); },
       "employee.display_name"},
      {"name not UTF-8", [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_display_name("\xff"); },
       "employee.display_name"},
      {"no county", [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->clear_county(); }, "employee.county"},
      {"county of another collection",
       [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_county("teams/3"); }, "employee.county"},
      {"bad team", [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_team("teams/0"); }, "employee.team"},
      {"no role", [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_role(v1::ROLE_UNSPECIFIED); },
       "employee.role"},
      {"role 99", [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_role(static_cast<v1::Role>(99)); },
       "employee.role"},
      {"manager without entry channel",
       [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_entry_channel(v1::ENTRY_CHANNEL_UNSPECIFIED); },
       "employee.entry_channel"},
      {"entry channel 42",
       [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_entry_channel(static_cast<v1::EntryChannel>(42)); },
       "employee.entry_channel"},
      {"other role, entry channel 42",
       [](v1::CreateEmployeeRequest& r) {
         r.mutable_employee()->set_role(v1::ROLE_OTHER);
         r.mutable_employee()->set_entry_channel(static_cast<v1::EntryChannel>(42));
       },
       "employee.entry_channel"},
      {"no hire date", [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->clear_hire_date(); },
       "employee.hire_date"},
      {"hire date 30 February",
       [](v1::CreateEmployeeRequest& r) { *r.mutable_employee()->mutable_hire_date() = MakeDate(2026, 2, 30); },
       "employee.hire_date"},
      {"hire date without a day",
       [](v1::CreateEmployeeRequest& r) { *r.mutable_employee()->mutable_hire_date() = MakeDate(2026, 3, 0); },
       "employee.hire_date"},
      {"post grade 31",
       [](v1::CreateEmployeeRequest& r) {
         r.mutable_employee()->set_role(v1::ROLE_OTHER);
         r.mutable_employee()->set_post_grade(31);
       },
       "employee.post_grade"},
      {"post grade -1", [](v1::CreateEmployeeRequest& r) { r.mutable_employee()->set_post_grade(-1); },
       "employee.post_grade"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    v1::CreateEmployeeRequest request = ValidCreateEmployee();
    c.edit(request);
    EXPECT_INVALID_FIELD(ValidateCreateEmployee(request), c.field);
  }
}

TEST(ValidateCreateEmployeeTest, SqlLookingNamesAreAccepted) {
  v1::CreateEmployeeRequest request = ValidCreateEmployee();
  request.mutable_employee()->set_display_name("Robert'); DROP TABLE employees;--");
  EXPECT_VALID(ValidateCreateEmployee(request));
}

v1::UpdateEmployeeRequest ValidUpdateEmployee() {
  v1::UpdateEmployeeRequest request;
  request.set_request_id(kRequestId);
  request.mutable_employee()->set_name("employees/42");
  request.mutable_employee()->set_display_name("张三丰");
  request.mutable_employee()->set_etag("W/\"17\"");
  request.mutable_update_mask()->add_paths("display_name");
  return request;
}

TEST(ValidateUpdateEmployeeTest, AcceptsAValidUpdate) {
  EXPECT_VALID(ValidateUpdateEmployee(ValidUpdateEmployee()));
  v1::UpdateEmployeeRequest request = ValidUpdateEmployee();
  request.mutable_update_mask()->clear_paths();
  for (const char* path : kEmployeeWritablePaths) request.mutable_update_mask()->add_paths(path);
  request.mutable_employee()->set_employee_number("QZ-1");
  request.mutable_employee()->set_team("teams/2");
  request.mutable_employee()->set_post_grade(12);
  EXPECT_VALID(ValidateUpdateEmployee(request));
}

TEST(ValidateUpdateEmployeeTest, OnlyFieldsInTheMaskAreChecked) {
  v1::UpdateEmployeeRequest request = ValidUpdateEmployee();
  request.mutable_employee()->set_employee_number("not valid!");
  request.mutable_employee()->set_post_grade(99);
  EXPECT_VALID(ValidateUpdateEmployee(request));
  // An empty mask means every writable field.
  request.mutable_update_mask()->clear_paths();
  EXPECT_INVALID_FIELD(ValidateUpdateEmployee(request), "employee.employee_number");
}

TEST(ValidateUpdateEmployeeTest, RefusesEachBadField) {
  v1::UpdateEmployeeRequest request = ValidUpdateEmployee();
  request.clear_employee();
  EXPECT_INVALID_FIELD(ValidateUpdateEmployee(request), "employee");

  request = ValidUpdateEmployee();
  request.mutable_employee()->set_name("employees/007");
  EXPECT_INVALID_FIELD(ValidateUpdateEmployee(request), "employee.name");

  for (const char* path : {"level", "status", "county", "role", "hire_date", "name", ""}) {
    SCOPED_TRACE(path);
    request = ValidUpdateEmployee();
    request.mutable_update_mask()->add_paths(path);
    EXPECT_INVALID_FIELD(ValidateUpdateEmployee(request), "update_mask");
  }

  request = ValidUpdateEmployee();
  request.mutable_employee()->set_display_name("");
  EXPECT_INVALID_FIELD(ValidateUpdateEmployee(request), "employee.display_name");

  request = ValidUpdateEmployee();
  request.mutable_employee()->set_etag(std::string(65, 'e'));
  EXPECT_INVALID_FIELD(ValidateUpdateEmployee(request), "employee.etag");

  request = ValidUpdateEmployee();
  request.mutable_update_mask()->add_paths("employee_number");
  request.mutable_employee()->set_employee_number("");
  EXPECT_INVALID_FIELD(ValidateUpdateEmployee(request), "employee.employee_number");

  request = ValidUpdateEmployee();
  request.mutable_update_mask()->add_paths("team");
  request.mutable_employee()->set_team("orgUnits/1");
  EXPECT_INVALID_FIELD(ValidateUpdateEmployee(request), "employee.team");

  request = ValidUpdateEmployee();
  request.mutable_update_mask()->add_paths("post_grade");
  request.mutable_employee()->set_post_grade(31);
  EXPECT_INVALID_FIELD(ValidateUpdateEmployee(request), "employee.post_grade");

  request = ValidUpdateEmployee();
  request.set_request_id("id with spaces");
  EXPECT_INVALID_FIELD(ValidateUpdateEmployee(request), "request_id");
}

v1::TransferEmployeeRequest ValidTransfer() {
  v1::TransferEmployeeRequest request;
  request.set_request_id(kRequestId);
  request.set_name("employees/42");
  request.set_county("orgUnits/4");
  request.set_team("teams/9");
  request.set_reason("江山市 needs a senior");
  *request.mutable_effective_date() = MakeDate(2026, 4, 1);
  return request;
}

TEST(ValidateTransferEmployeeTest, AcceptsAValidTransfer) {
  EXPECT_VALID(ValidateTransferEmployee(ValidTransfer()));
  v1::TransferEmployeeRequest request = ValidTransfer();
  request.clear_team();
  request.clear_effective_date();
  EXPECT_VALID(ValidateTransferEmployee(request));
}

TEST(ValidateTransferEmployeeTest, RefusesEachBadField) {
  v1::TransferEmployeeRequest request = ValidTransfer();
  request.set_name("");
  EXPECT_INVALID_FIELD(ValidateTransferEmployee(request), "name");

  request = ValidTransfer();
  request.set_county("orgUnits/4/quota");
  EXPECT_INVALID_FIELD(ValidateTransferEmployee(request), "county");

  request = ValidTransfer();
  request.set_team("employees/9");
  EXPECT_INVALID_FIELD(ValidateTransferEmployee(request), "team");

  request = ValidTransfer();
  request.set_reason("");
  EXPECT_INVALID_FIELD(ValidateTransferEmployee(request), "reason");
  request.set_reason(Repeat("因", 501));
  EXPECT_INVALID_FIELD(ValidateTransferEmployee(request), "reason");
  request.set_reason(Repeat("因", 500));
  EXPECT_VALID(ValidateTransferEmployee(request));

  request = ValidTransfer();
  *request.mutable_effective_date() = MakeDate(2026, 13, 1);
  EXPECT_INVALID_FIELD(ValidateTransferEmployee(request), "effective_date");
}

v1::ChangeLevelRequest ValidChangeLevel() {
  v1::ChangeLevelRequest request;
  request.set_request_id(kRequestId);
  request.set_name("employees/42");
  request.set_expected_level(common::v1::LEVEL_INTERMEDIATE);
  request.set_level(common::v1::LEVEL_SENIOR);
  request.set_reason("composite 93 and 95 in the last two cycles");
  request.set_decision("cases/12");
  request.set_policy_version("1.1.0");
  *request.mutable_effective_date() = MakeDate(2026, 4, 1);
  return request;
}

TEST(ValidateChangeLevelTest, AcceptsAValidChange) {
  EXPECT_VALID(ValidateChangeLevel(ValidChangeLevel()));
  v1::ChangeLevelRequest request = ValidChangeLevel();
  request.set_expected_level(common::v1::LEVEL_UNSPECIFIED);  // An initial level.
  request.clear_decision();
  request.clear_policy_version();
  request.clear_effective_date();
  EXPECT_VALID(ValidateChangeLevel(request));
}

TEST(ValidateChangeLevelTest, RefusesEachBadField) {
  v1::ChangeLevelRequest request = ValidChangeLevel();
  request.set_name("employees/1/levelChanges/2");
  EXPECT_INVALID_FIELD(ValidateChangeLevel(request), "name");

  request = ValidChangeLevel();
  request.set_level(common::v1::LEVEL_UNSPECIFIED);
  EXPECT_INVALID_FIELD(ValidateChangeLevel(request), "level");
  request.set_level(static_cast<common::v1::Level>(4));
  EXPECT_INVALID_FIELD(ValidateChangeLevel(request), "level");

  request = ValidChangeLevel();
  request.set_expected_level(static_cast<common::v1::Level>(-1));
  EXPECT_INVALID_FIELD(ValidateChangeLevel(request), "expected_level");

  request = ValidChangeLevel();
  request.set_reason("");
  EXPECT_INVALID_FIELD(ValidateChangeLevel(request), "reason");

  request = ValidChangeLevel();
  request.set_decision(std::string(201, 'd'));
  EXPECT_INVALID_FIELD(ValidateChangeLevel(request), "decision");

  request = ValidChangeLevel();
  request.set_policy_version(std::string(33, '1'));
  EXPECT_INVALID_FIELD(ValidateChangeLevel(request), "policy_version");

  request = ValidChangeLevel();
  *request.mutable_effective_date() = MakeDate(2026, 2, 29);
  EXPECT_INVALID_FIELD(ValidateChangeLevel(request), "effective_date");

  request = ValidChangeLevel();
  request.set_request_id(std::string(65, 'r'));
  EXPECT_INVALID_FIELD(ValidateChangeLevel(request), "request_id");
}

v1::ChangeRoleRequest ValidChangeRole() {
  v1::ChangeRoleRequest request;
  request.set_request_id(kRequestId);
  request.set_name("employees/42");
  request.set_role(v1::ROLE_GROUP_DATA_SUPERVISOR);
  request.set_post_grade(10);
  request.set_team("teams/3");
  request.set_reason("nominated");
  *request.mutable_effective_date() = MakeDate(2026, 4, 1);
  return request;
}

TEST(ValidateChangeRoleTest, AcceptsAValidChange) {
  EXPECT_VALID(ValidateChangeRole(ValidChangeRole()));
  v1::ChangeRoleRequest into_manager = ValidChangeRole();
  into_manager.set_role(v1::ROLE_CUSTOMER_MANAGER);
  into_manager.set_post_grade(0);
  EXPECT_VALID(ValidateChangeRole(into_manager));
}

TEST(ValidateChangeRoleTest, RefusesEachBadField) {
  v1::ChangeRoleRequest request = ValidChangeRole();
  request.set_name("employees");
  EXPECT_INVALID_FIELD(ValidateChangeRole(request), "name");

  request = ValidChangeRole();
  request.set_role(v1::ROLE_UNSPECIFIED);
  EXPECT_INVALID_FIELD(ValidateChangeRole(request), "role");
  request.set_role(static_cast<v1::Role>(99));
  EXPECT_INVALID_FIELD(ValidateChangeRole(request), "role");

  request = ValidChangeRole();
  request.set_post_grade(31);
  EXPECT_INVALID_FIELD(ValidateChangeRole(request), "post_grade");
  request.set_post_grade(-2);
  EXPECT_INVALID_FIELD(ValidateChangeRole(request), "post_grade");

  // The level or the policy gives these roles' post grade.
  for (v1::Role role : {v1::ROLE_CUSTOMER_MANAGER, v1::ROLE_CUSTOMER_SERVICE_STAFF}) {
    request = ValidChangeRole();
    request.set_role(role);
    request.set_post_grade(6);
    EXPECT_INVALID_FIELD(ValidateChangeRole(request), "post_grade");
  }

  request = ValidChangeRole();
  request.set_team("teams/-3");
  EXPECT_INVALID_FIELD(ValidateChangeRole(request), "team");

  request = ValidChangeRole();
  request.set_reason("\t");
  EXPECT_INVALID_FIELD(ValidateChangeRole(request), "reason");

  request = ValidChangeRole();
  request.set_decision("a\x7f");
  EXPECT_INVALID_FIELD(ValidateChangeRole(request), "decision");

  request = ValidChangeRole();
  *request.mutable_effective_date() = MakeDate(0, 4, 1);
  EXPECT_INVALID_FIELD(ValidateChangeRole(request), "effective_date");
}

v1::EndEmploymentRequest ValidEndEmployment() {
  v1::EndEmploymentRequest request;
  request.set_request_id(kRequestId);
  request.set_name("employees/42");
  request.set_reason(v1::SEPARATION_REASON_RESIGNED);
  request.set_note("moved to Hangzhou");
  *request.mutable_effective_date() = MakeDate(2026, 4, 30);
  return request;
}

TEST(ValidateEndEmploymentTest, AcceptsAValidRequest) {
  EXPECT_VALID(ValidateEndEmployment(ValidEndEmployment()));
  v1::EndEmploymentRequest request = ValidEndEmployment();
  request.clear_note();
  EXPECT_VALID(ValidateEndEmployment(request));
}

TEST(ValidateEndEmploymentTest, RefusesEachBadField) {
  v1::EndEmploymentRequest request = ValidEndEmployment();
  request.set_name("staff/42");
  EXPECT_INVALID_FIELD(ValidateEndEmployment(request), "name");

  request = ValidEndEmployment();
  request.set_reason(v1::SEPARATION_REASON_UNSPECIFIED);
  EXPECT_INVALID_FIELD(ValidateEndEmployment(request), "reason");
  request.set_reason(static_cast<v1::SeparationReason>(77));
  EXPECT_INVALID_FIELD(ValidateEndEmployment(request), "reason");

  request = ValidEndEmployment();
  request.set_note(Repeat("注", 501));
  EXPECT_INVALID_FIELD(ValidateEndEmployment(request), "note");

  request = ValidEndEmployment();
  request.set_policy_version("1.1.0\n");
  EXPECT_INVALID_FIELD(ValidateEndEmployment(request), "policy_version");

  request = ValidEndEmployment();
  *request.mutable_effective_date() = MakeDate(2026, 4, 31);
  EXPECT_INVALID_FIELD(ValidateEndEmployment(request), "effective_date");
}

TEST(ValidateListEmployeesTest, AcceptsFilters) {
  EXPECT_VALID(ValidateListEmployees(v1::ListEmployeesRequest()));
  v1::ListEmployeesRequest request;
  request.set_county("orgUnits/3");
  request.set_team("teams/4");
  request.set_role(v1::ROLE_CUSTOMER_MANAGER);
  request.set_level(common::v1::LEVEL_SENIOR);
  request.set_status(v1::EMPLOYMENT_STATUS_ACTIVE);
  EXPECT_VALID(ValidateListEmployees(request));
}

TEST(ValidateListEmployeesTest, RefusesEachBadFilter) {
  v1::ListEmployeesRequest request;
  request.set_county("teams/3");
  EXPECT_INVALID_FIELD(ValidateListEmployees(request), "county");

  request = v1::ListEmployeesRequest();
  request.set_team("teams/");
  EXPECT_INVALID_FIELD(ValidateListEmployees(request), "team");

  request = v1::ListEmployeesRequest();
  request.set_role(static_cast<v1::Role>(99));
  EXPECT_INVALID_FIELD(ValidateListEmployees(request), "role");

  request = v1::ListEmployeesRequest();
  request.set_level(static_cast<common::v1::Level>(9));
  EXPECT_INVALID_FIELD(ValidateListEmployees(request), "level");

  request = v1::ListEmployeesRequest();
  request.set_status(static_cast<v1::EmploymentStatus>(5));
  EXPECT_INVALID_FIELD(ValidateListEmployees(request), "status");
}

TEST(ValidateBatchGetEmployeesTest, AcceptsUpToAThousandNames) {
  v1::BatchGetEmployeesRequest request;
  request.add_names("employees/1");
  EXPECT_VALID(ValidateBatchGetEmployees(request));
  for (int i = 2; i <= 1000; ++i) request.add_names("employees/" + std::to_string(i));
  EXPECT_VALID(ValidateBatchGetEmployees(request));
  request.add_names("employees/1001");
  EXPECT_INVALID_FIELD(ValidateBatchGetEmployees(request), "names");
}

TEST(ValidateBatchGetEmployeesTest, NamesTheBadEntry) {
  EXPECT_INVALID_FIELD(ValidateBatchGetEmployees(v1::BatchGetEmployeesRequest()), "names");
  v1::BatchGetEmployeesRequest request;
  request.add_names("employees/1");
  request.add_names("employees/two");
  request.add_names("employees/3");
  EXPECT_INVALID_FIELD(ValidateBatchGetEmployees(request), "names[1]");
  request.set_names(1, "employees/2");
  request.set_names(2, "");
  EXPECT_INVALID_FIELD(ValidateBatchGetEmployees(request), "names[2]");
}

// ---------------------------------------------------------------- EffectiveDate

TEST(EffectiveDateTest, UnsetMeansToday) {
  const CivilDay today(2026, 4, 15);
  absl::StatusOr<CivilDay> day = EffectiveDate(google::type::Date(), "effective_date", today);
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_EQ(*day, today);
}

TEST(EffectiveDateTest, TodayAndPastDaysAreKept) {
  const CivilDay today(2026, 4, 15);
  EXPECT_EQ(*EffectiveDate(MakeDate(2026, 4, 15), "effective_date", today), today);
  EXPECT_EQ(*EffectiveDate(MakeDate(2025, 12, 31), "effective_date", today), CivilDay(2025, 12, 31));
}

TEST(EffectiveDateTest, FutureAndInvalidDaysAreRefused) {
  const CivilDay today(2026, 4, 15);
  EXPECT_INVALID_FIELD(EffectiveDate(MakeDate(2026, 4, 16), "effective_date", today).status(), "effective_date");
  EXPECT_INVALID_FIELD(EffectiveDate(MakeDate(2030, 1, 1), "effective_date", today).status(), "effective_date");
  EXPECT_INVALID_FIELD(EffectiveDate(MakeDate(2026, 2, 30), "effective_date", today).status(), "effective_date");
  EXPECT_INVALID_FIELD(EffectiveDate(MakeDate(2026, 0, 0), "effective_date", today).status(), "effective_date");
}

}  // namespace
}  // namespace ladder::personnel
