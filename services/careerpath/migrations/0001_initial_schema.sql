-- The career-path schema: cases and their workflow. People, levels and scores live in the
-- personnel and evaluation services and are referenced by id.

CREATE TABLE IF NOT EXISTS cases (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind TINYINT NOT NULL,
  employee_id BIGINT NOT NULL,
  county_id BIGINT NOT NULL,
  from_level TINYINT NOT NULL,
  to_level TINYINT NOT NULL,
  career_move_target TINYINT NOT NULL DEFAULT 0,
  post_grade INT NOT NULL DEFAULT 0,
  -- 0 for cases not made by a cycle review.
  cycle_id BIGINT NOT NULL DEFAULT 0,
  -- ladder.careerpath.v1.Eligibility, serialised: the evidence as last checked.
  evidence MEDIUMBLOB NOT NULL,
  policy_version VARCHAR(32) NOT NULL,
  state TINYINT NOT NULL,
  state_reason VARCHAR(500) NOT NULL DEFAULT '',
  -- Waitlist order: the higher composite first, then the longer tenure, then the older case.
  rank_composite_milli INT NOT NULL DEFAULT 0,
  rank_days_at_level INT NOT NULL DEFAULT 0,
  proposed_by VARCHAR(160) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  decided_by VARCHAR(160) NOT NULL DEFAULT '',
  decide_time DATETIME(6) NULL,
  apply_time DATETIME(6) NULL,
  version BIGINT NOT NULL DEFAULT 1,
  -- A review makes at most one case of a kind per participant and cycle.
  review_key VARCHAR(64) NULL,
  UNIQUE KEY cases_review_key (review_key),
  KEY cases_county_state (county_id, state, id),
  KEY cases_employee (employee_id, id),
  KEY cases_cycle (cycle_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per county, locked while a case of the county is approved, so waitlist
-- decisions of one county are taken one at a time.
CREATE TABLE IF NOT EXISTS county_locks (
  county_id BIGINT NOT NULL PRIMARY KEY
) ENGINE=InnoDB;
