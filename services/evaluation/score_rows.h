#pragma once

// Validated scores of participants, one at a time and many packed together.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace ladder::evaluation {

// Validated scores of one participant.
struct ScoreRow {
  int64_t employee_id = 0;
  std::vector<int> tenths;  // in the scorecard's indicator order
  int64_t composite_milli = 0;
};

// The good rows of an import, packed: an import of a whole branch holds a million of them
// between reading its stream and writing. A row takes 16 bytes and 4 per score (32 with
// four indicators, against about 80 for a ScoreRow in a vector), and the rows sit in chunks
// of fixed size, so that adding one never copies the others (a growing vector holds its old
// and its new array at once, three times what it needs at the moment it grows).
class ScoreRows {
 public:
  // Every row has `indicators` scores, the scorecard's.
  explicit ScoreRows(size_t indicators) : indicators_(indicators) {}

  // An internal error if `row` does not hold `indicators` scores.
  absl::Status Add(const ScoreRow& row);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t employee_id(size_t i) const { return chunks_[i / kRowsPerChunk].employee_ids[i % kRowsPerChunk]; }
  int64_t composite_milli(size_t i) const { return chunks_[i / kRowsPerChunk].composite_milli[i % kRowsPerChunk]; }
  absl::Span<const int> tenths(size_t i) const;
  // Row `i` unpacked.
  ScoreRow Row(size_t i) const;

 private:
  static constexpr size_t kRowsPerChunk = 8192;
  struct Chunk {
    std::vector<int64_t> employee_ids;
    std::vector<int64_t> composite_milli;
    std::vector<int> tenths;  // `indicators_` per row, one row after the other
  };

  size_t indicators_;
  std::vector<Chunk> chunks_;  // each reserved for kRowsPerChunk rows when it is made
  size_t size_ = 0;
};

}  // namespace ladder::evaluation
