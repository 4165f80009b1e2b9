-- Audit events are written, in the transaction of the change they record, to audit_pending
-- under an AUTO_INCREMENT key, which no two unrelated transactions contend for. A sealer
-- (common/db/audit_log.h) later moves committed pending events into audit_events in the
-- order it sees them commit, giving each the next consecutive id and chaining its hash;
-- only the sealer writes audit_chain_head. So no row is written by every mutation, on one
-- server or across a Galera cluster, and the sealed trail keeps its guarantees.
-- Grant the service's database user SELECT, INSERT, DELETE on audit_pending.

CREATE TABLE IF NOT EXISTS audit_pending (
  pending_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  occurred_us BIGINT NOT NULL,
  actor VARCHAR(160) NOT NULL,
  role VARCHAR(20) NOT NULL,
  on_behalf_of VARCHAR(160) NOT NULL DEFAULT '',
  action VARCHAR(200) NOT NULL,
  resource VARCHAR(200) NOT NULL,
  request_id VARCHAR(100) NOT NULL,
  outcome VARCHAR(40) NOT NULL,
  before_json MEDIUMTEXT NOT NULL,
  after_json MEDIUMTEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
