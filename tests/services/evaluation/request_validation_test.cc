#include "services/evaluation/request_validation.h"

#include <string>

#include "common/status/errors.h"
#include "common/time/dates.h"
#include "gtest/gtest.h"

namespace ladder::evaluation {
namespace {

using absl::CivilDay;

google::type::Date MakeDate(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

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

constexpr CivilDay kToday(2026, 6, 15);

void AddIndicator(ev1::Scorecard* scorecard, const std::string& key, int weight) {
  auto* indicator = scorecard->add_indicators();
  indicator->set_key(key);
  indicator->set_display_name(key);
  indicator->set_weight_percent(weight);
}

ev1::CreateScorecardRequest GoodScorecard() {
  ev1::CreateScorecardRequest request;
  request.set_request_id("sc-1");
  request.mutable_scorecard()->set_display_name("2026 年度考核表");
  AddIndicator(request.mutable_scorecard(), "business_results", 60);
  AddIndicator(request.mutable_scorecard(), "satisfaction", 40);
  return request;
}

// ---------------------------------------------------------------- scorecards

TEST(ScorecardValidationTest, CreateChecksNameIndicatorsAndRequestId) {
  EXPECT_VALID(ValidateCreateScorecard(GoodScorecard()));

  ev1::CreateScorecardRequest request = GoodScorecard();
  request.clear_scorecard();
  EXPECT_INVALID_FIELD(ValidateCreateScorecard(request), "scorecard");

  request = GoodScorecard();
  request.mutable_scorecard()->set_display_name("");
  EXPECT_INVALID_FIELD(ValidateCreateScorecard(request), "scorecard.display_name");
  request.mutable_scorecard()->set_display_name(std::string(101, 'x'));
  EXPECT_INVALID_FIELD(ValidateCreateScorecard(request), "scorecard.display_name");

  request = GoodScorecard();
  request.mutable_scorecard()->mutable_indicators(1)->set_weight_percent(30);
  EXPECT_INVALID_FIELD(ValidateCreateScorecard(request), "scorecard.indicators[].weight_percent");

  request = GoodScorecard();
  request.mutable_scorecard()->clear_indicators();
  EXPECT_INVALID_FIELD(ValidateCreateScorecard(request), "scorecard.indicators");

  request = GoodScorecard();
  request.set_request_id(std::string(65, 'a'));
  EXPECT_INVALID_FIELD(ValidateCreateScorecard(request), "request_id");
  request.set_request_id("has space");
  EXPECT_INVALID_FIELD(ValidateCreateScorecard(request), "request_id");
}

TEST(ScorecardValidationTest, UpdateChecksOnlyMaskedFields) {
  ev1::UpdateScorecardRequest request;
  request.mutable_scorecard()->set_name("scorecards/3");
  request.mutable_scorecard()->set_display_name("新名称");
  request.mutable_update_mask()->add_paths("display_name");
  // Indicators are not in the mask: they are neither checked nor written.
  EXPECT_VALID(ValidateUpdateScorecard(request));

  request.mutable_update_mask()->add_paths("indicators");
  EXPECT_INVALID_FIELD(ValidateUpdateScorecard(request), "scorecard.indicators");
  AddIndicator(request.mutable_scorecard(), "a", 100);
  EXPECT_VALID(ValidateUpdateScorecard(request));

  // An empty mask means both.
  request.clear_update_mask();
  request.mutable_scorecard()->set_display_name("");
  EXPECT_INVALID_FIELD(ValidateUpdateScorecard(request), "scorecard.display_name");

  request.mutable_scorecard()->set_display_name("ok");
  request.mutable_update_mask()->add_paths("in_use");
  EXPECT_INVALID_FIELD(ValidateUpdateScorecard(request), "update_mask");

  request.clear_update_mask();
  request.mutable_scorecard()->set_name("cycles/3");
  EXPECT_INVALID_FIELD(ValidateUpdateScorecard(request), "scorecard.name");
  request.clear_scorecard();
  EXPECT_INVALID_FIELD(ValidateUpdateScorecard(request), "scorecard");
}

// ---------------------------------------------------------------- cycles

ev1::CreateCycleRequest GoodCycle() {
  ev1::CreateCycleRequest request;
  ev1::Cycle* cycle = request.mutable_cycle();
  cycle->set_display_name("2026年第二季度");
  cycle->set_period(ev1::Cycle::PERIOD_QUARTERLY);
  *cycle->mutable_start_date() = MakeDate(2026, 4, 1);
  *cycle->mutable_end_date() = MakeDate(2026, 6, 30);
  cycle->set_scorecard("scorecards/1");
  cycle->set_scope("orgUnits/2");
  return request;
}

TEST(CycleValidationTest, CreateChecksEveryField) {
  EXPECT_VALID(ValidateCreateCycle(GoodCycle()));

  ev1::CreateCycleRequest request = GoodCycle();
  request.clear_cycle();
  EXPECT_INVALID_FIELD(ValidateCreateCycle(request), "cycle");

  request = GoodCycle();
  request.mutable_cycle()->set_display_name("");
  EXPECT_INVALID_FIELD(ValidateCreateCycle(request), "cycle.display_name");

  request = GoodCycle();
  request.mutable_cycle()->set_period(ev1::Cycle::PERIOD_UNSPECIFIED);
  EXPECT_INVALID_FIELD(ValidateCreateCycle(request), "cycle.period");
  request.mutable_cycle()->set_period(static_cast<ev1::Cycle::Period>(42));
  EXPECT_INVALID_FIELD(ValidateCreateCycle(request), "cycle.period");

  request = GoodCycle();
  request.mutable_cycle()->clear_start_date();
  EXPECT_INVALID_FIELD(ValidateCreateCycle(request), "cycle.start_date");
  request = GoodCycle();
  *request.mutable_cycle()->mutable_end_date() = MakeDate(2026, 2, 30);
  EXPECT_INVALID_FIELD(ValidateCreateCycle(request), "cycle.end_date");
  request = GoodCycle();
  *request.mutable_cycle()->mutable_end_date() = MakeDate(2026, 3, 31);
  EXPECT_INVALID_FIELD(ValidateCreateCycle(request), "cycle.end_date");
  // A one-day period is fine.
  *request.mutable_cycle()->mutable_end_date() = MakeDate(2026, 4, 1);
  EXPECT_VALID(ValidateCreateCycle(request));

  request = GoodCycle();
  request.mutable_cycle()->set_scorecard("");
  EXPECT_INVALID_FIELD(ValidateCreateCycle(request), "cycle.scorecard");
  request.mutable_cycle()->set_scorecard("scorecards/x");
  EXPECT_INVALID_FIELD(ValidateCreateCycle(request), "cycle.scorecard");

  request = GoodCycle();
  request.mutable_cycle()->set_scope("teams/2");
  EXPECT_INVALID_FIELD(ValidateCreateCycle(request), "cycle.scope");

  request = GoodCycle();
  request.set_request_id(std::string(65, 'r'));
  EXPECT_INVALID_FIELD(ValidateCreateCycle(request), "request_id");
}

// ---------------------------------------------------------------- evaluation names and rechecks

TEST(EvaluationNameTest, ParsesCycleAndEmployee) {
  absl::StatusOr<std::pair<int64_t, int64_t>> parsed = ParseEvaluationName("cycles/12/evaluations/345", "name");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->first, 12);
  EXPECT_EQ(parsed->second, 345);
  for (const char* bad : {"", "cycles/12", "cycles/12/evaluations", "cycles/12/evaluations/", "cycles/12/scores/345",
                          "cycles/x/evaluations/345", "cycles/12/evaluations/x", "cycles/0/evaluations/1",
                          "cycles/1/evaluations/-1", "scorecards/1/evaluations/2", "cycles/1/evaluations/2/extra"}) {
    SCOPED_TRACE(bad);
    EXPECT_INVALID_FIELD(ParseEvaluationName(bad, "name").status(), "name");
  }
}

TEST(RecheckValidationTest, FlagNeedsReasonAndResolveNeedsResolution) {
  ev1::FlagForRecheckRequest flag;
  flag.set_name("cycles/1/evaluations/2");
  flag.set_reason("录音显示服务用语不规范");
  EXPECT_VALID(ValidateFlagForRecheck(flag));
  flag.set_reason("");
  EXPECT_INVALID_FIELD(ValidateFlagForRecheck(flag), "reason");
  flag.set_reason(std::string(501, 'r'));
  EXPECT_INVALID_FIELD(ValidateFlagForRecheck(flag), "reason");
  flag.set_reason("ok");
  flag.set_name("cycles/1");
  EXPECT_INVALID_FIELD(ValidateFlagForRecheck(flag), "name");

  ev1::ResolveRecheckRequest resolve;
  resolve.set_name("cycles/1/evaluations/2");
  resolve.set_resolution("复核无误");
  EXPECT_VALID(ValidateResolveRecheck(resolve));
  resolve.set_resolution("");
  EXPECT_INVALID_FIELD(ValidateResolveRecheck(resolve), "resolution");
  resolve.set_resolution("ok");
  resolve.set_request_id("bad id");
  EXPECT_INVALID_FIELD(ValidateResolveRecheck(resolve), "request_id");
}

// ---------------------------------------------------------------- entry assessments

ev1::RecordTrialAssessmentRequest GoodTrial() {
  ev1::RecordTrialAssessmentRequest request;
  ev1::TrialAssessment* assessment = request.mutable_trial_assessment();
  assessment->set_employee("employees/5");
  assessment->set_outcome(ev1::TrialAssessment::OUTCOME_PASSED);
  assessment->set_score(82.5);
  assessment->set_assessor("张主任");
  *assessment->mutable_assessed_on() = MakeDate(2026, 6, 15);
  return request;
}

TEST(TrialAssessmentValidationTest, ChecksEveryField) {
  EXPECT_VALID(ValidateTrialAssessment(GoodTrial(), kToday));

  ev1::RecordTrialAssessmentRequest request = GoodTrial();
  request.clear_trial_assessment();
  EXPECT_INVALID_FIELD(ValidateTrialAssessment(request, kToday), "trial_assessment");

  request = GoodTrial();
  request.mutable_trial_assessment()->set_employee("orgUnits/5");
  EXPECT_INVALID_FIELD(ValidateTrialAssessment(request, kToday), "trial_assessment.employee");

  request = GoodTrial();
  request.mutable_trial_assessment()->set_outcome(ev1::TrialAssessment::OUTCOME_UNSPECIFIED);
  EXPECT_INVALID_FIELD(ValidateTrialAssessment(request, kToday), "trial_assessment.outcome");
  request.mutable_trial_assessment()->set_outcome(static_cast<ev1::TrialAssessment::Outcome>(7));
  EXPECT_INVALID_FIELD(ValidateTrialAssessment(request, kToday), "trial_assessment.outcome");

  request = GoodTrial();
  for (double bad : {-0.1, 100.1, 82.55}) {
    request.mutable_trial_assessment()->set_score(bad);
    SCOPED_TRACE(bad);
    EXPECT_INVALID_FIELD(ValidateTrialAssessment(request, kToday), "trial_assessment.score");
  }

  request = GoodTrial();
  request.mutable_trial_assessment()->set_assessor("");
  EXPECT_INVALID_FIELD(ValidateTrialAssessment(request, kToday), "trial_assessment.assessor");

  request = GoodTrial();
  request.mutable_trial_assessment()->clear_assessed_on();
  EXPECT_INVALID_FIELD(ValidateTrialAssessment(request, kToday), "trial_assessment.assessed_on");
  *request.mutable_trial_assessment()->mutable_assessed_on() = MakeDate(2026, 6, 16);
  EXPECT_INVALID_FIELD(ValidateTrialAssessment(request, kToday), "trial_assessment.assessed_on");

  request = GoodTrial();
  request.mutable_trial_assessment()->set_note(std::string(501, 'n'));
  EXPECT_INVALID_FIELD(ValidateTrialAssessment(request, kToday), "trial_assessment.note");
}

ev1::RecordCandidateAssessmentRequest GoodCandidate() {
  ev1::RecordCandidateAssessmentRequest request;
  ev1::CandidateAssessment* assessment = request.mutable_candidate_assessment();
  assessment->set_employee("employees/9");
  assessment->set_written_test_score(70);
  assessment->set_interview_score(55.5);
  assessment->set_assessor("人力资源部");
  *assessment->mutable_assessed_on() = MakeDate(2026, 6, 1);
  return request;
}

TEST(CandidateAssessmentValidationTest, ChecksEveryField) {
  EXPECT_VALID(ValidateCandidateAssessment(GoodCandidate(), kToday));

  ev1::RecordCandidateAssessmentRequest request = GoodCandidate();
  request.clear_candidate_assessment();
  EXPECT_INVALID_FIELD(ValidateCandidateAssessment(request, kToday), "candidate_assessment");

  request = GoodCandidate();
  request.mutable_candidate_assessment()->set_employee("");
  EXPECT_INVALID_FIELD(ValidateCandidateAssessment(request, kToday), "candidate_assessment.employee");

  request = GoodCandidate();
  request.mutable_candidate_assessment()->set_written_test_score(100.5);
  EXPECT_INVALID_FIELD(ValidateCandidateAssessment(request, kToday), "candidate_assessment.written_test_score");
  request = GoodCandidate();
  request.mutable_candidate_assessment()->set_interview_score(-1);
  EXPECT_INVALID_FIELD(ValidateCandidateAssessment(request, kToday), "candidate_assessment.interview_score");

  request = GoodCandidate();
  request.mutable_candidate_assessment()->set_assessor(std::string(101, 'a'));
  EXPECT_INVALID_FIELD(ValidateCandidateAssessment(request, kToday), "candidate_assessment.assessor");

  request = GoodCandidate();
  *request.mutable_candidate_assessment()->mutable_assessed_on() = MakeDate(2027, 1, 1);
  EXPECT_INVALID_FIELD(ValidateCandidateAssessment(request, kToday), "candidate_assessment.assessed_on");

  request = GoodCandidate();
  request.set_request_id(std::string("nul\0", 4));
  EXPECT_INVALID_FIELD(ValidateCandidateAssessment(request, kToday), "request_id");
}

}  // namespace
}  // namespace ladder::evaluation
