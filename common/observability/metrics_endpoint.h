#pragma once

// The HTTP endpoint Prometheus scrapes: GET /metrics in the text exposition format, on an
// address of its own (--metrics_listen), apart from the gRPC port, so that a
// NetworkPolicy can open it to the monitoring namespace alone. Plain HTTP: it serves
// counts, gauges and histograms, none of them personal data.

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace prometheus {
class Exposer;
}  // namespace prometheus

namespace ladder::observability {

class MetricsEndpoint final {
 public:
  // Serves the process's registry on `listen` ("127.0.0.1:0" picks a free port).
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(const std::string& listen);
  ~MetricsEndpoint();

  int port() const { return port_; }

 private:
  explicit MetricsEndpoint(std::unique_ptr<prometheus::Exposer> exposer, int port);

  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
};

}  // namespace ladder::observability
