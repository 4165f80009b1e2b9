#include "common/policy/quota.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace ladder::policy {

int LevelCap(const LevelPolicy& level, int n) {
  if (!level.share_is_hard_cap()) return n;
  // Integer arithmetic: floor(share × n / 100) without floating-point error.
  return static_cast<int>(static_cast<int64_t>(level.suggested_share_percent()) * n / 100);
}

int SeniorCap(const Policy& policy, int n) {
  const LevelPolicy* senior = FindLevel(policy, Level::LEVEL_SENIOR);
  return senior == nullptr ? n : LevelCap(*senior, n);
}

HeadCounts SuggestedHeadCounts(const Policy& policy, int n) {
  struct Share {
    const LevelPolicy* level;
    int64_t remainder;  // In hundredths of a head.
  };
  HeadCounts counts;
  std::vector<Share> shares;
  int assigned = 0;
  for (const LevelPolicy& level : policy.levels()) {
    const int64_t exact = static_cast<int64_t>(level.suggested_share_percent()) * n;
    counts[level.level()] = static_cast<int>(exact / 100);
    assigned += counts[level.level()];
    shares.push_back({&level, exact % 100});
  }
  std::sort(shares.begin(), shares.end(), [](const Share& a, const Share& b) {
    if (a.remainder != b.remainder) return a.remainder > b.remainder;
    if (a.level->suggested_share_percent() != b.level->suggested_share_percent()) {
      return a.level->suggested_share_percent() > b.level->suggested_share_percent();
    }
    return a.level->level() < b.level->level();
  });
  for (const Share& share : shares) {
    if (assigned >= n) break;
    if (share.remainder == 0) continue;
    if (share.level->share_is_hard_cap()) continue;  // Rounding up would break the cap.
    ++counts[share.level->level()];
    ++assigned;
  }
  // Shares sum to 100, so at most (levels − 1) heads remain, and at least one level is not
  // hard-capped; a head still left (every uncapped remainder was zero) goes to the largest
  // uncapped share.
  while (assigned < n) {
    const LevelPolicy* best = nullptr;
    for (const LevelPolicy& level : policy.levels()) {
      if (!level.share_is_hard_cap() &&
          (best == nullptr || level.suggested_share_percent() > best->suggested_share_percent())) {
        best = &level;
      }
    }
    if (best == nullptr) break;
    ++counts[best->level()];
    ++assigned;
  }
  return counts;
}

QuotaStanding ComputeStanding(const Policy& policy, const HeadCounts& head_counts) {
  QuotaStanding standing;
  for (const LevelPolicy& level : policy.levels()) {
    auto it = head_counts.find(level.level());
    const int count = it == head_counts.end() ? 0 : it->second;
    standing.head_counts[level.level()] = count;
    standing.levelled += count;
  }
  standing.suggested = SuggestedHeadCounts(policy, standing.levelled);
  standing.senior_cap = SeniorCap(policy, standing.levelled);
  const int seniors = standing.head_counts[Level::LEVEL_SENIOR];
  standing.free_senior_slots = std::max(0, standing.senior_cap - seniors);
  standing.over_cap = seniors > standing.senior_cap;
  return standing;
}

absl::Status CheckCapAfterIncrease(const Policy& policy, Level level, int holders_after, int levelled_after,
                                   absl::string_view county, absl::string_view county_display_name) {
  const LevelPolicy* level_policy = FindLevel(policy, level);
  if (level_policy == nullptr || !level_policy->share_is_hard_cap()) return absl::OkStatus();
  const int cap = LevelCap(*level_policy, levelled_after);
  if (holders_after <= cap) return absl::OkStatus();
  const bool senior = level == Level::LEVEL_SENIOR;
  const int holders_now = holders_after - 1;
  return RuleViolationError(
      senior ? reason::kSeniorCapReached : reason::kLevelCapReached, county,
      absl::StrCat("no free ", level_policy->display_name(), " (", Level_Name(level), ") slot in ", county_display_name,
                   " (", county, "): ", holders_now, " held, cap ", cap, " (", level_policy->suggested_share_percent(),
                   "% of ", levelled_after, " levelled customer managers, rounded down)"),
      {{"county", std::string(county)},
       {"level", Level_Name(level)},
       {"holders", absl::StrCat(holders_now)},
       {"cap", absl::StrCat(cap)},
       {"levelled_customer_managers", absl::StrCat(levelled_after)},
       {"policy_version", policy.version()}});
}

}  // namespace ladder::policy
