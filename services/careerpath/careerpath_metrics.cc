#include "services/careerpath/careerpath_metrics.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/observability/metrics.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"

namespace ladder::careerpath {

void PublishOpenCases(const std::vector<OpenCaseCount>& counts) {
  static auto& open = prometheus::BuildGauge()
                          .Name("ladder_open_cases")
                          .Help(
                              "Cases not yet decided or applied, by county and state; the waitlist is "
                              "state=\"waiting_for_slot\".")
                          .Register(observability::Metrics());
  static absl::Mutex mu;
  // Every series set so far, so that one whose cases are all gone reads 0, not its last count.
  static auto* published ABSL_GUARDED_BY(mu) =
      new absl::flat_hash_map<std::pair<std::string, std::string>, prometheus::Gauge*>();
  absl::MutexLock lock(&mu);
  for (auto& [key, gauge] : *published) gauge->Set(0);
  for (const OpenCaseCount& count : counts) {
    prometheus::Gauge*& gauge = (*published)[{count.county, count.state}];
    if (gauge == nullptr) gauge = &open.Add({{"county", count.county}, {"state", count.state}});
    gauge->Set(static_cast<double>(count.cases));
  }
}

}  // namespace ladder::careerpath
