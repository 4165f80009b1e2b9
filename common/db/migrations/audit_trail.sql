-- The audit trail: one row per mutating call and per refused call, written in the same
-- transaction as the call's effect. Rows are chained: each one's hash covers its fields and
-- the previous row's hash, and audit_chain_head holds the last id and hash, so an edited,
-- deleted or inserted row breaks the chain where VerifyAuditTrail recomputes it.
-- Ids are assigned by the writer (last_id + 1 under the head row's lock), not AUTO_INCREMENT,
-- so a gap is evidence of a deletion. Grant the service's database user INSERT and SELECT
-- on audit_events only (docs/security.md).

CREATE TABLE IF NOT EXISTS audit_events (
  id BIGINT NOT NULL PRIMARY KEY,
  -- Microseconds since the Unix epoch, UTC: exact, so the hash can be recomputed.
  occurred_us BIGINT NOT NULL,
  actor VARCHAR(160) NOT NULL,
  role VARCHAR(20) NOT NULL,
  action VARCHAR(200) NOT NULL,
  resource VARCHAR(200) NOT NULL,
  request_id VARCHAR(100) NOT NULL,
  outcome VARCHAR(40) NOT NULL,
  before_json MEDIUMTEXT NOT NULL,
  after_json MEDIUMTEXT NOT NULL,
  previous_hash CHAR(64) NOT NULL,
  hash CHAR(64) NOT NULL,
  KEY audit_events_actor (actor, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS audit_chain_head (
  id TINYINT NOT NULL PRIMARY KEY,
  last_id BIGINT NOT NULL,
  last_hash CHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO audit_chain_head (id, last_id, last_hash) VALUES (1, 0, REPEAT('0', 64));
