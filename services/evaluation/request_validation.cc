#include "services/evaluation/request_validation.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/field_mask.h"
#include "common/api/resource_name.h"
#include "common/api/validation.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/dates.h"
#include "services/evaluation/scoring.h"

namespace ladder::evaluation {
namespace {

using api::ValidateText;

absl::Status DateNotInFuture(const google::type::Date& date, absl::string_view field, absl::CivilDay today) {
  if (date.year() == 0 && date.month() == 0 && date.day() == 0) {
    return InvalidFieldError(field, "is required");
  }
  LADDER_ASSIGN_OR_RETURN(absl::CivilDay day, ToCivilDay(date, field));
  if (day > today) return InvalidFieldError(field, "must not be in the future");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::pair<int64_t, int64_t>> ParseEvaluationName(absl::string_view name, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[2] != "evaluations") {
    return InvalidFieldError(field, "must be a resource name like 'cycles/1/evaluations/42'");
  }
  LADDER_ASSIGN_OR_RETURN(int64_t cycle, api::ParseName(absl::StrCat(parts[0], "/", parts[1]), "cycles", field));
  LADDER_ASSIGN_OR_RETURN(int64_t employee, api::ParseName(absl::StrCat("employees/", parts[3]), "employees", field));
  return std::make_pair(cycle, employee);
}

absl::Status ValidateCreateScorecard(const ev1::CreateScorecardRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  if (!request.has_scorecard()) return InvalidFieldError("scorecard", "is required");
  LADDER_RETURN_IF_ERROR(ValidateText(request.scorecard().display_name(), "scorecard.display_name", 1, 100));
  return ValidateIndicators(request.scorecard(), "scorecard.indicators");
}

absl::Status ValidateUpdateScorecard(const ev1::UpdateScorecardRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  if (!request.has_scorecard()) return InvalidFieldError("scorecard", "is required");
  LADDER_RETURN_IF_ERROR(api::ParseName(request.scorecard().name(), "scorecards", "scorecard.name").status());
  for (const std::string& path : request.update_mask().paths()) {
    if (path != "display_name" && path != "indicators") {
      return InvalidFieldError("update_mask", absl::StrCat("path '", api::QuotableText(path), "' is not writable"));
    }
  }
  if (api::MaskIncludes(request.update_mask(), "display_name")) {
    LADDER_RETURN_IF_ERROR(ValidateText(request.scorecard().display_name(), "scorecard.display_name", 1, 100));
  }
  if (api::MaskIncludes(request.update_mask(), "indicators")) {
    LADDER_RETURN_IF_ERROR(ValidateIndicators(request.scorecard(), "scorecard.indicators"));
  }
  return absl::OkStatus();
}

absl::Status ValidateCreateCycle(const ev1::CreateCycleRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  if (!request.has_cycle()) return InvalidFieldError("cycle", "is required");
  const ev1::Cycle& cycle = request.cycle();
  LADDER_RETURN_IF_ERROR(ValidateText(cycle.display_name(), "cycle.display_name", 1, 100));
  if (cycle.period() == ev1::Cycle::PERIOD_UNSPECIFIED || !ev1::Cycle::Period_IsValid(cycle.period())) {
    return InvalidFieldError("cycle.period", "must be PERIOD_MONTHLY, PERIOD_QUARTERLY or PERIOD_ANNUAL");
  }
  LADDER_ASSIGN_OR_RETURN(absl::CivilDay start, ToCivilDay(cycle.start_date(), "cycle.start_date"));
  LADDER_ASSIGN_OR_RETURN(absl::CivilDay end, ToCivilDay(cycle.end_date(), "cycle.end_date"));
  if (end < start) return InvalidFieldError("cycle.end_date", "must not be before start_date");
  LADDER_RETURN_IF_ERROR(api::ParseName(cycle.scorecard(), "scorecards", "cycle.scorecard").status());
  return api::ParseName(cycle.scope(), "orgUnits", "cycle.scope").status();
}

absl::Status ValidateFlagForRecheck(const ev1::FlagForRecheckRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  LADDER_RETURN_IF_ERROR(ParseEvaluationName(request.name(), "name").status());
  return ValidateText(request.reason(), "reason", 1, 500);
}

absl::Status ValidateResolveRecheck(const ev1::ResolveRecheckRequest& request) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  LADDER_RETURN_IF_ERROR(ParseEvaluationName(request.name(), "name").status());
  return ValidateText(request.resolution(), "resolution", 1, 500);
}

absl::Status ValidateTrialAssessment(const ev1::RecordTrialAssessmentRequest& request, absl::CivilDay today) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  if (!request.has_trial_assessment()) return InvalidFieldError("trial_assessment", "is required");
  const ev1::TrialAssessment& assessment = request.trial_assessment();
  LADDER_RETURN_IF_ERROR(api::ParseName(assessment.employee(), "employees", "trial_assessment.employee").status());
  if (assessment.outcome() == ev1::TrialAssessment::OUTCOME_UNSPECIFIED ||
      !ev1::TrialAssessment::Outcome_IsValid(assessment.outcome())) {
    return InvalidFieldError("trial_assessment.outcome", "must be OUTCOME_PASSED or OUTCOME_FAILED");
  }
  LADDER_RETURN_IF_ERROR(ScoreToTenths(assessment.score(), "trial_assessment.score").status());
  LADDER_RETURN_IF_ERROR(ValidateText(assessment.assessor(), "trial_assessment.assessor", 1, 100));
  LADDER_RETURN_IF_ERROR(DateNotInFuture(assessment.assessed_on(), "trial_assessment.assessed_on", today));
  return ValidateText(assessment.note(), "trial_assessment.note", 0, 500);
}

