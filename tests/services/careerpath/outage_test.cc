// When evaluation or personnel cannot be reached, calls that need them fail with
// UNAVAILABLE and change no case; what careerpath holds itself is still served.

#include "gmock/gmock.h"
#include "tests/services/careerpath/careerpath_test_base.h"

namespace ladder::testing {
namespace {

using grpc::StatusCode;

class UpstreamOutageTest : public CareerPathServiceTestBase {};

TEST_F(UpstreamOutageTest, UnavailableAndTheCaseUnchanged) {
  const std::string county = CreateNamedCounty("柯城区");
  const pv1::Employee rising = ManagerMonthsAtLevel(county, kJunior, 14);
  const pv1::Employee trainee =
      CreateEmployee(county, pv1::ROLE_CUSTOMER_MANAGER, pv1::ENTRY_CHANNEL_EXTERNAL_RECRUITMENT);
  FinalisedCycle(county, QuarterBefore(2), {{rising.name(), 90}});
  const ev1::Cycle cycle = FinalisedCycle(county, QuarterBefore(1), {{rising.name(), 91}});
  const cv1::ReviewCycleResponse review = Review(cycle.name());
  ASSERT_EQ(review.created_cases_size(), 1);
  const cv1::Case& proposed = review.created_cases(0);

  // ---- Evaluation down.
  StopEvaluation();
  cv1::ReviewCycleRequest again;
  again.set_cycle(cycle.name());
  cv1::ReviewCycleResponse reviewed;
  EXPECT_THAT(CallCareer(&CareerStub::ReviewCycle, again, &reviewed),
              FailsWith(StatusCode::UNAVAILABLE, "EVALUATION_UNAVAILABLE"));
  cv1::Case result;
  EXPECT_THAT(Approve(proposed.name(), &result, "approve-during-outage"),
              FailsWith(StatusCode::UNAVAILABLE, "EVALUATION_UNAVAILABLE"));
  EXPECT_EQ(GetCase(proposed.name()).SerializeAsString(), proposed.SerializeAsString());
  cv1::CheckEligibilityRequest check;
  check.set_employee(rising.name());
  check.set_target(cv1::TARGET_PROMOTION);
  cv1::Eligibility eligibility;
  EXPECT_THAT(CallCareer(&CareerStub::CheckEligibility, check, &eligibility),
              FailsWith(StatusCode::UNAVAILABLE, "EVALUATION_UNAVAILABLE"));
  cv1::AssignInitialLevelRequest assign;
  assign.set_employee(trainee.name());
  cv1::AssignInitialLevelResponse assigned;
  EXPECT_THAT(CallCareer(&CareerStub::AssignInitialLevel, assign, &assigned),
              FailsWith(StatusCode::UNAVAILABLE, "EVALUATION_UNAVAILABLE"));
  EXPECT_EQ(GetEmployee(rising.name()).level(), kJunior);

  // ---- Personnel down too.
  StopPersonnel();
  EXPECT_THAT(Approve(proposed.name(), &result, "approve-during-outage"),
              FailsWith(StatusCode::UNAVAILABLE, "PERSONNEL_UNAVAILABLE"));
  EXPECT_THAT(Approve(proposed.name(), &result), FailsWith(StatusCode::UNAVAILABLE, "PERSONNEL_UNAVAILABLE"));
  cv1::NominateCareerMoveRequest nominate;
  nominate.set_employee(rising.name());
  nominate.set_target(common::v1::CAREER_MOVE_TARGET_OTHER_POST);
  nominate.set_reason("x");
  EXPECT_THAT(CallCareer(&CareerStub::NominateCareerMove, nominate, &result),
              FailsWith(StatusCode::UNAVAILABLE, "PERSONNEL_UNAVAILABLE"));
  cv1::GetDistributionReportRequest report_request;
  report_request.set_org_unit(county);
  cv1::DistributionReport report;
  EXPECT_THAT(CallCareer(&CareerStub::GetDistributionReport, report_request, &report),
              FailsWith(StatusCode::UNAVAILABLE, "PERSONNEL_UNAVAILABLE"));
  EXPECT_THAT(CallCareer(&CareerStub::AssignInitialLevel, assign, &assigned),
              FailsWith(StatusCode::UNAVAILABLE, "PERSONNEL_UNAVAILABLE"));

  // Careerpath's own data is still served, and the case has not moved.
  EXPECT_EQ(GetCase(proposed.name()).SerializeAsString(), proposed.SerializeAsString());
  cv1::ListCasesRequest list;
  list.set_county(county);
  EXPECT_EQ(ListAllCases(list).size(), 1u);
  // Rejecting needs neither service.
  ASSERT_THAT(Reject(proposed.name(), "decided while the other services were down", &result), IsOk());
  EXPECT_EQ(result.state(), cv1::Case::STATE_REJECTED);
  common::v1::Policy policy;
  EXPECT_THAT(CallCareer(&CareerStub::GetPolicy, cv1::GetPolicyRequest(), &policy), IsOk());
}

}  // namespace
}  // namespace ladder::testing
