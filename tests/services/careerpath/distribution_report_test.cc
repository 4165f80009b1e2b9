// GetDistributionReport and SimulateDistribution against personnel's real counts, checked
// against numbers worked out by hand.

#include "gmock/gmock.h"
#include "tests/services/careerpath/careerpath_test_base.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;
using ::testing::HasSubstr;
using CountyRow = cv1::DistributionReport::CountyDistribution;

class DistributionReportTest : public CareerPathServiceTestBase {
 protected:
  std::string CountyIn(const std::string& city, const std::string& display_name) {
    pv1::CreateOrgUnitRequest request;
    request.mutable_org_unit()->set_display_name(display_name);
    request.mutable_org_unit()->set_kind(pv1::OrgUnit::KIND_COUNTY);
    request.mutable_org_unit()->set_parent(city);
    pv1::OrgUnit unit;
    EXPECT_THAT(CallPeople(&PeopleStub::CreateOrgUnit, request, &unit), IsOk());
    return unit.name();
  }

  static void ExpectLevels(const CountyRow& row, std::vector<int> heads, std::vector<int> suggested) {
    ASSERT_EQ(row.levels_size(), 3) << row.county();
    const int n = row.levelled_customer_managers();
    for (int i = 0; i < 3; ++i) {
      const auto& level = row.levels(i);
      EXPECT_EQ(level.level(), static_cast<Level>(i + 1));
      EXPECT_EQ(level.head_count(), heads[i]) << row.display_name() << " level " << i;
      EXPECT_NEAR(level.share_percent(), n == 0 ? 0.0 : 100.0 * heads[i] / n, 1e-9);
      EXPECT_EQ(level.suggested_head_count(), suggested[i]) << row.display_name() << " level " << i;
      EXPECT_EQ(level.deviation(), heads[i] - suggested[i]);
    }
    EXPECT_EQ(row.levels(0).suggested_share_percent(), 30);
    EXPECT_EQ(row.levels(1).suggested_share_percent(), 50);
    EXPECT_EQ(row.levels(2).suggested_share_percent(), 20);
  }

  // 柯城区 3/6/1, 龙游县 1/3/3 after eight juniors left, 开化县 empty; people who hold no
  // level are in the counties too, and are not counted.
  struct Branch {
    std::string city, kecheng, longyou, kaihua;
    std::vector<pv1::Employee> kecheng_juniors, kecheng_intermediates, longyou_seniors;
    pv1::Employee staff;
  };
  Branch MakeBranch() {
    Branch branch;
    branch.city = CreateCityBranch().name();
    branch.kecheng = CountyIn(branch.city, "柯城区");
    branch.longyou = CountyIn(branch.city, "龙游县");
    branch.kaihua = CountyIn(branch.city, "开化县");
    for (int i = 0; i < 3; ++i) branch.kecheng_juniors.push_back(ManagerMonthsAtLevel(branch.kecheng, kJunior, 20));
    for (int i = 0; i < 6; ++i) {
      branch.kecheng_intermediates.push_back(ManagerMonthsAtLevel(branch.kecheng, kIntermediate, 30));
    }
    ManagerMonthsAtLevel(branch.kecheng, kSenior, 30);
    std::vector<pv1::Employee> leaving;
    for (int i = 0; i < 9; ++i) leaving.push_back(ManagerMonthsAtLevel(branch.longyou, kJunior, 20));
    for (int i = 0; i < 3; ++i) ManagerMonthsAtLevel(branch.longyou, kIntermediate, 30);
    for (int i = 0; i < 3; ++i) branch.longyou_seniors.push_back(ManagerMonthsAtLevel(branch.longyou, kSenior, 30));
    for (int i = 0; i < 8; ++i) {
      EXPECT_THAT(EndEmployment(leaving[i].name(), pv1::SEPARATION_REASON_RESIGNED), IsOk());
    }
    CreateEmployee(branch.longyou);  // awaiting the initial level
    CreateEmployee(branch.kecheng, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_TRANSFER);  // on trial
    branch.staff = CreateEmployee(branch.kecheng, pv1::ROLE_CUSTOMER_SERVICE_STAFF);
    CreateEmployee(branch.kaihua, pv1::ROLE_BRANCH_CHIEF);
    return branch;
  }

  cv1::DistributionReport Report(const std::string& org_unit) {
    cv1::GetDistributionReportRequest request;
    request.set_org_unit(org_unit);
    cv1::DistributionReport report;
    EXPECT_THAT(CallCareer(&CareerStub::GetDistributionReport, request, &report), IsOk());
    return report;
  }

