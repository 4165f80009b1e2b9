#pragma once

// Loads the demo evaluation data through the EvaluationService API: a quarterly scorecard,
// two finalised quarters (2026 Q2 and Q3) and an open one (Q4) with part of its scores, so
// rankings, score history and "N consecutive cycles" rules have something to show.
// Idempotent like the branch loader: it looks for what exists by display name and state,
// and every mutation carries a request id derived from the seed.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "ladder/evaluation/v1/evaluation_service.grpc.pb.h"

namespace ladder::seed {

struct EvaluationStats {
  int cycles_created = 0;
  int64_t scores_written = 0;
  int cycles_finalized = 0;
};

class EvaluationLoader final {
 public:
  EvaluationLoader(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline, uint64_t seed, std::string scope);

  absl::Status Load();
  const EvaluationStats& stats() const { return stats_; }
  // The last finalised quarter, "cycles/{id}", once loaded.
  const std::string& latest_finalized_cycle() const { return latest_finalized_cycle_; }

 private:
  absl::StatusOr<std::string> EnsureScorecard();
  // The cycle named `display_name`, created if missing.
  absl::StatusOr<evaluation::v1::Cycle> EnsureCycle(const std::string& key, const std::string& display_name,
                                                    int quarter, const std::string& scorecard);
  // Scores every pending participant (or `share_percent` of them) of the cycle.
  absl::Status ScorePending(const evaluation::v1::Cycle& cycle, const std::string& key, int share_percent);
  absl::Status Finalize(const evaluation::v1::Cycle& cycle, const std::string& key);
  std::unique_ptr<grpc::ClientContext> Context() const;
  std::string RequestId(absl::string_view what) const;

  std::unique_ptr<evaluation::v1::EvaluationService::Stub> stub_;
  absl::Duration deadline_;
  uint64_t seed_;
  std::string scope_;
  EvaluationStats stats_;
  std::string latest_finalized_cycle_;
};

}  // namespace ladder::seed
