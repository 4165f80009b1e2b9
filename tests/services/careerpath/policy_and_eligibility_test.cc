// GetPolicy, ListPolicyVersions and CheckEligibility against the real services: the policy
// in force, and each rule's evidence built from personnel's levels and evaluation's
// finalised cycles.

#include "gmock/gmock.h"
#include "tests/services/careerpath/careerpath_test_base.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class PolicyAndEligibilityTest : public CareerPathServiceTestBase {};

TEST_F(PolicyAndEligibilityTest, GetPolicyInForceOnADay) {
  common::v1::Policy policy;
  ASSERT_THAT(CallCareer(&CareerStub::GetPolicy, cv1::GetPolicyRequest(), &policy), IsOk());
  EXPECT_EQ(policy.version(), "1.1.0");
  EXPECT_EQ(policy.levels_size(), 3);

  cv1::GetPolicyRequest request;
  *request.mutable_date() = MakeDate(2026, 1, 1);
  ASSERT_THAT(CallCareer(&CareerStub::GetPolicy, request, &policy), IsOk());
  EXPECT_EQ(policy.version(), "1.1.0");

  *request.mutable_date() = MakeDate(2025, 12, 31);
  EXPECT_THAT(CallCareer(&CareerStub::GetPolicy, request, &policy),
              FailsWith(StatusCode::NOT_FOUND, "NO_POLICY_IN_FORCE"));

  *request.mutable_date() = MakeDate(2026, 2, 30);
  EXPECT_THAT(CallCareer(&CareerStub::GetPolicy, request, &policy), RejectsField("date"));
}

TEST_F(PolicyAndEligibilityTest, ListPolicyVersions) {
  cv1::ListPolicyVersionsRequest request;
  cv1::ListPolicyVersionsResponse response;
  ASSERT_THAT(CallCareer(&CareerStub::ListPolicyVersions, request, &response), IsOk());
  ASSERT_EQ(response.policies_size(), 1);
  EXPECT_EQ(response.policies(0).version(), "1.1.0");
  EXPECT_TRUE(response.next_page_token().empty());

  request.set_page_size(1);
  ASSERT_THAT(CallCareer(&CareerStub::ListPolicyVersions, request, &response), IsOk());
  EXPECT_EQ(response.policies_size(), 1);
  EXPECT_TRUE(response.next_page_token().empty());

  request.set_page_size(-1);
  EXPECT_THAT(CallCareer(&CareerStub::ListPolicyVersions, request, &response), RejectsField("page_size"));
  request.set_page_size(0);
  request.set_page_token("not a token");
  EXPECT_THAT(CallCareer(&CareerStub::ListPolicyVersions, request, &response), RejectsField("page_token"));
}