absl::Status ValidateCandidateAssessment(const ev1::RecordCandidateAssessmentRequest& request, absl::CivilDay today) {
  LADDER_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), "request_id"));
  if (!request.has_candidate_assessment()) {
    return InvalidFieldError("candidate_assessment", "is required");
  }
  const ev1::CandidateAssessment& assessment = request.candidate_assessment();
  LADDER_RETURN_IF_ERROR(api::ParseName(assessment.employee(), "employees", "candidate_assessment.employee").status());
  LADDER_RETURN_IF_ERROR(
      ScoreToTenths(assessment.written_test_score(), "candidate_assessment.written_test_score").status());
  LADDER_RETURN_IF_ERROR(ScoreToTenths(assessment.interview_score(), "candidate_assessment.interview_score").status());
  LADDER_RETURN_IF_ERROR(ValidateText(assessment.assessor(), "candidate_assessment.assessor", 1, 100));
  LADDER_RETURN_IF_ERROR(DateNotInFuture(assessment.assessed_on(), "candidate_assessment.assessed_on", today));
  return ValidateText(assessment.note(), "candidate_assessment.note", 0, 500);
}

absl::Status ValidateBatchGetScoreHistories(const ev1::BatchGetScoreHistoriesRequest& request) {
  constexpr int kMaxEmployees = 1000;
  if (request.employees_size() == 0) return InvalidFieldError("employees", "must name at least one employee");
  if (request.employees_size() > kMaxEmployees) {
    return InvalidFieldError("employees", absl::StrCat("must name at most ", kMaxEmployees, " employees"));
  }
  absl::flat_hash_set<int64_t> seen;
  for (int i = 0; i < request.employees_size(); ++i) {
    const std::string field = absl::StrCat("employees[", i, "]");
    LADDER_ASSIGN_OR_RETURN(int64_t id, api::ParseName(request.employees(i), "employees", field));
    if (!seen.insert(id).second) return InvalidFieldError(field, "names an employee named before");
  }
  if (request.max_entries() < 0 || request.max_entries() > 100) {
    return InvalidFieldError("max_entries", "must be 1-100, or 0 for 100");
  }
  return absl::OkStatus();
}

std::vector<int64_t> EmployeeIdsOf(const ev1::BatchGetScoreHistoriesRequest& request) {
  std::vector<int64_t> ids;
  ids.reserve(request.employees_size());
  for (const std::string& name : request.employees()) ids.push_back(api::IdOf(name));
  return ids;
}

}  // namespace ladder::evaluation
