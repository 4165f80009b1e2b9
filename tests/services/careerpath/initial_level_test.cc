// AssignInitialLevel (POLICY §4): internal entrants after a passed trial, external hires
// after a passed candidate assessment, each at the policy's initial level; a failed trial
// makes an elimination case instead.

#include "gmock/gmock.h"
#include "tests/services/careerpath/careerpath_test_base.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;
using ::testing::HasSubstr;

class InitialLevelTest : public CareerPathServiceTestBase {
 protected:
  pv1::Employee OnTrial(const std::string& county, google::type::Date hired = MakeDate(2020, 3, 1)) {
    pv1::CreateEmployeeRequest request;
    pv1::Employee* employee = request.mutable_employee();
    employee->set_employee_number(Unique("T"));
    employee->set_display_name("试岗员工");
    employee->set_county(county);
    employee->set_role(pv1::ROLE_CUSTOMER_MANAGER);
    employee->set_entry_channel(pv1::ENTRY_CHANNEL_INTERNAL_RECRUITMENT);
    *employee->mutable_hire_date() = hired;
    pv1::Employee created;
    EXPECT_THAT(CallPeople(&PeopleStub::CreateEmployee, request, &created), IsOk());
    EXPECT_EQ(created.status(), pv1::EMPLOYMENT_STATUS_ON_TRIAL);
    return created;
  }

  void RecordTrial(const std::string& employee, ev1::TrialAssessment::Outcome outcome, double score) {
    ev1::RecordTrialAssessmentRequest request;
    ev1::TrialAssessment* assessment = request.mutable_trial_assessment();
    assessment->set_employee(employee);
    assessment->set_outcome(outcome);
    assessment->set_score(score);
    assessment->set_assessor("营业部张主任");
    *assessment->mutable_assessed_on() = ToDate(TodayInBranch());
    ev1::TrialAssessment created;
    EXPECT_THAT(Call(&EvalStub::RecordTrialAssessment, request, &created), IsOk());
  }

  void RecordCandidate(const std::string& employee, double written, double interview) {
    ev1::RecordCandidateAssessmentRequest request;
    ev1::CandidateAssessment* assessment = request.mutable_candidate_assessment();
    assessment->set_employee(employee);
    assessment->set_written_test_score(written);
    assessment->set_interview_score(interview);
    assessment->set_assessor("人力资源部");
    *assessment->mutable_assessed_on() = ToDate(TodayInBranch());
    ev1::CandidateAssessment created;
    EXPECT_THAT(Call(&EvalStub::RecordCandidateAssessment, request, &created), IsOk());
  }

  grpc::Status Assign(const std::string& employee, cv1::AssignInitialLevelResponse* response,
                      const std::string& request_id = "") {
    cv1::AssignInitialLevelRequest request;
    request.set_employee(employee);
    request.set_request_id(request_id);
    return CallCareer(&CareerStub::AssignInitialLevel, request, response);
  }
};

