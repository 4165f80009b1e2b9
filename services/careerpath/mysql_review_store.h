#pragma once

#include "common/db/connection_pool.h"
#include "services/careerpath/review_store.h"

namespace ladder::careerpath {

// ReviewStore on a MySQL-compatible database (the `reviews` table, migrations/0006); the
// batches' cases go to the `cases` table in the same transaction as the progress.
class MySqlReviewStore final : public ReviewStore {
 public:
  explicit MySqlReviewStore(db::ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<Review> StartReview(int64_t cycle_id, int participant_count,
                                     const db::MutationContext& context) override;
  absl::StatusOr<Review> GetReview(int64_t id) override;
  absl::StatusOr<api::Page<Review>> ListReviews(const api::PageRequest& page) override;
  absl::StatusOr<Review> RequestCancel(int64_t id, const db::MutationContext& context) override;
  absl::StatusOr<std::optional<Review>> LeaseReview(const std::string& owner, absl::Duration lease) override;
  absl::StatusOr<Review> CommitBatch(int64_t id, const std::string& owner, absl::Duration lease,
                                     const ReviewBatch& batch) override;
  absl::Status FailReview(int64_t id, const std::string& owner, const absl::Status& error) override;
  absl::Status ReleaseReview(int64_t id, const std::string& owner) override;

 private:
  db::ConnectionPool* pool_;
};

}  // namespace ladder::careerpath
