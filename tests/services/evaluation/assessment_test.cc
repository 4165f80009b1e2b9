// Entry assessments: the trial assessment of internal entrants and the written test and
// interview of external candidates (POLICY §4).

#include "tests/services/evaluation/evaluation_test_base.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;

class AssessmentTest : public EvaluationServiceTestBase {
 protected:
  ev1::RecordTrialAssessmentRequest TrialRequest(const std::string& employee, ev1::TrialAssessment::Outcome outcome,
                                                 double score) {
    ev1::RecordTrialAssessmentRequest request;
    ev1::TrialAssessment* assessment = request.mutable_trial_assessment();
    assessment->set_employee(employee);
    assessment->set_outcome(outcome);
    assessment->set_score(score);
    assessment->set_assessor("营业部张主任");
    *assessment->mutable_assessed_on() = MakeDate(2026, 5, 20);
    assessment->set_note("试岗期表现");
    return request;
  }

  ev1::RecordCandidateAssessmentRequest CandidateRequest(const std::string& employee, double written,
                                                         double interview) {
    ev1::RecordCandidateAssessmentRequest request;
    ev1::CandidateAssessment* assessment = request.mutable_candidate_assessment();
    assessment->set_employee(employee);
    assessment->set_written_test_score(written);
    assessment->set_interview_score(interview);
    assessment->set_assessor("人力资源部");
    *assessment->mutable_assessed_on() = MakeDate(2026, 5, 20);
    return request;
  }

  pv1::Employee OnTrial(const std::string& county) {
    return CreateEmployee(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_INTERNAL_RECRUITMENT);
  }
  pv1::Employee AwaitingLevel(const std::string& county) {
    return CreateEmployee(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT);
  }
};

