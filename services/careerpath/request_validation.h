#pragma once

// Checks of each CareerPathService request that need no database and no other service:
// required fields, resource-name shapes, enum values, lengths. Pure, so they are fuzzed
// directly and run before any dependency is asked. Errors are INVALID_ARGUMENT naming the
// field. (ListPolicyVersions has nothing to check but its page: api::ParsePageRequest.)

#include "absl/status/status.h"
#include "ladder/careerpath/v1/careerpath_service.pb.h"

namespace ladder::careerpath {

absl::Status ValidateGetPolicy(const v1::GetPolicyRequest& request);
absl::Status ValidateCheckEligibility(const v1::CheckEligibilityRequest& request);
absl::Status ValidateAssignInitialLevel(const v1::AssignInitialLevelRequest& request);
absl::Status ValidateReviewCycle(const v1::ReviewCycleRequest& request);
absl::Status ValidateRunCycleReview(const v1::RunCycleReviewRequest& request);
absl::Status ValidateGetCase(const v1::GetCaseRequest& request);
// The page token is checked by the caller: its filter is made of the parsed names.
absl::Status ValidateListCases(const v1::ListCasesRequest& request);
absl::Status ValidateApproveCase(const v1::ApproveCaseRequest& request);
absl::Status ValidateRejectCase(const v1::RejectCaseRequest& request);
absl::Status ValidateWithdrawCase(const v1::WithdrawCaseRequest& request);
absl::Status ValidateNominateCareerMove(const v1::NominateCareerMoveRequest& request);
absl::Status ValidateGetDistributionReport(const v1::GetDistributionReportRequest& request);
absl::Status ValidateSimulateDistribution(const v1::SimulateDistributionRequest& request);

}  // namespace ladder::careerpath
