-- Cycle reviews as long-running operations (RunCycleReview). A review works through the
-- cycle's participants a batch at a time; each batch's cases are committed in one
-- transaction with the review's progress and where the next batch starts, so a review
-- interrupted at any point goes on from its last batch and no case is made twice. The
-- replica working on a review holds a lease on its row; when the lease runs out (the replica
-- died) another takes the review over. On a cluster the lease and every batch write this
-- row, so two replicas cannot both commit a batch of one review.
CREATE TABLE IF NOT EXISTS reviews (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  cycle_id BIGINT NOT NULL,
  -- The cycle while the review runs, NULL once it is done: one running review per cycle.
  running_cycle_id BIGINT NULL,
  -- 1 running, 2 succeeded, 3 failed, 4 cancelled.
  state TINYINT NOT NULL,
  participant_count INT NOT NULL,
  processed_count INT NOT NULL DEFAULT 0,
  reviewed_count INT NOT NULL DEFAULT 0,
  created_case_count INT NOT NULL DEFAULT 0,
  existing_case_count INT NOT NULL DEFAULT 0,
  -- The evaluation service's page token where the next batch starts ('' for the first).
  resume_token VARCHAR(512) NOT NULL DEFAULT '',
  cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
  -- A failed review's google.rpc.Code and message.
  error_code INT NOT NULL DEFAULT 0,
  error_message VARCHAR(1000) NOT NULL DEFAULT '',
  requested_by VARCHAR(160) NOT NULL,
  requested_role VARCHAR(40) NOT NULL DEFAULT '',
  requested_on_behalf_of VARCHAR(160) NOT NULL DEFAULT '',
  -- Which replica works on it, until when (the database's clock).
  lease_owner VARCHAR(100) NOT NULL DEFAULT '',
  lease_until DATETIME(6) NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  end_time DATETIME(6) NULL,
  UNIQUE KEY reviews_running_cycle (running_cycle_id),
  KEY reviews_state (state, lease_until)
) ENGINE=InnoDB;