TEST_F(AssessmentTest, RecordsGetsAndListsTrialAssessments) {
  const std::string county = CreateCounty();
  const pv1::Employee trainee = OnTrial(county);
  ASSERT_EQ(trainee.status(), pv1::EMPLOYMENT_STATUS_ON_TRIAL);

  ev1::TrialAssessment passed;
  ASSERT_THAT(Call(&EvalStub::RecordTrialAssessment,
                   TrialRequest(trainee.name(), ev1::TrialAssessment::OUTCOME_PASSED, 82.5), &passed),
              IsOk());
  EXPECT_TRUE(passed.name().rfind("trialAssessments/", 0) == 0) << passed.name();
  EXPECT_EQ(passed.employee(), trainee.name());
  EXPECT_EQ(passed.outcome(), ev1::TrialAssessment::OUTCOME_PASSED);
  EXPECT_EQ(passed.score(), 82.5);
  EXPECT_EQ(passed.assessor(), "营业部张主任");
  EXPECT_EQ(passed.assessed_on().day(), 20);
  EXPECT_EQ(passed.note(), "试岗期表现");
  EXPECT_TRUE(passed.has_create_time());

  ev1::GetTrialAssessmentRequest get;
  get.set_name(passed.name());
  ev1::TrialAssessment got;
  ASSERT_THAT(Call(&EvalStub::GetTrialAssessment, get, &got), IsOk());
  EXPECT_EQ(got.SerializeAsString(), passed.SerializeAsString());
  get.set_name("trialAssessments/987654");
  EXPECT_THAT(Call(&EvalStub::GetTrialAssessment, get, &got), FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  get.set_name("candidateAssessments/1");
  EXPECT_THAT(Call(&EvalStub::GetTrialAssessment, get, &got), RejectsField("name"));

  const pv1::Employee other = OnTrial(county);
  for (int i = 0; i < 3; ++i) {
    ev1::TrialAssessment another;
    ASSERT_THAT(Call(&EvalStub::RecordTrialAssessment,
                     TrialRequest(other.name(), ev1::TrialAssessment::OUTCOME_FAILED, 40 + i), &another),
                IsOk());
  }
  ev1::ListTrialAssessmentsRequest list;
  list.set_employee(other.name());
  list.set_page_size(2);
  std::vector<ev1::TrialAssessment> all;
  do {
    ev1::ListTrialAssessmentsResponse page;
    ASSERT_THAT(Call(&EvalStub::ListTrialAssessments, list, &page), IsOk());
    all.insert(all.end(), page.trial_assessments().begin(), page.trial_assessments().end());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  ASSERT_EQ(all.size(), 3u);
  for (const auto& assessment : all) EXPECT_EQ(assessment.employee(), other.name());
  EXPECT_EQ(all[0].score(), 40);
  EXPECT_EQ(all[2].score(), 42);

  ev1::ListTrialAssessmentsRequest everyone;
  everyone.set_page_size(1000);
  ev1::ListTrialAssessmentsResponse page;
  ASSERT_THAT(Call(&EvalStub::ListTrialAssessments, everyone, &page), IsOk());
  EXPECT_GE(page.trial_assessments_size(), 4);
}

TEST_F(AssessmentTest, TrialAssessmentRules) {
  const std::string county = CreateCounty();
  const pv1::Employee trainee = OnTrial(county);
  ev1::TrialAssessment result;
  const int64_t stored_before = *evaluation_database_->QueryInt("SELECT COUNT(*) FROM trial_assessments");

  // Only a customer manager on trial.
  const pv1::Employee levelled = CreateManagerAt(county, kJunior);
  EXPECT_THAT(Call(&EvalStub::RecordTrialAssessment,
                   TrialRequest(levelled.name(), ev1::TrialAssessment::OUTCOME_PASSED, 80), &result),
              FailsWith(StatusCode::FAILED_PRECONDITION, "NOT_ON_TRIAL"));
  EXPECT_THAT(Call(&EvalStub::RecordTrialAssessment,
                   TrialRequest(AwaitingLevel(county).name(), ev1::TrialAssessment::OUTCOME_PASSED, 80), &result),
              FailsWith(StatusCode::FAILED_PRECONDITION, "NOT_ON_TRIAL"));
  const pv1::Employee staff =
      CreateEmployee(county, pv1::ROLE_CUSTOMER_SERVICE_STAFF, pv1::ENTRY_CHANNEL_INTERNAL_RECRUITMENT);
  EXPECT_THAT(Call(&EvalStub::RecordTrialAssessment,
                   TrialRequest(staff.name(), ev1::TrialAssessment::OUTCOME_PASSED, 80), &result),
              FailsWith(StatusCode::FAILED_PRECONDITION, "NOT_ON_TRIAL"));
  EXPECT_THAT(Call(&EvalStub::RecordTrialAssessment,
                   TrialRequest("employees/987654", ev1::TrialAssessment::OUTCOME_PASSED, 80), &result),
              RejectsField("trial_assessment.employee"));

  ev1::RecordTrialAssessmentRequest request = TrialRequest(trainee.name(), ev1::TrialAssessment::OUTCOME_PASSED, 100.5);
  EXPECT_THAT(Call(&EvalStub::RecordTrialAssessment, request, &result), RejectsField("trial_assessment.score"));
  request = TrialRequest(trainee.name(), ev1::TrialAssessment::OUTCOME_UNSPECIFIED, 80);
  EXPECT_THAT(Call(&EvalStub::RecordTrialAssessment, request, &result), RejectsField("trial_assessment.outcome"));
  request = TrialRequest(trainee.name(), ev1::TrialAssessment::OUTCOME_PASSED, 80);
  *request.mutable_trial_assessment()->mutable_assessed_on() = MakeDate(2019, 12, 31);  // Before hire.
  EXPECT_THAT(Call(&EvalStub::RecordTrialAssessment, request, &result), RejectsField("trial_assessment.assessed_on"));
  *request.mutable_trial_assessment()->mutable_assessed_on() = MakeDate(2099, 1, 1);
  EXPECT_THAT(Call(&EvalStub::RecordTrialAssessment, request, &result), RejectsField("trial_assessment.assessed_on"));
  EXPECT_EQ(*evaluation_database_->QueryInt("SELECT COUNT(*) FROM trial_assessments"), stored_before);

  // Idempotent by request id.
  request = TrialRequest(trainee.name(), ev1::TrialAssessment::OUTCOME_PASSED, 80);
  request.set_request_id(Unique("trial-"));
  ev1::TrialAssessment first, second;
  ASSERT_THAT(Call(&EvalStub::RecordTrialAssessment, request, &first), IsOk());
  ASSERT_THAT(Call(&EvalStub::RecordTrialAssessment, request, &second), IsOk());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(*evaluation_database_->QueryInt("SELECT COUNT(*) FROM trial_assessments WHERE employee_id = " +
                                            IdOf(trainee.name())),
            1);
  request.mutable_trial_assessment()->set_score(81);
  EXPECT_THAT(Call(&EvalStub::RecordTrialAssessment, request, &second),
              FailsWith(StatusCode::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
}

TEST_F(AssessmentTest, CandidateTotalsUseThePolicyWeightsAndPassMark) {
  const std::string county = CreateCounty();
  struct Case {
    double written, interview, total;
    bool passed;
  };
  // total = 40 % written + 60 % interview; passes at 60.
  for (const Case& c : {Case{70, 55.5, 61.3, true}, Case{60, 60, 60, true}, Case{59.9, 60, 59.96, false},
                        Case{100, 0, 40, false}, Case{0, 100, 60, true}, Case{87.5, 92.5, 90.5, true}}) {
    const pv1::Employee candidate = AwaitingLevel(county);
    ev1::CandidateAssessment assessed;
    ASSERT_THAT(Call(&EvalStub::RecordCandidateAssessment, CandidateRequest(candidate.name(), c.written, c.interview),
                     &assessed),
                IsOk());
    SCOPED_TRACE(::testing::Message() << c.written << " / " << c.interview);
    EXPECT_DOUBLE_EQ(assessed.total(), c.total);
    EXPECT_EQ(assessed.passed(), c.passed);
    EXPECT_EQ(assessed.policy_version(), "1.1.0");
    EXPECT_EQ(assessed.written_test_score(), c.written);
    EXPECT_EQ(assessed.interview_score(), c.interview);
    EXPECT_EQ(assessed.employee(), candidate.name());
    EXPECT_TRUE(assessed.name().rfind("candidateAssessments/", 0) == 0) << assessed.name();

    ev1::GetCandidateAssessmentRequest get;
    get.set_name(assessed.name());
    ev1::CandidateAssessment got;
    ASSERT_THAT(Call(&EvalStub::GetCandidateAssessment, get, &got), IsOk());
    EXPECT_EQ(got.SerializeAsString(), assessed.SerializeAsString());

    ev1::ListCandidateAssessmentsRequest list;
    list.set_employee(candidate.name());
    ev1::ListCandidateAssessmentsResponse page;
    ASSERT_THAT(Call(&EvalStub::ListCandidateAssessments, list, &page), IsOk());
    ASSERT_EQ(page.candidate_assessments_size(), 1);
    EXPECT_EQ(page.candidate_assessments(0).SerializeAsString(), assessed.SerializeAsString());
  }

  // Output-only fields sent by the caller are ignored.
  ev1::RecordCandidateAssessmentRequest request = CandidateRequest(AwaitingLevel(county).name(), 50, 50);
  request.mutable_candidate_assessment()->set_total(99);
  request.mutable_candidate_assessment()->set_passed(true);
  request.mutable_candidate_assessment()->set_policy_version("0.0.1");
  ev1::CandidateAssessment assessed;
  ASSERT_THAT(Call(&EvalStub::RecordCandidateAssessment, request, &assessed), IsOk());
  EXPECT_DOUBLE_EQ(assessed.total(), 50);
  EXPECT_FALSE(assessed.passed());
  EXPECT_EQ(assessed.policy_version(), "1.1.0");

  const int64_t stored = *evaluation_database_->QueryInt("SELECT COUNT(*) FROM candidate_assessments");
  EXPECT_GE(stored, 7);
  ev1::ListCandidateAssessmentsRequest list;
  list.set_page_size(3);
  int count = 0;
  do {
    ev1::ListCandidateAssessmentsResponse page;
    ASSERT_THAT(Call(&EvalStub::ListCandidateAssessments, list, &page), IsOk());
    count += page.candidate_assessments_size();
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(count, stored);
}

TEST_F(AssessmentTest, CandidateAssessmentRules) {
  const std::string county = CreateCounty();
  ev1::CandidateAssessment result;
  const int64_t stored_before = *evaluation_database_->QueryInt("SELECT COUNT(*) FROM candidate_assessments");
  EXPECT_THAT(Call(&EvalStub::RecordCandidateAssessment, CandidateRequest(OnTrial(county).name(), 70, 70), &result),
              FailsWith(StatusCode::FAILED_PRECONDITION, "NOT_AWAITING_LEVEL"));
  EXPECT_THAT(Call(&EvalStub::RecordCandidateAssessment,
                   CandidateRequest(CreateManagerAt(county, kJunior).name(), 70, 70), &result),
              FailsWith(StatusCode::FAILED_PRECONDITION, "NOT_AWAITING_LEVEL"));
  EXPECT_THAT(Call(&EvalStub::RecordCandidateAssessment, CandidateRequest("employees/987654", 70, 70), &result),
              RejectsField("candidate_assessment.employee"));

  const pv1::Employee candidate = AwaitingLevel(county);
  EXPECT_THAT(Call(&EvalStub::RecordCandidateAssessment, CandidateRequest(candidate.name(), 101, 70), &result),
              RejectsField("candidate_assessment.written_test_score"));
  EXPECT_THAT(Call(&EvalStub::RecordCandidateAssessment, CandidateRequest(candidate.name(), 70, 69.95), &result),
              RejectsField("candidate_assessment.interview_score"));
  ev1::RecordCandidateAssessmentRequest request = CandidateRequest(candidate.name(), 70, 70);
  request.mutable_candidate_assessment()->set_assessor("");
  EXPECT_THAT(Call(&EvalStub::RecordCandidateAssessment, request, &result),
              RejectsField("candidate_assessment.assessor"));
  // No policy was in force before 2026-01-01: the day is named, not a bare failure.
  request = CandidateRequest(candidate.name(), 70, 70);
  *request.mutable_candidate_assessment()->mutable_assessed_on() = MakeDate(2025, 12, 31);
  EXPECT_THAT(Call(&EvalStub::RecordCandidateAssessment, request, &result),
              RejectsField("candidate_assessment.assessed_on"));
  EXPECT_EQ(*evaluation_database_->QueryInt("SELECT COUNT(*) FROM candidate_assessments"), stored_before);

  ev1::GetCandidateAssessmentRequest get;
  get.set_name("candidateAssessments/987654");
  EXPECT_THAT(Call(&EvalStub::GetCandidateAssessment, get, &result),
              FailsWith(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"));
  ev1::ListCandidateAssessmentsRequest list;
  list.set_employee("orgUnits/1");
  ev1::ListCandidateAssessmentsResponse page;
  EXPECT_THAT(Call(&EvalStub::ListCandidateAssessments, list, &page), RejectsField("employee"));
}

}  // namespace
}  // namespace ladder::testing