TEST_F(InitialLevelTest, PassedTrialGivesTheInitialLevel) {
  const std::string county = CreateCounty();
  const pv1::Employee trainee = OnTrial(county);
  RecordTrial(trainee.name(), ev1::TrialAssessment::OUTCOME_PASSED, 81);

  cv1::AssignInitialLevelResponse response;
  ASSERT_THAT(Assign(trainee.name(), &response, "assign-1"), IsOk());
  EXPECT_EQ(response.employee().name(), trainee.name());
  EXPECT_EQ(response.employee().level(), kJunior);
  EXPECT_EQ(response.employee().status(), pv1::EMPLOYMENT_STATUS_ACTIVE);
  EXPECT_FALSE(response.has_elimination_case());

  const auto history = History(trainee.name());
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].kind(), pv1::LevelChange::KIND_INITIAL_LEVEL);
  EXPECT_EQ(history[0].to_level(), kJunior);
  EXPECT_EQ(history[0].policy_version(), "1.1.0");
  EXPECT_THAT(history[0].reason(), HasSubstr("trial assessment"));

  // Once levelled, there is no initial level to set again.
  cv1::AssignInitialLevelResponse refused;
  EXPECT_THAT(Assign(trainee.name(), &refused), FailsWith(StatusCode::FAILED_PRECONDITION, "ALREADY_LEVELLED"));
  EXPECT_EQ(History(trainee.name()).size(), 1u);

  // A retry of the request gets its answer; the same id for another person is refused.
  cv1::AssignInitialLevelResponse retried;
  ASSERT_THAT(Assign(trainee.name(), &retried, "assign-1"), IsOk());
  EXPECT_EQ(retried.SerializeAsString(), response.SerializeAsString());
  const pv1::Employee other = OnTrial(county);
  RecordTrial(other.name(), ev1::TrialAssessment::OUTCOME_PASSED, 90);
  EXPECT_THAT(Assign(other.name(), &retried, "assign-1"), FailsWith(StatusCode::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
  EXPECT_EQ(GetEmployee(other.name()).status(), pv1::EMPLOYMENT_STATUS_ON_TRIAL);
  EXPECT_EQ(History(trainee.name()).size(), 1u);
}

TEST_F(InitialLevelTest, PassedCandidateAssessmentGivesTheInitialLevel) {
  const std::string county = CreateCounty();
  const pv1::Employee hire = CreateEmployee(county);
  ASSERT_EQ(hire.status(), pv1::EMPLOYMENT_STATUS_AWAITING_LEVEL);

  cv1::AssignInitialLevelResponse response;
  EXPECT_THAT(Assign(hire.name(), &response), FailsWith(StatusCode::FAILED_PRECONDITION, "NO_ASSESSMENT"));
  RecordCandidate(hire.name(), 50, 60);  // 0.4 × 50 + 0.6 × 60 = 56 < 60
  EXPECT_THAT(Assign(hire.name(), &response), FailsWith(StatusCode::FAILED_PRECONDITION, "ASSESSMENT_NOT_PASSED"));
  EXPECT_EQ(GetEmployee(hire.name()).status(), pv1::EMPLOYMENT_STATUS_AWAITING_LEVEL);

  RecordCandidate(hire.name(), 70, 80);  // 76: the latest assessment counts
  ASSERT_THAT(Assign(hire.name(), &response), IsOk());
  EXPECT_EQ(response.employee().level(), kJunior);
  EXPECT_EQ(response.employee().post_grade(), 6);
  EXPECT_EQ(History(hire.name()).size(), 1u);
}

TEST_F(InitialLevelTest, FailedTrialMakesAnEliminationCase) {
  const std::string county = CreateCounty();
  const pv1::Employee trainee = OnTrial(county);
  RecordTrial(trainee.name(), ev1::TrialAssessment::OUTCOME_FAILED, 42);

  cv1::AssignInitialLevelResponse response;
  ASSERT_THAT(Assign(trainee.name(), &response), IsOk());
  EXPECT_EQ(response.employee().status(), pv1::EMPLOYMENT_STATUS_ON_TRIAL);
  ASSERT_TRUE(response.has_elimination_case());
  const cv1::Case& made = response.elimination_case();
  EXPECT_EQ(made.kind(), cv1::Case::KIND_ELIMINATION);
  EXPECT_EQ(made.employee(), trainee.name());
  EXPECT_EQ(made.county(), county);
  EXPECT_EQ(made.state(), cv1::Case::STATE_PROPOSED);
  EXPECT_EQ(made.policy_version(), "1.1.0");
  EXPECT_EQ(made.proposed_by(), "user:hr-wang");
  EXPECT_TRUE(made.cycle().empty());
  EXPECT_TRUE(made.evidence().eligible());
  ASSERT_EQ(made.evidence().rules_size(), 2);
  EXPECT_EQ(made.evidence().rules(0).rule(), "ON_TRIAL");
  EXPECT_EQ(made.evidence().rules(1).rule(), "TRIAL_FAILED");
  EXPECT_THAT(made.evidence().rules(1).evidence(), HasSubstr("OUTCOME_FAILED, score 42"));

  // Asking again finds the same case.
  cv1::AssignInitialLevelResponse again;
  ASSERT_THAT(Assign(trainee.name(), &again), IsOk());
  EXPECT_EQ(again.elimination_case().name(), made.name());

  // Approved, it ends the assignment: separated for a failed trial, once.
  cv1::Case applied;
  ASSERT_THAT(Approve(made.name(), &applied), IsOk());
  EXPECT_EQ(applied.state(), cv1::Case::STATE_APPLIED);
  EXPECT_EQ(applied.decided_by(), "user:hr-wang");
  EXPECT_TRUE(applied.has_apply_time());
  const pv1::Employee after = GetEmployee(trainee.name());
  EXPECT_EQ(after.status(), pv1::EMPLOYMENT_STATUS_SEPARATED);
  EXPECT_EQ(after.separation_reason(), pv1::SEPARATION_REASON_TRIAL_FAILED);
  EXPECT_EQ(ChangesCarryingOut(trainee.name(), made.name()), 1);
  EXPECT_THAT(Approve(made.name(), &applied), FailsWith(StatusCode::FAILED_PRECONDITION, "CASE_ALREADY_APPLIED"));
  EXPECT_EQ(ChangesCarryingOut(trainee.name(), made.name()), 1);
}

TEST_F(InitialLevelTest, RefusalsNameTheRule) {
  const std::string county = CreateCounty();
  cv1::AssignInitialLevelResponse response;

  // The trial still running: hired a month ago, two months' trial.
  const absl::CivilDay month_ago = AddMonths(TodayInBranch(), -1);
  const pv1::Employee trainee = OnTrial(county, ToDate(month_ago));
  RecordTrial(trainee.name(), ev1::TrialAssessment::OUTCOME_PASSED, 90);
  EXPECT_THAT(Assign(trainee.name(), &response), FailsWith(StatusCode::FAILED_PRECONDITION, "TRIAL_NOT_OVER"));

  // The trial over, but not assessed.
  const pv1::Employee unassessed = OnTrial(county);
  EXPECT_THAT(Assign(unassessed.name(), &response), FailsWith(StatusCode::FAILED_PRECONDITION, "NO_ASSESSMENT"));

  const pv1::Employee staff = CreateEmployee(county, pv1::ROLE_CUSTOMER_SERVICE_STAFF);
  EXPECT_THAT(Assign(staff.name(), &response), FailsWith(StatusCode::FAILED_PRECONDITION, "NOT_A_CUSTOMER_MANAGER"));

  const pv1::Employee levelled = ManagerMonthsAtLevel(county, kJunior, 5);
  EXPECT_THAT(Assign(levelled.name(), &response), FailsWith(StatusCode::FAILED_PRECONDITION, "ALREADY_LEVELLED"));

  const pv1::Employee gone = CreateEmployee(county);
  ASSERT_THAT(EndEmployment(gone.name(), pv1::SEPARATION_REASON_RESIGNED), IsOk());
  EXPECT_THAT(Assign(gone.name(), &response), FailsWith(StatusCode::FAILED_PRECONDITION, "EMPLOYEE_SEPARATED"));

  EXPECT_THAT(Assign("", &response), RejectsField("employee"));
  EXPECT_THAT(Assign("orgUnits/1", &response), RejectsField("employee"));
  EXPECT_THAT(Assign("employees/987654", &response), RejectsField("employee"));
  EXPECT_THAT(Assign(levelled.name(), &response, std::string(65, 'x')), RejectsField("request_id"));

  // Nothing was levelled by any of these.
  for (const auto* employee : {&trainee, &unassessed, &gone}) {
    EXPECT_EQ(GetEmployee(employee->name()).level(), Level::LEVEL_UNSPECIFIED) << employee->name();
  }
}

}  // namespace
}  // namespace ladder::testing
