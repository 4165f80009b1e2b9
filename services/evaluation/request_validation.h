#pragma once

// Checks of EvaluationService requests that need no database or personnel call. Pure;
// errors are INVALID_ARGUMENT naming the field.

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "ladder/evaluation/v1/evaluation_service.pb.h"

namespace ladder::evaluation {

namespace ev1 = ::ladder::evaluation::v1;

absl::Status ValidateCreateScorecard(const ev1::CreateScorecardRequest& request);
absl::Status ValidateUpdateScorecard(const ev1::UpdateScorecardRequest& request);
absl::Status ValidateCreateCycle(const ev1::CreateCycleRequest& request);
// 1–1000 employees, each named once; max_entries 0 (100) to 100.
absl::Status ValidateBatchGetScoreHistories(const ev1::BatchGetScoreHistoriesRequest& request);
// The employee ids of a valid request, in its order.
std::vector<int64_t> EmployeeIdsOf(const ev1::BatchGetScoreHistoriesRequest& request);
absl::Status ValidateFlagForRecheck(const ev1::FlagForRecheckRequest& request);
absl::Status ValidateResolveRecheck(const ev1::ResolveRecheckRequest& request);
absl::Status ValidateTrialAssessment(const ev1::RecordTrialAssessmentRequest& request, absl::CivilDay today);
absl::Status ValidateCandidateAssessment(const ev1::RecordCandidateAssessmentRequest& request, absl::CivilDay today);

// (cycle id, employee id) of "cycles/{cycle}/evaluations/{employee}".
absl::StatusOr<std::pair<int64_t, int64_t>> ParseEvaluationName(absl::string_view name, absl::string_view field);

}  // namespace ladder::evaluation
