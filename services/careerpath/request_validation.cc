#include "services/careerpath/request_validation.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/api/validation.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/dates.h"

namespace ladder::careerpath {
namespace {

using api::ParseName;

constexpr size_t kMaxReasonChars = 500;
constexpr int kMaxPostGrade = 30;
constexpr int kMaxMoves = 1000;

absl::Status RequiredName(const std::string& name, absl::string_view collection, absl::string_view field) {
  return ParseName(name, collection, field).status();
}

// An empty filter field means "any".
absl::Status OptionalName(const std::string& name, absl::string_view collection, absl::string_view field) {
  if (name.empty()) return absl::OkStatus();
  return RequiredName(name, collection, field);
}

absl::Status RequiredCareerMoveTarget(common::v1::CareerMoveTarget target, absl::string_view field,
                                      absl::string_view message) {
  if (target == common::v1::CAREER_MOVE_TARGET_UNSPECIFIED || !common::v1::CareerMoveTarget_IsValid(target)) {
    return InvalidFieldError(field, message);
  }
  return absl::OkStatus();
}

absl::Status Reason(const std::string& reason) { return api::ValidateText(reason, "reason", 1, kMaxReasonChars); }

absl::Status RequestId(const std::string& request_id) { return api::ValidateRequestId(request_id, "request_id"); }

}  // namespace

absl::Status ValidateGetPolicy(const v1::GetPolicyRequest& request) {
  if (!request.has_date()) return absl::OkStatus();  // Today.
  return ToCivilDay(request.date(), "date").status();
}

absl::Status ValidateCheckEligibility(const v1::CheckEligibilityRequest& request) {
  LADDER_RETURN_IF_ERROR(RequiredName(request.employee(), "employees", "employee"));
  if (request.target() == v1::TARGET_UNSPECIFIED || !v1::Target_IsValid(request.target())) {
    return InvalidFieldError("target", "is required");
  }
  if (request.target() != v1::TARGET_CAREER_MOVE) return absl::OkStatus();
  return RequiredCareerMoveTarget(request.career_move_target(), "career_move_target",
                                  "is required for TARGET_CAREER_MOVE");
}

absl::Status ValidateAssignInitialLevel(const v1::AssignInitialLevelRequest& request) {
  LADDER_RETURN_IF_ERROR(RequiredName(request.employee(), "employees", "employee"));
  return RequestId(request.request_id());
}

absl::Status ValidateReviewCycle(const v1::ReviewCycleRequest& request) {
  LADDER_RETURN_IF_ERROR(RequiredName(request.cycle(), "cycles", "cycle"));
  return RequestId(request.request_id());
}

absl::Status ValidateRunCycleReview(const v1::RunCycleReviewRequest& request) {
  LADDER_RETURN_IF_ERROR(RequiredName(request.cycle(), "cycles", "cycle"));
  return RequestId(request.request_id());
}

absl::Status ValidateGetCase(const v1::GetCaseRequest& request) {
  return RequiredName(request.name(), "cases", "name");
}

absl::Status ValidateListCases(const v1::ListCasesRequest& request) {
  LADDER_RETURN_IF_ERROR(OptionalName(request.county(), "orgUnits", "county"));
  LADDER_RETURN_IF_ERROR(OptionalName(request.cycle(), "cycles", "cycle"));
  LADDER_RETURN_IF_ERROR(OptionalName(request.employee(), "employees", "employee"));
  if (!v1::Case::Kind_IsValid(request.kind())) return InvalidFieldError("kind", "has an unknown value");
  if (!v1::Case::State_IsValid(request.state())) {
    return InvalidFieldError("state", "has an unknown value");
  }
  return absl::OkStatus();
}

absl::Status ValidateApproveCase(const v1::ApproveCaseRequest& request) {
  // The etag is only compared with the stored one, so any value is acceptable here.
  LADDER_RETURN_IF_ERROR(RequiredName(request.name(), "cases", "name"));
  return RequestId(request.request_id());
}

absl::Status ValidateRejectCase(const v1::RejectCaseRequest& request) {
  LADDER_RETURN_IF_ERROR(RequiredName(request.name(), "cases", "name"));
  LADDER_RETURN_IF_ERROR(Reason(request.reason()));
  return RequestId(request.request_id());
}

absl::Status ValidateWithdrawCase(const v1::WithdrawCaseRequest& request) {
  LADDER_RETURN_IF_ERROR(RequiredName(request.name(), "cases", "name"));
  LADDER_RETURN_IF_ERROR(Reason(request.reason()));
  return RequestId(request.request_id());
}

absl::Status ValidateNominateCareerMove(const v1::NominateCareerMoveRequest& request) {
  LADDER_RETURN_IF_ERROR(RequiredName(request.employee(), "employees", "employee"));
  LADDER_RETURN_IF_ERROR(RequiredCareerMoveTarget(request.target(), "target", "is required"));
  if (request.post_grade() < 0 || request.post_grade() > kMaxPostGrade) {
    return InvalidFieldError("post_grade", absl::StrCat("must be 0-", kMaxPostGrade));
  }
  LADDER_RETURN_IF_ERROR(Reason(request.reason()));
  return RequestId(request.request_id());
}

absl::Status ValidateGetDistributionReport(const v1::GetDistributionReportRequest& request) {
  return RequiredName(request.org_unit(), "orgUnits", "org_unit");
}

absl::Status ValidateSimulateDistribution(const v1::SimulateDistributionRequest& request) {
  // The size first: a huge request is refused before any of it is looked at.
  if (request.moves_size() > kMaxMoves) {
    return InvalidFieldError("moves", absl::StrCat("at most ", kMaxMoves, " moves"));
  }
  LADDER_RETURN_IF_ERROR(RequiredName(request.org_unit(), "orgUnits", "org_unit"));
  for (int i = 0; i < request.moves_size(); ++i) {
    LADDER_RETURN_IF_ERROR(
        RequiredName(request.moves(i).employee(), "employees", absl::StrCat("moves[", i, "].employee")));
  }
  return absl::OkStatus();
}

}  // namespace ladder::careerpath
