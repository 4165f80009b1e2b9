#pragma once

// Careerpath's domain series (common/observability/metrics.h):
//   ladder_open_cases{county,state="proposed"|"approved"|"waiting_for_slot"}  cases not yet
//   decided or applied, by county; the waitlist is state="waiting_for_slot".
// Read from the database every --metrics_refresh_interval, not per scrape.

#include <cstdint>
#include <string>
#include <vector>

namespace ladder::careerpath {

struct OpenCaseCount {
  std::string county;  // "orgUnits/{id}"
  std::string state;   // "proposed", "approved" or "waiting_for_slot"
  int64_t cases = 0;
};

// Sets the gauges to `counts`; a county and state no longer listed drops to 0.
void PublishOpenCases(const std::vector<OpenCaseCount>& counts);

}  // namespace ladder::careerpath
