-- The personnel schema: the organisation, its people and their level history.
-- Enumerations are stored as the numbers of their proto enums (ladder.personnel.v1).
-- There are no foreign keys on purpose: org units and employees are never deleted, the
-- service checks references, and the senior-cap protocol (lock the county row, count,
-- write) must not be disturbed by the shared locks foreign keys would add.

CREATE TABLE IF NOT EXISTS org_units (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  display_name VARCHAR(100) NOT NULL,
  kind TINYINT NOT NULL,
  -- 0 for a city branch.
  parent_id BIGINT NOT NULL DEFAULT 0,
  create_time DATETIME(6) NOT NULL,
  UNIQUE KEY org_units_sibling_name (parent_id, display_name),
  KEY org_units_kind (kind, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS teams (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_id BIGINT NOT NULL,
  display_name VARCHAR(100) NOT NULL,
  -- 0 while no supervisor is recorded.
  supervisor_id BIGINT NOT NULL DEFAULT 0,
  create_time DATETIME(6) NOT NULL,
  UNIQUE KEY teams_county_name (county_id, display_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS employees (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  employee_number VARCHAR(32) NOT NULL,
  display_name VARCHAR(100) NOT NULL,
  county_id BIGINT NOT NULL,
  -- 0 for no team.
  team_id BIGINT NOT NULL DEFAULT 0,
  role TINYINT NOT NULL,
  entry_channel TINYINT NOT NULL,
  status TINYINT NOT NULL,
  level TINYINT NOT NULL DEFAULT 0,
  post_grade INT NOT NULL DEFAULT 0,
  level_since DATE NULL,
  trial_ends_on DATE NULL,
  hire_date DATE NOT NULL,
  separation_reason TINYINT NOT NULL DEFAULT 0,
  separation_date DATE NULL,
  -- Bumped on every write; the etag.
  version BIGINT NOT NULL DEFAULT 1,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  UNIQUE KEY employees_number (employee_number),
  -- Serves the per-county head counts of the quota check and the county filters of lists.
  KEY employees_county (county_id, role, status, level),
  KEY employees_team (team_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Append-only. Each row carries the county numbers as committed with it, so the history
-- alone shows that every senior promotion and transfer-in stayed within the cap.
CREATE TABLE IF NOT EXISTS level_changes (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  employee_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,
  from_level TINYINT NOT NULL,
  to_level TINYINT NOT NULL,
  from_county_id BIGINT NOT NULL,
  to_county_id BIGINT NOT NULL,
  reason VARCHAR(500) NOT NULL,
  decision VARCHAR(200) NOT NULL,
  policy_version VARCHAR(32) NOT NULL,
  effective_date DATE NOT NULL,
  actor VARCHAR(160) NOT NULL,
  commit_time DATETIME(6) NOT NULL,
  to_levelled INT NOT NULL,
  to_seniors INT NOT NULL,
  to_senior_cap INT NOT NULL,
  from_levelled INT NOT NULL,
  from_seniors INT NOT NULL,
  from_senior_cap INT NOT NULL,
  KEY level_changes_employee (employee_id, id),
  KEY level_changes_to_county (to_county_id, id),
  KEY level_changes_from_county (from_county_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
