#pragma once

// The process's metrics, in one Prometheus registry that the metrics endpoint serves
// (metrics_endpoint.h). Every family is created once, at first use, and its series are
// cached by whoever increments them, so counting costs an atomic add, not a lookup.
//
// Labels never carry personal data (no names, no employee numbers, no subjects) and every
// label set is bounded: gRPC methods, status codes, counties, causes from a fixed list.

#include <memory>

#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace ladder::observability {

// The registry of this process.
prometheus::Registry& Metrics();
std::shared_ptr<prometheus::Registry> SharedMetrics();

// Bucket bounds (seconds) for latencies: those of go-grpc-prometheus (Prometheus'
// defaults) with 1 ms and 2.5 ms added below, where most of Ladder's calls end.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

}  // namespace ladder::observability
