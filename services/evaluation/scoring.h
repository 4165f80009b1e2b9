#pragma once

// The arithmetic of scores, pure: validation against a scorecard, the weighted composite,
// ranks with ties, and the compact stored form. Scores are kept as integers in tenths and
// composites in thousandths, so ties and sums are exact.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "ladder/evaluation/v1/evaluation.pb.h"
#include "ladder/evaluation/v1/scorecard.pb.h"

namespace ladder::evaluation {

using ::ladder::evaluation::v1::Evaluation;
using ::ladder::evaluation::v1::Scorecard;

// A score of 0–100 with one decimal, as tenths (87.5 → 875).
absl::StatusOr<int> ScoreToTenths(double score, absl::string_view field);
double TenthsToScore(int tenths);

// Checks a scorecard's indicators: 1–20, keys [a-z0-9_]{1,32} unique, names 1–100
// characters, weights 1–100 summing to 100. `field` prefixes error fields.
absl::Status ValidateIndicators(const Scorecard& scorecard, absl::string_view field);

// The scores of one evaluation in the scorecard's indicator order, as tenths. Every
// indicator exactly once, nothing else. Errors name `field`[i].
absl::StatusOr<std::vector<int>> ScoresFor(const Scorecard& scorecard,
                                           const google::protobuf::RepeatedPtrField<Evaluation::Score>& scores,
                                           absl::string_view field);

// Σ weight% × score, in thousandths of a point (100.0 with any weights → 100000).
int64_t CompositeMilli(const Scorecard& scorecard, const std::vector<int>& tenths);

// Stored form "875,900,…" (tenths in indicator order) and back into proto scores.
std::string EncodeScores(absl::Span<const int> tenths);
absl::StatusOr<std::vector<Evaluation::Score>> DecodeScores(const Scorecard& scorecard, absl::string_view encoded);

// Rank and percentile of a composite among `count` ranked composites of which `higher`
// are strictly greater and `equal` (≥ 1, including itself) are equal: rank = higher + 1,
// percentile = share strictly lower, in percent.
struct RankPosition {
  int rank;
  double percentile;
};
RankPosition PositionOf(int64_t higher, int64_t equal, int64_t count);

inline constexpr int64_t kMaxCompositeMilli = 100000;

// A single int64 that increases along the ranking order (composite descending, then
// employee id), for keyset pagination of rankings.
int64_t RankingKey(int64_t composite_milli, int64_t employee_id);
// The composite and the employee of a RankingKey.
int64_t CompositeOfRankingKey(int64_t key);
int64_t EmployeeOfRankingKey(int64_t key);

}  // namespace ladder::evaluation
