#include "services/evaluation/score_rows.h"

#include "absl/strings/str_cat.h"

namespace ladder::evaluation {

absl::Status ScoreRows::Add(const ScoreRow& row) {
  // Exactly `indicators_` per row, so that a row's scores are found by its position.
  if (row.tenths.size() != indicators_) {
    return absl::InternalError(
        absl::StrCat("a row of ", row.tenths.size(), " scores where the scorecard has ", indicators_));
  }
  if (size_ % kRowsPerChunk == 0) {
    Chunk& chunk = chunks_.emplace_back();
    chunk.employee_ids.reserve(kRowsPerChunk);
    chunk.composite_milli.reserve(kRowsPerChunk);
    chunk.tenths.reserve(kRowsPerChunk * indicators_);
  }
  Chunk& chunk = chunks_.back();
  chunk.employee_ids.push_back(row.employee_id);
  chunk.composite_milli.push_back(row.composite_milli);
  chunk.tenths.insert(chunk.tenths.end(), row.tenths.begin(), row.tenths.end());
  ++size_;
  return absl::OkStatus();
}

absl::Span<const int> ScoreRows::tenths(size_t i) const {
  const Chunk& chunk = chunks_[i / kRowsPerChunk];
  return absl::MakeConstSpan(chunk.tenths.data() + (i % kRowsPerChunk) * indicators_, indicators_);
}

ScoreRow ScoreRows::Row(size_t i) const {
  const absl::Span<const int> scores = tenths(i);
  return ScoreRow{employee_id(i), std::vector<int>(scores.begin(), scores.end()), composite_milli(i)};
}

}  // namespace ladder::evaluation
