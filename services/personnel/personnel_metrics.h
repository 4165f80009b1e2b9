#pragma once

// Personnel's domain series (common/observability/metrics.h), by county:
//   ladder_county_managers{county,county_name,level}   levelled customer managers per level
//   ladder_county_levelled_managers{county,county_name} N, the base of the senior cap
//   ladder_county_senior_cap{county,county_name}        the cap of the policy in force today
//   ladder_county_over_senior_cap{county,county_name}   1 while seniors exceed the cap
//   ladder_senior_cap_refusals_total{county,county_name,level}  changes refused by a level's cap
// The gauges come from the county rows (which keep their counts) every
// --metrics_refresh_interval, not per scrape. Counties are org units, so the labels hold
// no personal data, and there are as many series as counties.

#include <string>
#include <vector>

#include "common/policy/policy_set.h"

namespace ladder::personnel {

struct CountyLevelCounts {
  std::string county;       // "orgUnits/{id}"
  std::string county_name;  // its display name
  int juniors = 0;
  int intermediates = 0;
  int seniors = 0;
};

// Sets the county gauges, with the caps of `policy`.
void PublishCountyCounts(const std::vector<CountyLevelCounts>& counties, const policy::Policy& policy);

// Counts a change refused because it would take `level` in the county past its cap.
void NoteCapRefusal(const std::string& county, const std::string& county_name, const std::string& level);

}  // namespace ladder::personnel
