#pragma once

// Evaluation's domain series (common/observability/metrics.h):
//   ladder_cycles{state="open"|"in_review"|"finalized"}  evaluation cycles by state
//   ladder_rechecks_open   evaluations flagged by quality inspection and not yet resolved,
//                          in cycles not finalised (each one blocks finalising its cycle)
// Read from the database every --metrics_refresh_interval, not per scrape: two index reads
// (cycles by state; the flagged evaluations of the unfinalised cycles).

#include <cstdint>

namespace ladder::evaluation {

struct CycleCounts {
  int64_t open = 0;
  int64_t in_review = 0;
  int64_t finalized = 0;
  int64_t rechecks_open = 0;
};

void PublishCycleCounts(const CycleCounts& counts);

}  // namespace ladder::evaluation
