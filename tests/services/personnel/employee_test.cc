// Employee calls against the real service and MariaDB.

#include <set>

#include "tests/services/personnel/personnel_test_base.h"

namespace ladder::testing {
namespace {

using Stub = pv1::PersonnelService::Stub;

class EmployeeTest : public PersonnelServiceTestBase {
 protected:
  int64_t EmployeeRows() {
    auto count = database_->QueryInt("SELECT COUNT(*) FROM employees");
    EXPECT_TRUE(count.ok()) << count.status();
    return count.value_or(-1);
  }
};

TEST_F(EmployeeTest, EntryChannelDecidesTheStartingStatus) {
  const std::string county = CreateCounty().name();
  pv1::Employee external;
  ASSERT_THAT(Call(&Stub::CreateEmployee, EmployeeRequest(county), &external), IsOk());
  EXPECT_EQ(external.status(), pv1::EMPLOYMENT_STATUS_AWAITING_LEVEL);
  EXPECT_EQ(external.level(), Level::LEVEL_UNSPECIFIED);
  EXPECT_FALSE(external.has_trial_ends_on());

  pv1::Employee internal;
  ASSERT_THAT(
      Call(&Stub::CreateEmployee,
           EmployeeRequest(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_INTERNAL_RECRUITMENT), &internal),
      IsOk());
  EXPECT_EQ(internal.status(), pv1::EMPLOYMENT_STATUS_ON_TRIAL);
  // Hired 2020-03-01: the two-month trial runs to 2020-04-30.
  EXPECT_EQ(internal.trial_ends_on().year(), 2020);
  EXPECT_EQ(internal.trial_ends_on().month(), 4);
  EXPECT_EQ(internal.trial_ends_on().day(), 30);

  pv1::Employee staff;
  ASSERT_THAT(Call(&Stub::CreateEmployee,
                   EmployeeRequest(county, pv1::ROLE_CUSTOMER_SERVICE_STAFF, pv1::ENTRY_CHANNEL_UNSPECIFIED), &staff),
              IsOk());
  EXPECT_EQ(staff.status(), pv1::EMPLOYMENT_STATUS_ACTIVE);
  EXPECT_EQ(staff.post_grade(), 6);  // The deck's recommendation, from the policy file.

  pv1::GetEmployeeRequest get;
  get.set_name(internal.name());
  pv1::Employee read;
  ASSERT_THAT(Call(&Stub::GetEmployee, get, &read), IsOk());
  EXPECT_EQ(read.SerializeAsString(), internal.SerializeAsString());
}

TEST_F(EmployeeTest, RefusesBadInputAndWritesNothing) {
  const std::string county = CreateCounty().name();
  const int64_t before = EmployeeRows();
  pv1::Employee employee;
  struct Case {
    std::string field;
    std::function<void(pv1::Employee*)> spoil;
  };
  const std::vector<Case> cases = {
      {"employee.employee_number", [](pv1::Employee* e) { e->set_employee_number(""); }},
      {"employee.employee_number", [](pv1::Employee* e) { e->set_employee_number("E 1"); }},
      {"employee.employee_number", [](pv1::Employee* e) { e->set_employee_number(std::string(33, 'A')); }},
      {"employee.display_name", [](pv1::Employee* e) { e->set_display_name(""); }},
      {"employee.display_name", [](pv1::Employee* e) { e->set_display_name("张\x01三"); }},
      {"employee.county", [](pv1::Employee* e) { e->set_county(""); }},
      {"employee.county", [](pv1::Employee* e) { e->set_county("orgUnits/999999"); }},
      {"employee.team", [](pv1::Employee* e) { e->set_team("teams/x"); }},
      {"employee.team", [](pv1::Employee* e) { e->set_team("teams/999999"); }},
      {"employee.role", [](pv1::Employee* e) { e->set_role(pv1::ROLE_UNSPECIFIED); }},
      {"employee.role", [](pv1::Employee* e) { e->set_role(static_cast<pv1::Role>(77)); }},
      {"employee.entry_channel", [](pv1::Employee* e) { e->set_entry_channel(pv1::ENTRY_CHANNEL_UNSPECIFIED); }},
      {"employee.hire_date", [](pv1::Employee* e) { e->clear_hire_date(); }},
      {"employee.hire_date",
       [](pv1::Employee* e) {
         e->mutable_hire_date()->set_day(31);
         e->mutable_hire_date()->set_month(2);
       }},
      {"employee.post_grade",
       [](pv1::Employee* e) {
         e->set_role(pv1::ROLE_OTHER);
         e->set_post_grade(31);
       }},
  };
  for (const Case& c : cases) {
    pv1::CreateEmployeeRequest request = EmployeeRequest(county);
    c.spoil(request.mutable_employee());
    EXPECT_THAT(Call(&Stub::CreateEmployee, request, &employee), RejectsField(c.field))
        << request.employee().ShortDebugString();
  }
  // A county-kind check: a city branch cannot hold employees.
  pv1::CreateEmployeeRequest request = EmployeeRequest(CreateCityBranch().name());
  EXPECT_THAT(Call(&Stub::CreateEmployee, request, &employee), RejectsField("employee.county"));
  EXPECT_EQ(EmployeeRows(), before);
}

TEST_F(EmployeeTest, DuplicateEmployeeNumberIsAlreadyExists) {
  const std::string county = CreateCounty().name();
  pv1::CreateEmployeeRequest request = EmployeeRequest(county);
  pv1::Employee first, second;
  ASSERT_THAT(Call(&Stub::CreateEmployee, request, &first), IsOk());
  EXPECT_THAT(Call(&Stub::CreateEmployee, request, &second),
              FailsWith(grpc::StatusCode::ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS"));
  // With a request id, a retry is not a duplicate: it returns the first result.
  request.mutable_employee()->set_employee_number(Unique("E"));
  request.set_request_id(Unique("create-"));
  ASSERT_THAT(Call(&Stub::CreateEmployee, request, &first), IsOk());
  ASSERT_THAT(Call(&Stub::CreateEmployee, request, &second), IsOk());
  EXPECT_EQ(first.name(), second.name());
}

TEST_F(EmployeeTest, TeamMustBelongToTheCounty) {
  const std::string county = CreateCounty().name();
  pv1::CreateTeamRequest team_request;
  team_request.mutable_team()->set_display_name(Unique("t"));
  team_request.mutable_team()->set_county(CreateCounty().name());
  pv1::Team other_team;
  ASSERT_THAT(Call(&Stub::CreateTeam, team_request, &other_team), IsOk());
  pv1::CreateEmployeeRequest request = EmployeeRequest(county);
  request.mutable_employee()->set_team(other_team.name());
  pv1::Employee employee;
  EXPECT_THAT(Call(&Stub::CreateEmployee, request, &employee), RejectsField("employee.team"));
}

TEST_F(EmployeeTest, BatchGetKeepsOrderAndIsAllOrNothing) {
  const std::string county = CreateCounty().name();
  std::vector<pv1::Employee> employees;
  for (int i = 0; i < 3; ++i) employees.push_back(CreateEmployee(county));
  pv1::BatchGetEmployeesRequest request;
  for (int i = 2; i >= 0; --i) request.add_names(employees[i].name());
  pv1::BatchGetEmployeesResponse response;
  ASSERT_THAT(Call(&Stub::BatchGetEmployees, request, &response), IsOk());
  ASSERT_EQ(response.employees_size(), 3);
  EXPECT_EQ(response.employees(0).name(), employees[2].name());
  EXPECT_EQ(response.employees(2).name(), employees[0].name());

  request.add_names("employees/999999");
  EXPECT_THAT(Call(&Stub::BatchGetEmployees, request, &response),
              FailsWith(grpc::StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  request.set_names(1, "nonsense");
  EXPECT_THAT(Call(&Stub::BatchGetEmployees, request, &response), RejectsField("names[1]"));
  request.clear_names();
  EXPECT_THAT(Call(&Stub::BatchGetEmployees, request, &response), RejectsField("names"));
}

TEST_F(EmployeeTest, BatchGetReadsMoreThanOneChunk) {
  const std::string county = CreateCounty().name();
  pv1::BatchGetEmployeesRequest request;
  for (int i = 0; i < 150; ++i) request.add_names(CreateEmployee(county).name());
  pv1::BatchGetEmployeesResponse response;
  ASSERT_THAT(Call(&Stub::BatchGetEmployees, request, &response), IsOk());
  ASSERT_EQ(response.employees_size(), 150);
  for (int i = 0; i < 150; ++i) EXPECT_EQ(response.employees(i).name(), request.names(i));
}

TEST_F(EmployeeTest, ListFiltersAndPagesToTheEnd) {
  const std::string county = CreateCounty().name();
  std::set<std::string> managers;
  for (int i = 0; i < 11; ++i) managers.insert(CreateEmployee(county).name());
  CreateEmployee(county, pv1::ROLE_CUSTOMER_SERVICE_STAFF);
  CreateEmployee(CreateCounty().name());

  pv1::ListEmployeesRequest request;
  request.set_county(county);
  request.set_role(pv1::ROLE_CUSTOMER_MANAGER);
  request.set_status(pv1::EMPLOYMENT_STATUS_AWAITING_LEVEL);
  request.set_page_size(4);
  std::set<std::string> seen;
  int pages = 0;
  do {
    pv1::ListEmployeesResponse response;
    ASSERT_THAT(Call(&Stub::ListEmployees, request, &response), IsOk());
    for (const auto& e : response.employees()) EXPECT_TRUE(seen.insert(e.name()).second);
    request.set_page_token(response.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 10);
  EXPECT_EQ(seen, managers);
  EXPECT_EQ(pages, 3);

  pv1::ListEmployeesResponse response;
  request.clear_page_token();
  request.set_level(Level::LEVEL_SENIOR);
  ASSERT_THAT(Call(&Stub::ListEmployees, request, &response), IsOk());
  EXPECT_EQ(response.employees_size(), 0);
  EXPECT_TRUE(response.next_page_token().empty());

  request.set_level(static_cast<Level>(9));
  EXPECT_THAT(Call(&Stub::ListEmployees, request, &response), RejectsField("level"));
}

TEST_F(EmployeeTest, UpdateWritesOnlyTheMaskedFields) {
  const std::string county = CreateCounty().name();
  pv1::Employee employee = CreateEmployee(county);
  pv1::UpdateEmployeeRequest request;
  request.mutable_employee()->set_name(employee.name());
  request.mutable_employee()->set_display_name("新名字");
  request.mutable_employee()->set_employee_number("IGNORED-1");
  request.mutable_update_mask()->add_paths("display_name");
  request.mutable_employee()->set_etag(employee.etag());
  pv1::Employee updated;
  ASSERT_THAT(Call(&Stub::UpdateEmployee, request, &updated), IsOk());
  EXPECT_EQ(updated.display_name(), "新名字");
  EXPECT_EQ(updated.employee_number(), employee.employee_number());
  EXPECT_NE(updated.etag(), employee.etag());

  // The old etag is stale now.
  request.mutable_employee()->set_display_name("再改");
  EXPECT_THAT(Call(&Stub::UpdateEmployee, request, &updated), FailsWith(grpc::StatusCode::ABORTED, "ETAG_MISMATCH"));

  request.mutable_employee()->clear_etag();
  request.mutable_update_mask()->add_paths("level");
  EXPECT_THAT(Call(&Stub::UpdateEmployee, request, &updated), RejectsField("update_mask"));

  request.clear_update_mask();
  request.mutable_update_mask()->add_paths("post_grade");
  request.mutable_employee()->set_post_grade(9);
  EXPECT_THAT(Call(&Stub::UpdateEmployee, request, &updated), RejectsField("employee.post_grade"));

  // A number taken by someone else.
  pv1::Employee other = CreateEmployee(county);
  request.clear_update_mask();
  request.mutable_update_mask()->add_paths("employee_number");
  request.mutable_employee()->set_employee_number(other.employee_number());
  EXPECT_THAT(Call(&Stub::UpdateEmployee, request, &updated),
              FailsWith(grpc::StatusCode::ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS"));

  request.mutable_employee()->set_name("employees/999999");
  EXPECT_THAT(Call(&Stub::UpdateEmployee, request, &updated),
              FailsWith(grpc::StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
}

TEST_F(EmployeeTest, UpdateSetsPostGradeOfRolesWithoutLevel) {
  pv1::Employee chief = CreateEmployee(CreateCounty().name(), pv1::ROLE_BRANCH_CHIEF);
  pv1::UpdateEmployeeRequest request;
  request.mutable_employee()->set_name(chief.name());
  request.mutable_employee()->set_post_grade(10);
  request.mutable_update_mask()->add_paths("post_grade");
  pv1::Employee updated;
  ASSERT_THAT(Call(&Stub::UpdateEmployee, request, &updated), IsOk());
  EXPECT_EQ(updated.post_grade(), 10);
}

}  // namespace
}  // namespace ladder::testing
