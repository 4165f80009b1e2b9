// A client that retries while its first call still runs: sixteen calls with one request id
// and one body at the same moment have one effect, and every caller is told the first
// call's result (docs/api.md, "Idempotent retries") — for every mutating RPC of personnel.

#include <functional>
#include <string>

#include "tests/services/personnel/personnel_test_base.h"
#include "tests/support/concurrent_duplicates.h"

namespace ladder::testing {
namespace {

using Stub = pv1::PersonnelService::Stub;
constexpr int kCallers = 16;

class ConcurrentRetriesTest : public PersonnelServiceTestBase {
 protected:
  // Sends `request` from kCallers threads at once; every call must get the first's answer.
  template <typename Request, typename Response>
  Response SendTogether(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                        const Request& request) {
    return ::ladder::testing::SendTogether<Stub>(
        kCallers, [this] { return server_->NewStub(); }, method, request);
  }

  int64_t Count(const std::string& sql) { return database_->QueryInt(sql).value_or(-1); }
};

TEST_F(ConcurrentRetriesTest, CreateOrgUnitCreateTeamAndUpdateTeam) {
  pv1::CreateOrgUnitRequest unit;
  unit.mutable_org_unit()->set_display_name(Unique("并发分公司"));
  unit.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_CITY_BRANCH);
  unit.set_request_id(Unique("unit-"));
  SendTogether(&Stub::CreateOrgUnit, unit);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM org_units WHERE display_name = '" + unit.org_unit().display_name() + "'"), 1);

  pv1::CreateTeamRequest team;
  team.mutable_team()->set_county(CreateCounty().name());
  team.mutable_team()->set_display_name(Unique("并发团队"));
  team.set_request_id(Unique("team-"));
  const pv1::Team created = SendTogether(&Stub::CreateTeam, team);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM teams WHERE display_name = '" + team.team().display_name() + "'"), 1);

  pv1::UpdateTeamRequest rename;
  rename.mutable_team()->set_name(created.name());
  rename.mutable_team()->set_display_name(Unique("改名团队"));
  rename.mutable_update_mask()->add_paths("display_name");
  rename.set_request_id(Unique("rename-team-"));
  EXPECT_EQ(SendTogether(&Stub::UpdateTeam, rename).display_name(), rename.team().display_name());
}

TEST_F(ConcurrentRetriesTest, CreateAndUpdateEmployee) {
  const std::string county = CreateCounty().name();
  pv1::CreateEmployeeRequest create = EmployeeRequest(county);
  create.set_request_id(Unique("create-"));
  const pv1::Employee created = SendTogether(&Stub::CreateEmployee, create);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM employees WHERE employee_number = '" + create.employee().employee_number() + "'"), 1);

  pv1::UpdateEmployeeRequest update;
  update.mutable_employee()->set_name(created.name());
  update.mutable_employee()->set_display_name("新名字");
  update.mutable_update_mask()->add_paths("display_name");
  update.set_request_id(Unique("update-"));
  SendTogether(&Stub::UpdateEmployee, update);
}

TEST_F(ConcurrentRetriesTest, ChangeLevelTransferChangeRoleAndEndEmployment) {
  const std::string city = CreateCityBranch().name();
  const std::string county = CreateCounty(city).name();
  const std::string other = CreateCounty(city).name();
  const pv1::Employee junior = CreateManagerAt(county, Level::LEVEL_JUNIOR);

  pv1::ChangeLevelRequest level;
  level.set_name(junior.name());
  level.set_expected_level(Level::LEVEL_JUNIOR);
  level.set_level(Level::LEVEL_INTERMEDIATE);
  level.set_reason("retried promotion");
  level.set_request_id(Unique("level-"));
  SendTogether(&Stub::ChangeLevel, level);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM level_changes WHERE employee_id = " + junior.name().substr(10) +
                  " AND to_level = " + std::to_string(Level::LEVEL_INTERMEDIATE)),
            1);

  pv1::TransferEmployeeRequest transfer;
  transfer.set_name(junior.name());
  transfer.set_county(other);
  transfer.set_reason("retried transfer");
  transfer.set_request_id(Unique("transfer-"));
  const pv1::Employee moved = SendTogether(&Stub::TransferEmployee, transfer);
  EXPECT_EQ(moved.county(), other);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM level_changes WHERE employee_id = " + junior.name().substr(10) +
                  " AND from_county_id <> to_county_id"),
            1);

  pv1::ChangeRoleRequest role;
  role.set_name(junior.name());
  role.set_role(pv1::ROLE_GROUP_DATA_SUPERVISOR);
  role.set_post_grade(9);
  role.set_reason("retried role change");
  role.set_request_id(Unique("role-"));
  SendTogether(&Stub::ChangeRole, role);

  pv1::EndEmploymentRequest end;
  end.set_name(junior.name());
  end.set_reason(pv1::SEPARATION_REASON_RESIGNED);
  end.set_request_id(Unique("end-"));
  const pv1::Employee left = SendTogether(&Stub::EndEmployment, end);
  EXPECT_EQ(left.status(), pv1::EMPLOYMENT_STATUS_SEPARATED);
}

// The same id with another body is still refused, however the calls interleave.
TEST_F(ConcurrentRetriesTest, TheSameIdForAnotherRequestIsRefused) {
  const std::string county = CreateCounty().name();
  pv1::CreateEmployeeRequest first = EmployeeRequest(county);
  first.set_request_id(Unique("reused-"));
  pv1::Employee employee;
  ASSERT_THAT(Call(&Stub::CreateEmployee, first, &employee), IsOk());
  pv1::CreateEmployeeRequest second = EmployeeRequest(county);
  second.set_request_id(first.request_id());
  EXPECT_THAT(Call(&Stub::CreateEmployee, second, &employee),
              FailsWith(grpc::StatusCode::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
}

}  // namespace
}  // namespace ladder::testing
