#pragma once

// Lets something happen at most once per interval, from any number of threads: for log lines
// an event may cause thousands of times a second (an outage, a caller over its limits), where
// one a second tells operations as much as all of them.

#include <atomic>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ladder {

class OncePerInterval final {
 public:
  explicit OncePerInterval(absl::Duration interval) : interval_ms_(absl::ToInt64Milliseconds(interval)) {}

  // True for the first caller of each interval, false for the rest.
  bool Now() {
    const int64_t now = absl::ToUnixMillis(absl::Now());
    int64_t last = last_ms_.load(std::memory_order_relaxed);
    return now - last >= interval_ms_ && last_ms_.compare_exchange_strong(last, now, std::memory_order_relaxed);
  }

 private:
  const int64_t interval_ms_;
  std::atomic<int64_t> last_ms_{0};
};

}  // namespace ladder
