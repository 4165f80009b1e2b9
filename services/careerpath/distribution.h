#pragma once

// The distribution report and its what-if simulation (POLICY §3, §7): pure arithmetic over
// each county's head counts, with the quota rules of common/policy.

#include <string>
#include <vector>

#include "common/policy/policy_set.h"
#include "common/policy/quota.h"
#include "ladder/careerpath/v1/distribution.pb.h"

namespace ladder::careerpath {

namespace cv1 = ::ladder::careerpath::v1;

// One county's levelled head counts, as personnel reports them.
struct CountyCounts {
  std::string county;  // "orgUnits/{id}"
  std::string display_name;
  policy::HeadCounts head_counts;
};

// The report for these counties, with the totals.
cv1::DistributionReport BuildReport(const std::string& org_unit, const std::vector<CountyCounts>& counties,
                                    const policy::Policy& policy);

// A move resolved against what is known of the employee.
struct ResolvedMove {
  cv1::ProposedMove move;
  // The employee's county and level now; an empty county means not a levelled manager.
  std::string county;
  common::v1::Level level = common::v1::LEVEL_UNSPECIFIED;
};

// Applies the moves in order to `counties`, skipping and reporting each that the rules would
// refuse (a senior increase past the cap, a move of someone who holds no level, a transfer
// to a county outside the report).
std::vector<cv1::RefusedMove> ApplyMoves(const std::vector<ResolvedMove>& moves, const policy::Policy& policy,
                                         std::vector<CountyCounts>& counties);

}  // namespace ladder::careerpath