TEST_F(PolicyAndEligibilityTest, PromotionEvidenceFromRealLevelsAndCycles) {
  const std::string county = CreateNamedCounty("龙游县");
  // N = 10: 5 juniors, 3 intermediates, 2 seniors; the cap floor(2.0) = 2 is full.
  std::vector<pv1::Employee> juniors;
  const pv1::Employee star = ManagerMonthsAtLevel(county, kJunior, 14);
  const pv1::Employee fresh = ManagerMonthsAtLevel(county, kJunior, 3);
  for (int i = 0; i < 3; ++i) juniors.push_back(ManagerMonthsAtLevel(county, kJunior, 30));
  const pv1::Employee waiting = ManagerMonthsAtLevel(county, kIntermediate, 30);
  const pv1::Employee low = ManagerMonthsAtLevel(county, kIntermediate, 30);
  const pv1::Employee other = ManagerMonthsAtLevel(county, kIntermediate, 30);
  const pv1::Employee senior_a = ManagerMonthsAtLevel(county, kSenior, 30);
  const pv1::Employee senior_b = ManagerMonthsAtLevel(county, kSenior, 30);

  const Quarter q2 = QuarterBefore(2), q1 = QuarterBefore(1);
  std::map<std::string, double> first = {{star.name(), 90},    {fresh.name(), 95}, {waiting.name(), 93},
                                         {low.name(), 55},     {other.name(), 80}, {senior_a.name(), 80},
                                         {senior_b.name(), 80}};
  std::map<std::string, double> second = first;
  second[star.name()] = 87.5;
  second[low.name()] = 59.5;
  const ev1::Cycle older = FinalisedCycle(county, q2, first);
  const ev1::Cycle newer = FinalisedCycle(county, q1, second);

  // The junior: 14 months, 87.5 and 90.
  cv1::Eligibility result = Eligibility(star.name(), cv1::TARGET_PROMOTION);
  EXPECT_TRUE(result.eligible());
  EXPECT_EQ(result.from_level(), kJunior);
  EXPECT_EQ(result.to_level(), kIntermediate);
  EXPECT_EQ(result.policy_version(), "1.1.0");
  ASSERT_NE(RuleOf(result, "MIN_MONTHS_AT_LEVEL"), nullptr);
  EXPECT_EQ(RuleOf(result, "MIN_MONTHS_AT_LEVEL")->evidence(), "14 months at level ≥ 12");
  ASSERT_NE(RuleOf(result, "MIN_COMPOSITE"), nullptr);
  EXPECT_EQ(RuleOf(result, "MIN_COMPOSITE")->evidence(),
            absl::StrCat("composite 87.5 in ", newer.display_name(), " ≥ 85; composite 90 in ", older.display_name(),
                         " ≥ 85"));
  EXPECT_DOUBLE_EQ(result.latest_composite(), 87.5);
  EXPECT_EQ(result.days_at_level(), TodayInBranch() - AddMonths(TodayInBranch(), -14));

  // Too new at the level.
  result = Eligibility(fresh.name(), cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_EQ(RuleOf(result, "MIN_MONTHS_AT_LEVEL")->evidence(), "3 months at level < 12");

  // Qualified for senior but for the cap.
  result = Eligibility(waiting.name(), cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_EQ(result.to_level(), kSenior);
  ASSERT_NE(RuleOf(result, "FREE_SENIOR_SLOT"), nullptr);
  EXPECT_TRUE(RuleOf(result, "MIN_COMPOSITE")->passed());
  EXPECT_EQ(RuleOf(result, "FREE_SENIOR_SLOT")->evidence(), "no free senior slot in 龙游县: 2 seniors, cap 2");

  // Demotion after two low cycles, with both composites shown.
  result = Eligibility(low.name(), cv1::TARGET_DEMOTION);
  EXPECT_TRUE(result.eligible());
  EXPECT_EQ(result.to_level(), kJunior);
  EXPECT_EQ(RuleOf(result, "LOW_COMPOSITE")->evidence(),
            absl::StrCat("composite 59.5 in ", newer.display_name(), " < 60; composite 55 in ", older.display_name(),
                         " < 60"));
  EXPECT_FALSE(Eligibility(low.name(), cv1::TARGET_ELIMINATION).eligible());
  EXPECT_FALSE(Eligibility(other.name(), cv1::TARGET_DEMOTION).eligible());

  // A junior never scored: no history to judge on.
  result = Eligibility(juniors[0].name(), cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(result.has_latest_composite());
  EXPECT_EQ(RuleOf(result, "MIN_COMPOSITE")->evidence(), "only 0 finalised cycle(s) at LEVEL_JUNIOR of the 2 needed");

  // A career move is for seniors.
  cv1::CheckEligibilityRequest move;
  move.set_employee(senior_a.name());
  move.set_target(cv1::TARGET_CAREER_MOVE);
  move.set_career_move_target(common::v1::CAREER_MOVE_TARGET_BRANCH_CHIEF);
  ASSERT_THAT(CallCareer(&CareerStub::CheckEligibility, move, &result), IsOk());
  EXPECT_TRUE(result.eligible());
  EXPECT_EQ(result.career_move_target(), common::v1::CAREER_MOVE_TARGET_BRANCH_CHIEF);
  move.set_employee(other.name());
  ASSERT_THAT(CallCareer(&CareerStub::CheckEligibility, move, &result), IsOk());
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(RuleOf(result, "CAREER_MOVE_LEVEL")->passed());
}

TEST_F(PolicyAndEligibilityTest, OtherRolesAndSeparatedEmployeesAreNotEligible) {
  const std::string county = CreateCounty();
  const pv1::Employee staff = CreateEmployee(county, pv1::ROLE_CUSTOMER_SERVICE_STAFF);
  cv1::Eligibility result = Eligibility(staff.name(), cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_THAT(result.rules(), ::testing::SizeIs(2));
  EXPECT_FALSE(RuleOf(result, "CUSTOMER_MANAGER")->passed());
  EXPECT_EQ(RuleOf(result, "CUSTOMER_MANAGER")->evidence(),
            absl::StrCat(staff.name(), " is ROLE_CUSTOMER_SERVICE_STAFF"));

  const pv1::Employee gone = ManagerMonthsAtLevel(county, kJunior, 20);
  ASSERT_THAT(EndEmployment(gone.name(), pv1::SEPARATION_REASON_RESIGNED), IsOk());
  result = Eligibility(gone.name(), cv1::TARGET_PROMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(RuleOf(result, "HOLDS_LEVEL")->passed());
  EXPECT_THAT(RuleOf(result, "HOLDS_LEVEL")->evidence(), HasSubstr("EMPLOYMENT_STATUS_SEPARATED"));

  const pv1::Employee waiting_for_level = CreateEmployee(county);
  result = Eligibility(waiting_for_level.name(), cv1::TARGET_DEMOTION);
  EXPECT_FALSE(result.eligible());
  EXPECT_FALSE(RuleOf(result, "HOLDS_LEVEL")->passed());
}

TEST_F(PolicyAndEligibilityTest, CheckEligibilityRequestErrors) {
  const std::string county = CreateCounty();
  const pv1::Employee junior = ManagerMonthsAtLevel(county, kJunior, 20);
  cv1::CheckEligibilityRequest request;
  cv1::Eligibility result;

  request.set_target(cv1::TARGET_PROMOTION);
  EXPECT_THAT(CallCareer(&CareerStub::CheckEligibility, request, &result), RejectsField("employee"));
  request.set_employee("teams/3");
  EXPECT_THAT(CallCareer(&CareerStub::CheckEligibility, request, &result), RejectsField("employee"));
  request.set_employee("employees/987654");
  EXPECT_THAT(CallCareer(&CareerStub::CheckEligibility, request, &result), RejectsField("employee"));

  request.set_employee(junior.name());
  request.set_target(cv1::TARGET_UNSPECIFIED);
  EXPECT_THAT(CallCareer(&CareerStub::CheckEligibility, request, &result), RejectsField("target"));
  request.set_target(static_cast<cv1::Target>(42));
  EXPECT_THAT(CallCareer(&CareerStub::CheckEligibility, request, &result), RejectsField("target"));
  request.set_target(cv1::TARGET_CAREER_MOVE);
  EXPECT_THAT(CallCareer(&CareerStub::CheckEligibility, request, &result), RejectsField("career_move_target"));
  request.set_career_move_target(static_cast<common::v1::CareerMoveTarget>(99));
  EXPECT_THAT(CallCareer(&CareerStub::CheckEligibility, request, &result), RejectsField("career_move_target"));
}

}  // namespace
}  // namespace ladder::testing
