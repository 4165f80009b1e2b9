#include "services/personnel/personnel_metrics.h"

#include "common/observability/metrics.h"
#include "common/policy/quota.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"

namespace ladder::personnel {
namespace {

prometheus::Family<prometheus::Gauge>& Gauge(const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(observability::Metrics());
}

}  // namespace

void PublishCountyCounts(const std::vector<CountyLevelCounts>& counties, const policy::Policy& policy) {
  static auto& managers = Gauge("ladder_county_managers", "Levelled customer managers of the county, per level.");
  static auto& levelled =
      Gauge("ladder_county_levelled_managers", "N: the county's levelled customer managers, the base of its caps.");
  static auto& cap = Gauge("ladder_county_senior_cap", "The most seniors the county may have (policy in force).");
  static auto& over = Gauge("ladder_county_over_senior_cap", "1 while the county has more seniors than its cap.");
  for (const CountyLevelCounts& county : counties) {
    const prometheus::Labels labels = {{"county", county.county}, {"county_name", county.county_name}};
    auto with_level = [&labels](const char* level) {
      prometheus::Labels more = labels;
      more.emplace("level", level);
      return more;
    };
    managers.Add(with_level("junior")).Set(county.juniors);
    managers.Add(with_level("intermediate")).Set(county.intermediates);
    managers.Add(with_level("senior")).Set(county.seniors);
    const int n = county.juniors + county.intermediates + county.seniors;
    const int senior_cap = policy::SeniorCap(policy, n);
    levelled.Add(labels).Set(n);
    cap.Add(labels).Set(senior_cap);
    over.Add(labels).Set(county.seniors > senior_cap ? 1 : 0);
  }
}

void NoteCapRefusal(const std::string& county, const std::string& county_name, const std::string& level) {
  static auto& refusals = prometheus::BuildCounter()
                              .Name("ladder_senior_cap_refusals_total")
                              .Help("Level changes refused because they would take a level past its cap.")
                              .Register(observability::Metrics());
  refusals.Add({{"county", county}, {"county_name", county_name}, {"level", level}}).Increment();
}

}  // namespace ladder::personnel
