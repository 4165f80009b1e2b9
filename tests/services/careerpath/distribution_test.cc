// The distribution report and its what-if simulation (POLICY §3, §7), with every number
// worked out by hand in the comments.

#include "services/careerpath/distribution.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ladder::careerpath {
namespace {

using common::v1::Level;
using ::testing::HasSubstr;

constexpr auto kJunior = Level::LEVEL_JUNIOR;
constexpr auto kIntermediate = Level::LEVEL_INTERMEDIATE;
constexpr auto kSenior = Level::LEVEL_SENIOR;

const policy::Policy& Shipped() {
  static const policy::PolicySet* set = [] {
    absl::StatusOr<policy::PolicySet> loaded = policy::PolicySet::LoadFromDirectory("config/policy");
    EXPECT_TRUE(loaded.ok()) << loaded.status() << " (run from the repository root)";
    return new policy::PolicySet(loaded.ok() ? *std::move(loaded) : policy::PolicySet());
  }();
  const policy::Policy* policy = set->Find("1.1.0");
  static const policy::Policy empty;
  return policy != nullptr ? *policy : empty;
}

CountyCounts County(const std::string& name, const std::string& display, int juniors, int intermediates, int seniors) {
  return CountyCounts{name, display, {{kJunior, juniors}, {kIntermediate, intermediates}, {kSenior, seniors}}};
}

using Row = cv1::DistributionReport::CountyDistribution;

// Expects one level's numbers: head count, share, suggested count, deviation.
void ExpectLevel(const Row& row, int index, Level level, int head, double share, int suggested_share, int suggested) {
  ASSERT_GT(row.levels_size(), index) << row.county();
  const auto& entry = row.levels(index);
  EXPECT_EQ(entry.level(), level) << row.county();
  EXPECT_EQ(entry.head_count(), head) << row.county() << " " << Level_Name(level);
  EXPECT_NEAR(entry.share_percent(), share, 1e-9) << row.county() << " " << Level_Name(level);
  EXPECT_EQ(entry.suggested_share_percent(), suggested_share);
  EXPECT_EQ(entry.suggested_head_count(), suggested) << row.county() << " " << Level_Name(level);
  EXPECT_EQ(entry.deviation(), head - suggested) << row.county() << " " << Level_Name(level);
}

TEST(DistributionReportTest, NumbersWorkedOutByHand) {
  const std::vector<CountyCounts> counties = {
      County("orgUnits/11", "柯城区", 3, 6, 1),
      County("orgUnits/12", "龙游县", 1, 3, 3),
      County("orgUnits/13", "开化县", 0, 0, 0),
  };
  const cv1::DistributionReport report = BuildReport("orgUnits/10", counties, Shipped());
  EXPECT_EQ(report.org_unit(), "orgUnits/10");
  EXPECT_EQ(report.policy_version(), "1.1.0");
  ASSERT_EQ(report.counties_size(), 3);

  // 柯城区, N = 10: 30/50/20 of 10 is exactly 3/5/2; the cap is floor(2.0) = 2, one senior
  // holds a slot, so one is free. Deviations 0/+1/−1: one person would have to move.
  const Row& kecheng = report.counties(0);
  EXPECT_EQ(kecheng.county(), "orgUnits/11");
  EXPECT_EQ(kecheng.display_name(), "柯城区");
  EXPECT_EQ(kecheng.levelled_customer_managers(), 10);
  ExpectLevel(kecheng, 0, kJunior, 3, 30.0, 30, 3);
  ExpectLevel(kecheng, 1, kIntermediate, 6, 60.0, 50, 5);
  ExpectLevel(kecheng, 2, kSenior, 1, 10.0, 20, 2);
  EXPECT_EQ(kecheng.senior_cap(), 2);
  EXPECT_EQ(kecheng.free_senior_slots(), 1);
  EXPECT_FALSE(kecheng.over_cap());
  EXPECT_EQ(kecheng.distance_from_suggested(), 1);

  // 龙游县, N = 7: 2.1/3.5/1.4 → floors 2/3/1, one head left goes to the largest remainder
  // (intermediate, .5): 2/4/1. The cap is floor(1.4) = 1 and three seniors hold it: over
  // the cap (an exit shrank N), no free slot. Deviations −1/−1/+2: distance 2.
  const Row& longyou = report.counties(1);
  EXPECT_EQ(longyou.levelled_customer_managers(), 7);
  ExpectLevel(longyou, 0, kJunior, 1, 100.0 / 7, 30, 2);
  ExpectLevel(longyou, 1, kIntermediate, 3, 300.0 / 7, 50, 4);
  ExpectLevel(longyou, 2, kSenior, 3, 300.0 / 7, 20, 1);
  EXPECT_EQ(longyou.senior_cap(), 1);
  EXPECT_EQ(longyou.free_senior_slots(), 0);
  EXPECT_TRUE(longyou.over_cap());
  EXPECT_EQ(longyou.distance_from_suggested(), 2);

  // 开化县 has nobody levelled yet: all zero, shares 0 rather than a division by zero.
  const Row& kaihua = report.counties(2);
  EXPECT_EQ(kaihua.levelled_customer_managers(), 0);
  ExpectLevel(kaihua, 0, kJunior, 0, 0.0, 30, 0);
  ExpectLevel(kaihua, 1, kIntermediate, 0, 0.0, 50, 0);
  ExpectLevel(kaihua, 2, kSenior, 0, 0.0, 20, 0);
  EXPECT_EQ(kaihua.senior_cap(), 0);
  EXPECT_EQ(kaihua.free_senior_slots(), 0);
  EXPECT_FALSE(kaihua.over_cap());
  EXPECT_EQ(kaihua.distance_from_suggested(), 0);

  // Totals: N = 17, heads 4/9/4, suggested the sums of the counties' 5/9/3, caps 2+1+0,
  // one free slot, over the cap somewhere, distances 1+2+0.
  const Row& total = report.total();
  EXPECT_EQ(total.county(), "orgUnits/10");
  EXPECT_EQ(total.levelled_customer_managers(), 17);
  ExpectLevel(total, 0, kJunior, 4, 400.0 / 17, 30, 5);
  ExpectLevel(total, 1, kIntermediate, 9, 900.0 / 17, 50, 9);
  ExpectLevel(total, 2, kSenior, 4, 400.0 / 17, 20, 3);
  EXPECT_EQ(total.senior_cap(), 3);
  EXPECT_EQ(total.free_senior_slots(), 1);
  EXPECT_TRUE(total.over_cap());
  EXPECT_EQ(total.distance_from_suggested(), 3);
}

TEST(DistributionReportTest, NoCountiesGivesAnEmptyTotal) {
  const cv1::DistributionReport report = BuildReport("orgUnits/1", {}, Shipped());
  EXPECT_EQ(report.counties_size(), 0);
  EXPECT_EQ(report.total().levelled_customer_managers(), 0);
  ASSERT_EQ(report.total().levels_size(), 3);
  for (const auto& level : report.total().levels()) {
    EXPECT_EQ(level.head_count(), 0);
    EXPECT_EQ(level.share_percent(), 0.0);
  }
}

ResolvedMove ToLevel(const std::string& employee, const std::string& county, Level level, Level to) {
  ResolvedMove move;
  move.move.set_employee(employee);
  move.move.set_to_level(to);
  move.county = county;
  move.level = level;
  return move;
}

ResolvedMove ToCounty(const std::string& employee, const std::string& county, Level level, const std::string& to) {
  ResolvedMove move;
  move.move.set_employee(employee);
  move.move.set_to_county(to);
  move.county = county;
  move.level = level;
  return move;
}

ResolvedMove Exit(const std::string& employee, const std::string& county, Level level) {
  ResolvedMove move;
  move.move.set_employee(employee);
  move.move.set_exit(true);
  move.county = county;
  move.level = level;
  return move;
}

TEST(SimulateMovesTest, AppliesInOrderAndRefusesWhatTheRulesRefuse) {
  const std::string a = "orgUnits/11", b = "orgUnits/12";
  std::vector<CountyCounts> counties = {County(a, "柯城区", 3, 6, 1), County(b, "龙游县", 1, 3, 3)};
  const std::vector<ResolvedMove> moves = {
      // A (N 10, cap 2, 1 senior): a promotion takes the free slot → A 3/5/2.
      ToLevel("employees/1", a, kIntermediate, kSenior),
      // … and a second finds none.
      ToLevel("employees/2", a, kIntermediate, kSenior),
      // B (N 7, cap 1, 3 seniors): a senior leaves → B 1/3/2, N 6, cap 1, still over.
      Exit("employees/3", b, kSenior),
      // No promotion in a county over its cap …
      ToLevel("employees/4", b, kIntermediate, kSenior),
      // … and no senior transferring in.
      ToCounty("employees/5", a, kSenior, b),
      // A junior may transfer: A 2/5/2, B 2/3/2.
      ToCounty("employees/6", a, kJunior, b),
      // Someone who holds no level in a county of the report.
      ToLevel("employees/7", "", Level::LEVEL_UNSPECIFIED, kJunior),
      // employees/1 is a senior now (the simulation remembers): the exit frees A's slot → A 2/5/1.
      Exit("employees/1", a, kIntermediate),
      // Nothing to change.
      ToLevel("employees/8", a, kJunior, kJunior),
      // A county outside the report, and the employee's own county.
      ToCounty("employees/9", a, kJunior, "orgUnits/999"),
      ToCounty("employees/9", a, kJunior, a),
      // Two levels at once is no move the policy makes.
      ToLevel("employees/10", a, kJunior, kSenior),
      ToLevel("employees/11", a, kSenior, kJunior),
      // A demotion in B: B 2/4/1, N 7, cap 1, back within the cap.
      ToLevel("employees/12", b, kSenior, kIntermediate),
  };
  ResolvedMove empty;
  empty.move.set_employee("employees/13");
  empty.county = a;
  empty.level = kJunior;
  std::vector<ResolvedMove> all = moves;
  all.push_back(empty);

  const std::vector<cv1::RefusedMove> refused = ApplyMoves(all, Shipped(), counties);

  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& move : refused) got.emplace_back(move.move().employee(), move.reason());
  EXPECT_THAT(
      got,
      ::testing::ElementsAre(
          std::make_pair("employees/2", "SENIOR_CAP_REACHED"), std::make_pair("employees/4", "SENIOR_CAP_REACHED"),
          std::make_pair("employees/5", "SENIOR_CAP_REACHED"), std::make_pair("employees/7", "NOT_A_LEVELLED_MANAGER"),
          std::make_pair("employees/8", "NO_CHANGE"), std::make_pair("employees/9", "UNKNOWN_COUNTY"),
          std::make_pair("employees/9", "UNKNOWN_COUNTY"), std::make_pair("employees/10", "LEVEL_NOT_ADJACENT"),
          std::make_pair("employees/11", "LEVEL_NOT_ADJACENT"), std::make_pair("employees/13", "NO_MOVE")));
  ASSERT_EQ(refused.size(), 10u);
  EXPECT_THAT(refused[0].explanation(), HasSubstr("柯城区"));
  EXPECT_THAT(refused[0].explanation(), HasSubstr("2 held, cap 2"));
  EXPECT_THAT(refused[1].explanation(), HasSubstr("2 held, cap 1"));
  EXPECT_THAT(refused[2].explanation(), HasSubstr("龙游县"));
  EXPECT_EQ(refused[0].move().to_level(), kSenior);

