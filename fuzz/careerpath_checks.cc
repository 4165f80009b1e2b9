// The CareerPathService validators (services/careerpath/request_validation.h) and the text
// fields each of them checks.

#include "fuzz/service_checks.h"
#include "services/careerpath/request_validation.h"

namespace ladder::fuzz {
namespace {

namespace cv1 = ::ladder::careerpath::v1;

TextFields NoTexts() { return {}; }

}  // namespace

std::vector<RequestCheck> CareerPathChecks() {
  std::vector<RequestCheck> checks;
  checks.push_back(MakeCheck<cv1::GetPolicyRequest>("GetPolicy", careerpath::ValidateGetPolicy,
                                                    [](const cv1::GetPolicyRequest&) { return NoTexts(); }));
  checks.push_back(MakeCheck<cv1::CheckEligibilityRequest>("CheckEligibility", careerpath::ValidateCheckEligibility,
                                                           [](const cv1::CheckEligibilityRequest& r) -> TextFields {
                                                             return {{"employee", r.employee()}};
                                                           }));
  checks.push_back(
      MakeCheck<cv1::AssignInitialLevelRequest>("AssignInitialLevel", careerpath::ValidateAssignInitialLevel,
                                                [](const cv1::AssignInitialLevelRequest& r) -> TextFields {
                                                  return {{"employee", r.employee()}, {"request_id", r.request_id()}};
                                                }));
  checks.push_back(MakeCheck<cv1::ReviewCycleRequest>("ReviewCycle", careerpath::ValidateReviewCycle,
                                                      [](const cv1::ReviewCycleRequest& r) -> TextFields {
                                                        return {{"cycle", r.cycle()}, {"request_id", r.request_id()}};
                                                      }));
  checks.push_back(MakeCheck<cv1::RunCycleReviewRequest>(
      "RunCycleReview", careerpath::ValidateRunCycleReview, [](const cv1::RunCycleReviewRequest& r) -> TextFields {
        return {{"cycle", r.cycle()}, {"request_id", r.request_id()}};
      }));
  checks.push_back(MakeCheck<cv1::GetCaseRequest>("GetCase", careerpath::ValidateGetCase,
                                                  [](const cv1::GetCaseRequest& r) -> TextFields {
                                                    return {{"name", r.name()}};
                                                  }));
  checks.push_back(MakeCheck<cv1::ListCasesRequest>(
      "ListCases", careerpath::ValidateListCases, [](const cv1::ListCasesRequest& r) -> TextFields {
        return {{"county", r.county()}, {"cycle", r.cycle()}, {"employee", r.employee()}};
      }));
  checks.push_back(MakeCheck<cv1::ApproveCaseRequest>("ApproveCase", careerpath::ValidateApproveCase,
                                                      [](const cv1::ApproveCaseRequest& r) -> TextFields {
                                                        return {{"name", r.name()}, {"request_id", r.request_id()}};
                                                      }));
  checks.push_back(MakeCheck<cv1::RejectCaseRequest>(
      "RejectCase", careerpath::ValidateRejectCase, [](const cv1::RejectCaseRequest& r) -> TextFields {
        return {{"name", r.name()}, {"reason", r.reason()}, {"request_id", r.request_id()}};
      }));
  checks.push_back(MakeCheck<cv1::WithdrawCaseRequest>(
      "WithdrawCase", careerpath::ValidateWithdrawCase, [](const cv1::WithdrawCaseRequest& r) -> TextFields {
        return {{"name", r.name()}, {"reason", r.reason()}, {"request_id", r.request_id()}};
      }));
  checks.push_back(MakeCheck<cv1::NominateCareerMoveRequest>(
      "NominateCareerMove", careerpath::ValidateNominateCareerMove,
      [](const cv1::NominateCareerMoveRequest& r) -> TextFields {
        return {{"employee", r.employee()}, {"reason", r.reason()}, {"request_id", r.request_id()}};
      }));
  checks.push_back(
      MakeCheck<cv1::GetDistributionReportRequest>("GetDistributionReport", careerpath::ValidateGetDistributionReport,
                                                   [](const cv1::GetDistributionReportRequest& r) -> TextFields {
                                                     return {{"org_unit", r.org_unit()}};
                                                   }));
  checks.push_back(MakeCheck<cv1::SimulateDistributionRequest>(
      "SimulateDistribution", careerpath::ValidateSimulateDistribution, [](const cv1::SimulateDistributionRequest& r) {
        TextFields texts = {{"org_unit", r.org_unit()}};
        for (const auto& move : r.moves()) texts.push_back({"moves[].employee", move.employee()});
        return texts;
      }));
  return checks;
}

std::vector<SeedExample> CareerPathSeeds() {
  return {
      {"GetPolicy", R"pb(date { year: 2026 month: 3 day: 1 })pb"},
      {"CheckEligibility", R"pb(employee: "employees/42"
                                target: TARGET_CAREER_MOVE
                                career_move_target: CAREER_MOVE_TARGET_BRANCH_CHIEF)pb"},
      {"AssignInitialLevel", R"pb(employee: "employees/42" request_id: "init-42")pb"},
      {"ReviewCycle", R"pb(cycle: "cycles/3" request_id: "review-3")pb"},
      {"RunCycleReview", R"pb(cycle: "cycles/3" request_id: "review-3-async")pb"},
      {"GetCase", R"pb(name: "cases/17")pb"},
      {"ListCases", R"pb(county: "orgUnits/2" cycle: "cycles/3" kind: KIND_PROMOTION state: STATE_PROPOSED)pb"},
      {"ApproveCase", R"pb(name: "cases/17" etag: "W/\"3\"" request_id: "approve-17")pb"},
      {"RejectCase", R"pb(name: "cases/17" reason: "名额已满" request_id: "reject-17")pb"},
      {"WithdrawCase", R"pb(name: "cases/17" reason: "员工申请撤回")pb"},
      {"NominateCareerMove", R"pb(employee: "employees/42"
                                  target: CAREER_MOVE_TARGET_GROUP_DATA_SUPERVISOR
                                  post_grade: 14
                                  reason: "表现突出"
                                  request_id: "nominate-42")pb"},
      {"GetDistributionReport", R"pb(org_unit: "orgUnits/1")pb"},
      {"SimulateDistribution", R"pb(org_unit: "orgUnits/1"
                                    moves { employee: "employees/42" to_level: LEVEL_SENIOR }
                                    moves { employee: "employees/43" to_county: "orgUnits/3" }
                                    moves { employee: "employees/44" exit: true })pb"},
  };
}

}  // namespace ladder::fuzz
