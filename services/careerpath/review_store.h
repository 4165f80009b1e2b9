#pragma once

// Where cycle reviews (RunCycleReview) keep their state: one record per review with its
// progress, where its next batch starts, and the lease of the replica working on it. A
// batch's cases are committed with the progress they make, so the progress is always that
// of committed work and a review can resume at any point.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/api/page.h"
#include "common/api/pagination.h"
#include "common/db/mutation_context.h"
#include "services/careerpath/case_store.h"

namespace ladder::careerpath {

enum class ReviewState { kRunning = 1, kSucceeded = 2, kFailed = 3, kCancelled = 4 };

struct ReviewProgress {
  int processed = 0;
  int reviewed = 0;
  int created = 0;
  int existing = 0;
};

struct Review {
  int64_t id = 0;
  int64_t cycle_id = 0;
  ReviewState state = ReviewState::kRunning;
  int participant_count = 0;
  ReviewProgress progress;
  // Where the next batch starts: the evaluation service's page token ("" for the first).
  std::string resume_token;
  bool cancel_requested = false;
  // Why a failed review failed; OK otherwise.
  absl::Status error;
  // Who asked for it, as their mutations record them; the cases are made in their name.
  std::string requested_by;
  std::string requested_role;
  std::string requested_on_behalf_of;
  absl::Time create_time;
  absl::Time update_time;
  std::optional<absl::Time> end_time;

  bool done() const { return state != ReviewState::kRunning; }
};

// One batch of a review, to be committed as one.
struct ReviewBatch {
  std::vector<NewCase> cases;
  // Participants the batch looked at, and of them the ones judged.
  int processed = 0;
  int reviewed = 0;
  // Where the batch after this one starts; "" when this is the last.
  std::string next_token;
};

class ReviewStore {
 public:
  virtual ~ReviewStore() = default;

  // A new running review of the cycle, or the one already running for it.
  virtual absl::StatusOr<Review> StartReview(int64_t cycle_id, int participant_count,
                                             const db::MutationContext& context) = 0;
  virtual absl::StatusOr<Review> GetReview(int64_t id) = 0;
  // Newest first; a page holds reviews with id below `page.after_id` (0: from the newest).
  virtual absl::StatusOr<api::Page<Review>> ListReviews(const api::PageRequest& page) = 0;
  // Marks the review to stop before its next batch; a review no replica holds stops at once.
  // A review already done is returned unchanged.
  virtual absl::StatusOr<Review> RequestCancel(int64_t id, const db::MutationContext& context) = 0;

  // Takes a running review that no replica holds (never leased, released, or its lease run
  // out) for `owner` until `lease` from now; nullopt when there is none.
  virtual absl::StatusOr<std::optional<Review>> LeaseReview(const std::string& owner, absl::Duration lease) = 0;
  // Commits `batch` — its cases (one that exists already is counted as existing), the
  // progress and where the next batch starts — and extends the lease, if `owner` holds the
  // review; the last batch (empty next_token) finishes it. A review asked to cancel is
  // finished as cancelled instead, without the batch. ABORTED (REVIEW_LEASE_LOST) when
  // another replica holds the review now.
  virtual absl::StatusOr<Review> CommitBatch(int64_t id, const std::string& owner, absl::Duration lease,
                                             const ReviewBatch& batch) = 0;
  // Finishes the review as failed with `error`, if `owner` holds it.
  virtual absl::Status FailReview(int64_t id, const std::string& owner, const absl::Status& error) = 0;
  // Gives the review up for any replica to take at once (this one is stopping).
  virtual absl::Status ReleaseReview(int64_t id, const std::string& owner) = 0;
};

}  // namespace ladder::careerpath
