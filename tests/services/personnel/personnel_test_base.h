#pragma once

// Shared set-up of the personnel service tests: one scratch database and one real server
// per test binary, and builders that create what a test needs under fresh names.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ladder/personnel/v1/personnel_service.grpc.pb.h"
#include "services/personnel/migrations.h"
#include "tests/support/personnel_test_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_database.h"

namespace ladder::testing {

namespace pv1 = ::ladder::personnel::v1;
using ::ladder::common::v1::Level;

class PersonnelServiceTestBase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto database = ScratchDatabase::Create(DatabasePrefix(), personnel::Migrations());
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = std::move(*database).release();
    auto server = PersonnelTestServer::Start(database_->options());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete database_;
    database_ = nullptr;
  }
  static std::string DatabasePrefix() { return ::testing::UnitTest::GetInstance()->current_test_suite()->name(); }

  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "the test server did not start";
    stub_ = server_->NewStub();
  }

  // A unique suffix for names within this binary's database.
  static std::string Unique(absl::string_view prefix) {
    static std::atomic<int> counter{0};
    return absl::StrCat(prefix, ++counter);
  }

  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (pv1::PersonnelService::Stub::*method)(grpc::ClientContext*, const Request&,
                                                                        Response*),
                    const Request& request, Response* response) {
    auto context = CallContext();
    return (stub_.get()->*method)(context.get(), request, response);
  }

  pv1::OrgUnit CreateCityBranch() {
    pv1::CreateOrgUnitRequest request;
    request.mutable_org_unit()->set_display_name(Unique("city-"));
    request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_CITY_BRANCH);
    pv1::OrgUnit unit;
    EXPECT_THAT(Call(&pv1::PersonnelService::Stub::CreateOrgUnit, request, &unit), IsOk());
    return unit;
  }

  pv1::OrgUnit CreateCounty(const std::string& city = "") {
    pv1::CreateOrgUnitRequest request;
    request.mutable_org_unit()->set_display_name(Unique("county-"));
    request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_COUNTY);
    request.mutable_org_unit()->set_parent(city.empty() ? CreateCityBranch().name() : city);
    pv1::OrgUnit unit;
    EXPECT_THAT(Call(&pv1::PersonnelService::Stub::CreateOrgUnit, request, &unit), IsOk());
    return unit;
  }

  pv1::CreateEmployeeRequest EmployeeRequest(const std::string& county, pv1::Role role = pv1::ROLE_CUSTOMER_MANAGER,
                                             pv1::EntryChannel channel = pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT) {
    pv1::CreateEmployeeRequest request;
    pv1::Employee* employee = request.mutable_employee();
    employee->set_employee_number(Unique("E"));
    employee->set_display_name("测试员工");
    employee->set_county(county);
    employee->set_role(role);
    employee->set_entry_channel(channel);
    employee->mutable_hire_date()->set_year(2020);
    employee->mutable_hire_date()->set_month(3);
    employee->mutable_hire_date()->set_day(1);
    return request;
  }

  pv1::Employee CreateEmployee(const std::string& county, pv1::Role role = pv1::ROLE_CUSTOMER_MANAGER) {
    pv1::Employee employee;
    EXPECT_THAT(Call(&pv1::PersonnelService::Stub::CreateEmployee, EmployeeRequest(county, role), &employee), IsOk());
    return employee;
  }

  grpc::Status ChangeLevel(const pv1::Employee& employee, Level from, Level to, pv1::Employee* result,
                           const std::string& request_id = "") {
    pv1::ChangeLevelRequest request;
    request.set_name(employee.name());
    request.set_expected_level(from);
    request.set_level(to);
    request.set_reason("test");
    request.set_request_id(request_id);
    return Call(&pv1::PersonnelService::Stub::ChangeLevel, request, result);
  }

  // A customer manager of `county` holding `level` (set through the API, so the cap
  // applies as it would in production).
  pv1::Employee CreateManagerAt(const std::string& county, Level level) {
    pv1::Employee employee = CreateEmployee(county);
    pv1::Employee result;
    Level held = Level::LEVEL_UNSPECIFIED;
    for (Level next : {Level::LEVEL_JUNIOR, Level::LEVEL_INTERMEDIATE, Level::LEVEL_SENIOR}) {
      if (next > level) break;
      EXPECT_THAT(ChangeLevel(employee, held, next, &result), IsOk());
      held = next;
    }
    return held == Level::LEVEL_UNSPECIFIED ? employee : result;
  }

  // A county of `city` with customer managers at each level, made through the API.
  struct County {
    std::string name;
    std::vector<pv1::Employee> juniors, intermediates, seniors;
  };
  County MakeCounty(const std::string& city, int juniors, int intermediates, int seniors) {
    County county;
    county.name = CreateCounty(city).name();
    // Juniors first, so N is large enough for the seniors when they are promoted.
    for (int i = 0; i < juniors; ++i) county.juniors.push_back(CreateManagerAt(county.name, Level::LEVEL_JUNIOR));
    for (int i = 0; i < intermediates; ++i) {
      county.intermediates.push_back(CreateManagerAt(county.name, Level::LEVEL_INTERMEDIATE));
    }
    for (int i = 0; i < seniors; ++i) county.seniors.push_back(CreateManagerAt(county.name, Level::LEVEL_SENIOR));
    return county;
  }

  pv1::CountyQuota Quota(const std::string& county) {
    pv1::GetCountyQuotaRequest request;
    request.set_name(county + "/quota");
    pv1::CountyQuota quota;
    EXPECT_THAT(Call(&pv1::PersonnelService::Stub::GetCountyQuota, request, &quota), IsOk());
    return quota;
  }

  static int HeadCount(const pv1::CountyQuota& quota, Level level) {
    for (const auto& entry : quota.levels()) {
      if (entry.level() == level) return entry.head_count();
    }
    return -1;
  }

  inline static ScratchDatabase* database_ = nullptr;
  inline static PersonnelTestServer* server_ = nullptr;
  std::unique_ptr<pv1::PersonnelService::Stub> stub_;
};

}  // namespace ladder::testing