  static const CountyRow* RowOf(const cv1::DistributionReport& report, const std::string& county) {
    for (const auto& row : report.counties()) {
      if (row.county() == county) return &row;
    }
    return nullptr;
  }
};

TEST_F(DistributionReportTest, ReportOfABranchAndOfACounty) {
  const Branch branch = MakeBranch();
  const cv1::DistributionReport report = Report(branch.city);
  EXPECT_EQ(report.org_unit(), branch.city);
  EXPECT_EQ(report.policy_version(), "1.1.0");
  ASSERT_EQ(report.counties_size(), 3);

  // 柯城区: N 10 → suggested exactly 3/5/2, cap 2, one free, one person off the mix.
  const CountyRow* kecheng = RowOf(report, branch.kecheng);
  ASSERT_NE(kecheng, nullptr);
  EXPECT_EQ(kecheng->display_name(), "柯城区");
  EXPECT_EQ(kecheng->levelled_customer_managers(), 10);
  ExpectLevels(*kecheng, {3, 6, 1}, {3, 5, 2});
  EXPECT_EQ(kecheng->senior_cap(), 2);
  EXPECT_EQ(kecheng->free_senior_slots(), 1);
  EXPECT_FALSE(kecheng->over_cap());
  EXPECT_EQ(kecheng->distance_from_suggested(), 1);

  // 龙游县: N 7 → 2.1/3.5/1.4 → 2/4/1 by largest remainder; cap floor(1.4) = 1 with three
  // seniors: over the cap, nobody demoted; deviations −1/−1/+2, distance 2.
  const CountyRow* longyou = RowOf(report, branch.longyou);
  ASSERT_NE(longyou, nullptr);
  EXPECT_EQ(longyou->levelled_customer_managers(), 7);
  ExpectLevels(*longyou, {1, 3, 3}, {2, 4, 1});
  EXPECT_EQ(longyou->senior_cap(), 1);
  EXPECT_EQ(longyou->free_senior_slots(), 0);
  EXPECT_TRUE(longyou->over_cap());
  EXPECT_EQ(longyou->distance_from_suggested(), 2);

  const CountyRow* kaihua = RowOf(report, branch.kaihua);
  ASSERT_NE(kaihua, nullptr);
  EXPECT_EQ(kaihua->levelled_customer_managers(), 0);
  ExpectLevels(*kaihua, {0, 0, 0}, {0, 0, 0});
  EXPECT_EQ(kaihua->senior_cap(), 0);

  // Totals: N 17, 4/9/4 against 5/9/3, caps 2 + 1 + 0, one free slot, distance 1 + 2.
  const CountyRow& total = report.total();
  EXPECT_EQ(total.levelled_customer_managers(), 17);
  ExpectLevels(total, {4, 9, 4}, {5, 9, 3});
  EXPECT_EQ(total.senior_cap(), 3);
  EXPECT_EQ(total.free_senior_slots(), 1);
  EXPECT_TRUE(total.over_cap());
  EXPECT_EQ(total.distance_from_suggested(), 3);

  // The same numbers personnel's quota gives.
  const pv1::CountyQuota quota = Quota(branch.longyou);
  EXPECT_EQ(quota.levelled_customer_managers(), longyou->levelled_customer_managers());
  EXPECT_EQ(quota.senior_cap(), longyou->senior_cap());
  EXPECT_EQ(quota.over_cap(), longyou->over_cap());

  // One county alone: the county and a total equal to it.
  const cv1::DistributionReport one = Report(branch.kecheng);
  ASSERT_EQ(one.counties_size(), 1);
  EXPECT_EQ(one.counties(0).county(), branch.kecheng);
  EXPECT_EQ(one.total().levelled_customer_managers(), 10);
  ExpectLevels(one.total(), {3, 6, 1}, {3, 5, 2});
  EXPECT_EQ(one.total().distance_from_suggested(), 1);
}

