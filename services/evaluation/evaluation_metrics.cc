#include "services/evaluation/evaluation_metrics.h"

#include "common/observability/metrics.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"

namespace ladder::evaluation {
namespace {

struct Gauges {
  prometheus::Family<prometheus::Gauge>& cycles = prometheus::BuildGauge()
                                                      .Name("ladder_cycles")
                                                      .Help("Evaluation cycles by state.")
                                                      .Register(observability::Metrics());
  prometheus::Gauge& open = cycles.Add({{"state", "open"}});
  prometheus::Gauge& in_review = cycles.Add({{"state", "in_review"}});
  prometheus::Gauge& finalized = cycles.Add({{"state", "finalized"}});
  prometheus::Gauge& rechecks = prometheus::BuildGauge()
                                    .Name("ladder_rechecks_open")
                                    .Help(
                                        "Evaluations flagged for re-check and not yet resolved, in cycles "
                                        "not finalised; each blocks finalising its cycle.")
                                    .Register(observability::Metrics())
                                    .Add({});
};

}  // namespace

void PublishCycleCounts(const CycleCounts& counts) {
  static auto* gauges = new Gauges();
  gauges->open.Set(static_cast<double>(counts.open));
  gauges->in_review.Set(static_cast<double>(counts.in_review));
  gauges->finalized.Set(static_cast<double>(counts.finalized));
  gauges->rechecks.Set(static_cast<double>(counts.rechecks_open));
}

}  // namespace ladder::evaluation