  EXPECT_EQ(counties[0].head_counts[kJunior], 2);
  EXPECT_EQ(counties[0].head_counts[kIntermediate], 5);
  EXPECT_EQ(counties[0].head_counts[kSenior], 1);
  EXPECT_EQ(counties[1].head_counts[kJunior], 2);
  EXPECT_EQ(counties[1].head_counts[kIntermediate], 4);
  EXPECT_EQ(counties[1].head_counts[kSenior], 1);

  const cv1::DistributionReport report = BuildReport("orgUnits/10", counties, Shipped());
  EXPECT_EQ(report.counties(0).levelled_customer_managers(), 8);
  EXPECT_EQ(report.counties(1).levelled_customer_managers(), 7);
  EXPECT_FALSE(report.counties(1).over_cap());
  EXPECT_EQ(report.counties(1).free_senior_slots(), 0);
}

TEST(SimulateMovesTest, AnExitThatShrinksNDoesNotDemoteAnyone) {
  // N 5, cap 1, one senior. A junior leaves: N 4, cap 0 — over the cap, nobody moved down.
  std::vector<CountyCounts> counties = {County("orgUnits/1", "常山县", 2, 2, 1)};
  const auto refused = ApplyMoves(
      {Exit("employees/1", "orgUnits/1", kJunior), ToLevel("employees/2", "orgUnits/1", kIntermediate, kSenior)},
      Shipped(), counties);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].reason(), "SENIOR_CAP_REACHED");
  const auto report = BuildReport("orgUnits/1", counties, Shipped());
  EXPECT_EQ(report.counties(0).levelled_customer_managers(), 4);
  EXPECT_EQ(report.counties(0).senior_cap(), 0);
  EXPECT_TRUE(report.counties(0).over_cap());
  EXPECT_EQ(report.counties(0).levels(2).head_count(), 1);
}

}  // namespace
}  // namespace ladder::careerpath