TEST_F(DistributionReportTest, SimulateShowsTheMixAfterTheMovesAndWritesNothing) {
  const Branch branch = MakeBranch();
  const pv1::CountyQuota kecheng_before = Quota(branch.kecheng);
  const pv1::CountyQuota longyou_before = Quota(branch.longyou);

  cv1::SimulateDistributionRequest request;
  request.set_org_unit(branch.city);
  auto add = [&](const std::string& employee) {
    cv1::ProposedMove* move = request.add_moves();
    move->set_employee(employee);
    return move;
  };
  add(branch.kecheng_intermediates[0].name())->set_to_level(kSenior);   // takes the free slot
  add(branch.kecheng_intermediates[1].name())->set_to_level(kSenior);   // none left
  add(branch.longyou_seniors[0].name())->set_exit(true);                // 1/3/2, N 6, cap 1
  add(branch.staff.name())->set_to_level(kJunior);                      // holds no level
  add(branch.kecheng_juniors[0].name())->set_to_level(kSenior);         // two levels at once
  add(branch.kecheng_juniors[1].name())->set_to_county(branch.kaihua);  // 柯城区 2/5/2, 开化县 1/0/0

  cv1::SimulateDistributionResponse response;
  ASSERT_THAT(CallCareer(&CareerStub::SimulateDistribution, request, &response), IsOk());
  ASSERT_EQ(response.refused_moves_size(), 3);
  EXPECT_EQ(response.refused_moves(0).move().employee(), branch.kecheng_intermediates[1].name());
  EXPECT_EQ(response.refused_moves(0).reason(), "SENIOR_CAP_REACHED");
  EXPECT_THAT(response.refused_moves(0).explanation(), HasSubstr("柯城区"));
  EXPECT_EQ(response.refused_moves(1).move().employee(), branch.staff.name());
  EXPECT_EQ(response.refused_moves(1).reason(), "NOT_A_LEVELLED_MANAGER");
  EXPECT_EQ(response.refused_moves(2).reason(), "LEVEL_NOT_ADJACENT");

  const cv1::DistributionReport& report = response.report();
  const CountyRow* kecheng = RowOf(report, branch.kecheng);
  ASSERT_NE(kecheng, nullptr);
  // 柯城区 N 9: 2.7/4.5/1.8 → 2/4/1 then the leftover two to .8 (senior, capped: skipped),
  // .7 (junior) and .5 (intermediate): 3/5/1. The cap floor(1.8) = 1 with two seniors.
  EXPECT_EQ(kecheng->levelled_customer_managers(), 9);
  ExpectLevels(*kecheng, {2, 5, 2}, {3, 5, 1});
  EXPECT_TRUE(kecheng->over_cap());
  const CountyRow* longyou = RowOf(report, branch.longyou);
  EXPECT_EQ(longyou->levelled_customer_managers(), 6);
  ExpectLevels(*longyou, {1, 3, 2}, {2, 3, 1});
  EXPECT_TRUE(longyou->over_cap());
  const CountyRow* kaihua = RowOf(report, branch.kaihua);
  ExpectLevels(*kaihua, {1, 0, 0}, {0, 1, 0});
  EXPECT_EQ(report.total().levelled_customer_managers(), 16);

  // Nothing was written.
  EXPECT_EQ(Quota(branch.kecheng).SerializeAsString(), kecheng_before.SerializeAsString());
  EXPECT_EQ(Quota(branch.longyou).SerializeAsString(), longyou_before.SerializeAsString());
  EXPECT_EQ(GetEmployee(branch.kecheng_intermediates[0].name()).level(), kIntermediate);
  EXPECT_EQ(GetEmployee(branch.longyou_seniors[0].name()).status(), pv1::EMPLOYMENT_STATUS_ACTIVE);
}

TEST_F(DistributionReportTest, RequestErrors) {
  const std::string county = CreateCounty();
  cv1::GetDistributionReportRequest get;
  cv1::DistributionReport report;
  EXPECT_THAT(CallCareer(&CareerStub::GetDistributionReport, get, &report), RejectsField("org_unit"));
  get.set_org_unit("teams/1");
  EXPECT_THAT(CallCareer(&CareerStub::GetDistributionReport, get, &report), RejectsField("org_unit"));
  get.set_org_unit("orgUnits/987654");
  EXPECT_THAT(CallCareer(&CareerStub::GetDistributionReport, get, &report), RejectsField("org_unit"));

  cv1::SimulateDistributionRequest simulate;
  cv1::SimulateDistributionResponse response;
  simulate.set_org_unit(county);
  simulate.add_moves()->set_employee("employees/x");
  EXPECT_THAT(CallCareer(&CareerStub::SimulateDistribution, simulate, &response), RejectsField("moves[0].employee"));
  simulate.mutable_moves(0)->set_employee("employees/987654");
  EXPECT_THAT(CallCareer(&CareerStub::SimulateDistribution, simulate, &response), RejectsField("moves[0].employee"));
  simulate.clear_moves();
  for (int i = 0; i < 1001; ++i) simulate.add_moves()->set_employee("employees/1");
  EXPECT_THAT(CallCareer(&CareerStub::SimulateDistribution, simulate, &response), RejectsField("moves"));
}

}  // namespace
}  // namespace ladder::testing
