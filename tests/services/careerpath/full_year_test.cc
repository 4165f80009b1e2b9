// A full year in one county: hires and their trials, four quarterly cycles each reviewed,
// approvals, a senior promotion blocked by the cap then applied when a senior leaves, an
// elimination, and the county's distribution at the end checked by hand.

#include "gmock/gmock.h"
#include "tests/services/careerpath/careerpath_test_base.h"

namespace ladder::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class FullYearTest : public CareerPathServiceTestBase {
 protected:
  cv1::Case ApproveOk(const std::string& name) {
    cv1::Case result;
    EXPECT_THAT(Approve(name, &result), IsOk()) << name;
    return result;
  }

  pv1::Employee Hire(const std::string& county, pv1::EntryChannel channel) {
    return CreateEmployee(county, pv1::ROLE_CUSTOMER_MANAGER, channel);
  }
};

TEST_F(FullYearTest, OneCountyThroughFourQuarters) {
  const std::string county = CreateNamedCounty("龙游县");

  // The county at the start: N 10, cap 2, both senior slots held.
  const pv1::Employee j1 = ManagerMonthsAtLevel(county, kJunior, 14);  // rising
  const pv1::Employee j2 = ManagerMonthsAtLevel(county, kJunior, 30);  // failing
  std::vector<pv1::Employee> steady;
  for (int i = 0; i < 3; ++i) steady.push_back(ManagerMonthsAtLevel(county, kJunior, 30));
  const pv1::Employee i1 = ManagerMonthsAtLevel(county, kIntermediate, 30);  // best
  const pv1::Employee i2 = ManagerMonthsAtLevel(county, kIntermediate, 40);  // second best
  const pv1::Employee i3 = ManagerMonthsAtLevel(county, kIntermediate, 30);  // weak
  const pv1::Employee s1 = ManagerMonthsAtLevel(county, kSenior, 30);
  const pv1::Employee s2 = ManagerMonthsAtLevel(county, kSenior, 30);
  ASSERT_EQ(Quota(county).free_senior_slots(), 0);

  // ---- Hires: two internal entrants after their trial, one external candidate.
  const pv1::Employee t1 = Hire(county, pv1::ENTRY_CHANNEL_INTERNAL_RECRUITMENT);
  const pv1::Employee t2 = Hire(county, pv1::ENTRY_CHANNEL_TRANSFER);
  const pv1::Employee e1 = Hire(county, pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT);
  for (const auto& [who, outcome] : std::vector<std::pair<std::string, ev1::TrialAssessment::Outcome>>{
           {t1.name(), ev1::TrialAssessment::OUTCOME_PASSED}, {t2.name(), ev1::TrialAssessment::OUTCOME_FAILED}}) {
    ev1::RecordTrialAssessmentRequest request;
    request.mutable_trial_assessment()->set_employee(who);
    request.mutable_trial_assessment()->set_outcome(outcome);
    request.mutable_trial_assessment()->set_score(outcome == ev1::TrialAssessment::OUTCOME_PASSED ? 78 : 45);
    request.mutable_trial_assessment()->set_assessor("营业部主任");
    *request.mutable_trial_assessment()->mutable_assessed_on() = ToDate(TodayInBranch());
    ev1::TrialAssessment recorded;
    ASSERT_THAT(Call(&EvalStub::RecordTrialAssessment, request, &recorded), IsOk());
  }
  {
    ev1::RecordCandidateAssessmentRequest request;
    request.mutable_candidate_assessment()->set_employee(e1.name());
    request.mutable_candidate_assessment()->set_written_test_score(70);
    request.mutable_candidate_assessment()->set_interview_score(80);
    request.mutable_candidate_assessment()->set_assessor("人力资源部");
    *request.mutable_candidate_assessment()->mutable_assessed_on() = ToDate(TodayInBranch());
    ev1::CandidateAssessment recorded;
    ASSERT_THAT(Call(&EvalStub::RecordCandidateAssessment, request, &recorded), IsOk());
  }
  cv1::Case trial_case;
  for (const pv1::Employee* hire : {&t1, &t2, &e1}) {
    cv1::AssignInitialLevelRequest request;
    request.set_employee(hire->name());
    cv1::AssignInitialLevelResponse response;
    ASSERT_THAT(CallCareer(&CareerStub::AssignInitialLevel, request, &response), IsOk());
    if (hire == &t2) {
      ASSERT_TRUE(response.has_elimination_case());
      trial_case = response.elimination_case();
    } else {
      EXPECT_EQ(response.employee().level(), kJunior) << hire->name();
    }
  }
  EXPECT_EQ(ApproveOk(trial_case.name()).state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(GetEmployee(t2.name()).separation_reason(), pv1::SEPARATION_REASON_TRIAL_FAILED);
  ASSERT_EQ(Quota(county).levelled_customer_managers(), 12);
  ASSERT_EQ(Quota(county).senior_cap(), 2);

  // ---- First quarter: one cycle is not enough for any rule.
  std::map<std::string, double> scores = Everyone(steady, 75);
  scores[j1.name()] = 88;
  scores[j2.name()] = 50;
  scores[i1.name()] = 95;
  scores[i2.name()] = 92;
  scores[i3.name()] = 55;
  scores[s1.name()] = 80;
  scores[s2.name()] = 80;
  scores[t1.name()] = 70;
  scores[e1.name()] = 72;
  const ev1::Cycle q1 = FinalisedCycle(county, QuarterBefore(4), scores);
  cv1::ReviewCycleResponse review = Review(q1.name());
  EXPECT_EQ(review.reviewed_count(), 12);
  EXPECT_EQ(review.created_cases_size(), 0);

  // ---- Second quarter: promotions, a demotion, an elimination.
  scores[j1.name()] = 90;
  scores[j2.name()] = 45;
  const ev1::Cycle q2 = FinalisedCycle(county, QuarterBefore(3), scores);
  review = Review(q2.name());
  EXPECT_EQ(review.reviewed_count(), 12);
  ASSERT_EQ(review.created_cases_size(), 5);
  const cv1::Case j1_up = CaseOf(review.created_cases(), j1.name(), cv1::Case::KIND_PROMOTION);
  const cv1::Case j2_out = CaseOf(review.created_cases(), j2.name(), cv1::Case::KIND_ELIMINATION);
  const cv1::Case i3_down = CaseOf(review.created_cases(), i3.name(), cv1::Case::KIND_DEMOTION);
  const cv1::Case i1_up = CaseOf(review.created_cases(), i1.name(), cv1::Case::KIND_PROMOTION);
  const cv1::Case i2_up = CaseOf(review.created_cases(), i2.name(), cv1::Case::KIND_PROMOTION);
  for (const cv1::Case* value : {&j1_up, &j2_out, &i3_down, &i1_up, &i2_up}) {
    ASSERT_FALSE(value->name().empty());
    EXPECT_EQ(value->cycle(), q2.name());
    EXPECT_FALSE(value->evidence().rules().empty());
  }
  EXPECT_EQ(RuleOf(j2_out.evidence(), "LOW_COMPOSITE")->evidence(),
            absl::StrCat("composite 45 in ", q2.display_name(), " < 60; composite 50 in ", q1.display_name(), " < 60"));
  EXPECT_EQ(RuleOf(i1_up.evidence(), "FREE_SENIOR_SLOT")->evidence(),
            "no free senior slot in 龙游县: 2 seniors, cap 2");

  EXPECT_EQ(ApproveOk(j1_up.name()).state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(ApproveOk(i3_down.name()).state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(ApproveOk(j2_out.name()).state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(GetEmployee(j2.name()).separation_reason(), pv1::SEPARATION_REASON_ELIMINATED);
  // Both senior promotions wait: the better composite heads the line.
  EXPECT_EQ(ApproveOk(i2_up.name()).state(), cv1::Case::STATE_WAITING_FOR_SLOT);
  EXPECT_EQ(ApproveOk(i1_up.name()).state(), cv1::Case::STATE_WAITING_FOR_SLOT);
  std::vector<cv1::Case> line = Waitlist(county);
  ASSERT_EQ(line.size(), 2u);
  EXPECT_EQ(line[0].name(), i1_up.name());
  EXPECT_EQ(line[0].waitlist_position(), 1);
  EXPECT_EQ(line[1].name(), i2_up.name());
  EXPECT_EQ(line[1].waitlist_position(), 2);

  // ---- Third quarter: nothing new is due; the open cases are not proposed twice.
  scores.erase(j2.name());
  scores[i3.name()] = 70;
  scores[j1.name()] = 85;
  scores[i1.name()] = 96;
  scores[i2.name()] = 93;
  const ev1::Cycle q3 = FinalisedCycle(county, QuarterBefore(2), scores);
  review = Review(q3.name());
  EXPECT_EQ(review.reviewed_count(), 11);
  EXPECT_EQ(review.created_cases_size(), 0);

  // A senior leaves: N 10, cap 2, one slot. The head of the line takes it, not the second.
  ASSERT_THAT(EndEmployment(s2.name(), pv1::SEPARATION_REASON_RESIGNED), IsOk());
  line = Waitlist(county);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line[0].name(), i1_up.name());
  cv1::Case result = ApproveOk(i2_up.name());
  EXPECT_EQ(result.state(), cv1::Case::STATE_WAITING_FOR_SLOT);
  EXPECT_THAT(result.state_reason(), HasSubstr("better-placed"));
  result = ApproveOk(i1_up.name());
  EXPECT_EQ(result.state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(GetEmployee(i1.name()).level(), kSenior);
  result = ApproveOk(i2_up.name());
  EXPECT_EQ(result.state(), cv1::Case::STATE_WAITING_FOR_SLOT);
  EXPECT_EQ(result.waitlist_position(), 1);

  // ---- Fourth quarter: still nothing new.
  scores.erase(s2.name());
  const ev1::Cycle q4 = FinalisedCycle(county, QuarterBefore(1), scores);
  review = Review(q4.name());
  EXPECT_EQ(review.reviewed_count(), 10);
  EXPECT_EQ(review.created_cases_size(), 0);

  // ---- The year's record.
  cv1::ListCasesRequest all;
  all.set_county(county);
  std::vector<std::pair<std::string, cv1::Case::State>> states;
  for (const auto& value : ListAllCases(all)) states.emplace_back(value.name(), value.state());
  EXPECT_THAT(states, UnorderedElementsAre(std::make_pair(trial_case.name(), cv1::Case::STATE_APPLIED),
                                           std::make_pair(j1_up.name(), cv1::Case::STATE_APPLIED),
                                           std::make_pair(i3_down.name(), cv1::Case::STATE_APPLIED),
                                           std::make_pair(j2_out.name(), cv1::Case::STATE_APPLIED),
                                           std::make_pair(i1_up.name(), cv1::Case::STATE_APPLIED),
                                           std::make_pair(i2_up.name(), cv1::Case::STATE_WAITING_FOR_SLOT)));
  for (const auto& [employee, decision] :
       std::vector<std::pair<std::string, std::string>>{{t2.name(), trial_case.name()},
                                                        {j1.name(), j1_up.name()},
                                                        {i3.name(), i3_down.name()},
                                                        {j2.name(), j2_out.name()},
                                                        {i1.name(), i1_up.name()}}) {
    EXPECT_EQ(ChangesCarryingOut(employee, decision), 1) << decision;
  }
  for (const auto& change : History("employees/-", county)) {
    if (change.kind() == pv1::LevelChange::KIND_PROMOTION && change.to_level() == kSenior) {
      EXPECT_LE(change.to_county_counts().seniors(), change.to_county_counts().senior_cap()) << change.name();
    }
  }

  // The distribution at the end, by hand: seniors s1, i1; intermediates i2, j1; juniors
  // i3, three steady, t1, e1. N 10 → suggested 3/5/2: +3/−3/0, three people off the mix.
  cv1::GetDistributionReportRequest request;
  request.set_org_unit(county);
  cv1::DistributionReport report;
  ASSERT_THAT(CallCareer(&CareerStub::GetDistributionReport, request, &report), IsOk());
  ASSERT_EQ(report.counties_size(), 1);
  const auto& row = report.counties(0);
  EXPECT_EQ(row.display_name(), "龙游县");
  EXPECT_EQ(row.levelled_customer_managers(), 10);
  ASSERT_EQ(row.levels_size(), 3);
  EXPECT_EQ(row.levels(0).head_count(), 6);
  EXPECT_EQ(row.levels(1).head_count(), 2);
  EXPECT_EQ(row.levels(2).head_count(), 2);
  EXPECT_DOUBLE_EQ(row.levels(0).share_percent(), 60.0);
  EXPECT_DOUBLE_EQ(row.levels(1).share_percent(), 20.0);
  EXPECT_DOUBLE_EQ(row.levels(2).share_percent(), 20.0);
  EXPECT_EQ(row.levels(0).suggested_head_count(), 3);
  EXPECT_EQ(row.levels(1).suggested_head_count(), 5);
  EXPECT_EQ(row.levels(2).suggested_head_count(), 2);
  EXPECT_EQ(row.levels(0).deviation(), 3);
  EXPECT_EQ(row.levels(1).deviation(), -3);
  EXPECT_EQ(row.levels(2).deviation(), 0);
  EXPECT_EQ(row.senior_cap(), 2);
  EXPECT_EQ(row.free_senior_slots(), 0);
  EXPECT_FALSE(row.over_cap());
  EXPECT_EQ(row.distance_from_suggested(), 3);
}

}  // namespace
}  // namespace ladder::testing
