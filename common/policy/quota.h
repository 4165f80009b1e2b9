#pragma once

// The quota arithmetic of POLICY §3, pure and exhaustively unit-tested.

#include <map>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/policy/policy_set.h"

namespace ladder::policy {

using HeadCounts = std::map<Level, int>;

// Holders of a hard-capped level a county of `n` levelled managers may have:
// floor(share × n / 100). For a level without a hard cap, `n`.
int LevelCap(const LevelPolicy& level, int n);

// The senior cap of a county of `n` levelled managers under `policy`.
int SeniorCap(const Policy& policy, int n);

// Suggested head count per level for `n` levelled managers, by largest remainder: each
// level gets floor(share × n / 100), then the heads left over go one each to the largest
// remainders (ties to the larger share, then the lower level). A hard-capped level is never
// rounded up past its cap. The counts sum to n: 7 → 2/4/1, 4 → 2/2/0.
HeadCounts SuggestedHeadCounts(const Policy& policy, int n);

// A county's position against the policy.
struct QuotaStanding {
  // N: the county's customer managers who hold a level.
  int levelled = 0;
  HeadCounts head_counts;
  HeadCounts suggested;
  int senior_cap = 0;
  int free_senior_slots = 0;
  // More seniors than the cap: possible only after exits shrank N.
  bool over_cap = false;
};
QuotaStanding ComputeStanding(const Policy& policy, const HeadCounts& head_counts);

// Whether a change that makes `level` held by `holders_after` of `levelled_after`
// managers may commit in `county`. Only a change that raises a hard-capped level's
// holders is checked (callers pass the counts after the change); FAILED_PRECONDITION with
// reason SENIOR_CAP_REACHED (or LEVEL_CAP_REACHED) otherwise.
// `county` is the resource name, `county_display_name` what people call it.
absl::Status CheckCapAfterIncrease(const Policy& policy, Level level, int holders_after, int levelled_after,
                                   absl::string_view county, absl::string_view county_display_name);

}  // namespace ladder::policy
