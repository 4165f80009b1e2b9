-- The evaluation schema: scorecards, cycles with their participants' evaluations, and the
-- entry assessments. People are referenced by their ids in the personnel service; their
-- county, team and level are copied into each evaluation when its cycle is created.
-- Scores are tenths of a point and composites thousandths, so sums and ties are exact.

CREATE TABLE IF NOT EXISTS scorecards (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  display_name VARCHAR(100) NOT NULL,
  -- Set once a cycle uses the scorecard; it never changes again.
  in_use TINYINT NOT NULL DEFAULT 0,
  create_time DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS scorecard_indicators (
  scorecard_id BIGINT NOT NULL,
  position INT NOT NULL,
  indicator_key VARCHAR(32) NOT NULL,
  display_name VARCHAR(100) NOT NULL,
  weight_percent INT NOT NULL,
  PRIMARY KEY (scorecard_id, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS cycles (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  display_name VARCHAR(100) NOT NULL,
  period TINYINT NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE NOT NULL,
  scorecard_id BIGINT NOT NULL,
  scope_id BIGINT NOT NULL,
  state TINYINT NOT NULL,
  participant_count INT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  finalize_time DATETIME(6) NULL,
  KEY cycles_scope (scope_id, id),
  KEY cycles_state (state, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS evaluations (
  cycle_id BIGINT NOT NULL,
  employee_id BIGINT NOT NULL,
  county_id BIGINT NOT NULL DEFAULT 0,
  team_id BIGINT NOT NULL DEFAULT 0,
  level TINYINT NOT NULL DEFAULT 0,
  state TINYINT NOT NULL DEFAULT 1,
  -- Tenths per indicator in scorecard order, "875,900,…"; empty until scored.
  scores VARCHAR(400) NOT NULL DEFAULT '',
  composite_milli INT NULL,
  scorer VARCHAR(160) NOT NULL DEFAULT '',
  recheck_reason VARCHAR(500) NOT NULL DEFAULT '',
  flagged_by VARCHAR(160) NOT NULL DEFAULT '',
  flag_time DATETIME(6) NULL,
  resolved_by VARCHAR(160) NOT NULL DEFAULT '',
  resolution VARCHAR(500) NOT NULL DEFAULT '',
  resolve_time DATETIME(6) NULL,
  version BIGINT NOT NULL DEFAULT 1,
  update_time DATETIME(6) NOT NULL,
  PRIMARY KEY (cycle_id, employee_id),
  -- Rankings: one county and level of a cycle, by composite.
  KEY evaluations_ranking (cycle_id, county_id, level, composite_milli),
  -- Score history of an employee.
  KEY evaluations_employee (employee_id, cycle_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS trial_assessments (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  employee_id BIGINT NOT NULL,
  outcome TINYINT NOT NULL,
  score_tenths INT NOT NULL,
  assessor VARCHAR(100) NOT NULL,
  assessed_on DATE NOT NULL,
  note VARCHAR(500) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  KEY trial_assessments_employee (employee_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS candidate_assessments (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  employee_id BIGINT NOT NULL,
  written_tenths INT NOT NULL,
  interview_tenths INT NOT NULL,
  total_milli INT NOT NULL,
  passed TINYINT NOT NULL,
  policy_version VARCHAR(32) NOT NULL,
  assessor VARCHAR(100) NOT NULL,
  assessed_on DATE NOT NULL,
  note VARCHAR(500) NOT NULL,
  create_time DATETIME(6) NOT NULL,
  KEY candidate_assessments_employee (employee_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
