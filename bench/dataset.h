#pragma once

// The benchmark's own data: a province-sized city branch written straight into the
// personnel database with multi-row INSERTs (through the API it would take minutes), and
// the participants of one evaluation cycle written the same way into the evaluation
// database. The rows are those the services would have written: every customer manager
// active and levelled, post grades from the policy, and every county within its senior cap.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/database_options.h"

namespace ladder::bench {

struct BranchShape {
  int counties = 100;
  int managers_per_county = 1000;
  int teams_per_county = 10;
};

struct Branch {
  BranchShape shape;
  int64_t city_id = 0;
  std::vector<int64_t> county_ids;
  // Employees have ids 1 … employees; employee i + 1 is in county_ids[i % counties].
  int64_t employees = 0;
  // The first county has free senior slots (10% seniors, cap 20%); the others hold 18%.
  int64_t promotion_county = 0;
  std::vector<int64_t> promotion_candidates;  // its intermediates
  int promotion_free_slots = 0;
  // A county whose juniors warm the promotion path up (junior → intermediate, no cap).
  int64_t warmup_county = 0;
  std::vector<int64_t> warmup_candidates;
};

// Fills an empty, migrated personnel database.
absl::StatusOr<Branch> LoadBranch(const db::DatabaseOptions& personnel, const BranchShape& shape);

// Writes an OPEN cycle over the whole branch, scored with `scorecard_id`, with every
// employee of `branch` as a participant (county, team and level as in personnel). Returns
// the cycle's id.
absl::StatusOr<int64_t> LoadCycle(const db::DatabaseOptions& evaluation, int64_t scorecard_id, const Branch& branch);

// Scores two cycles of the branch's `employees` (loaded by LoadCycle) and finalises them:
// `older` becomes the quarter before `newer`. Composites spread over 40–100 by employee, the
// same person a little lower the quarter before, so that a review of `newer` finds
// promotions, demotions and eliminations to propose.
absl::Status ScoreAndFinalise(const db::DatabaseOptions& evaluation, int64_t older, int64_t newer, int64_t employees);

}  // namespace ladder::bench
