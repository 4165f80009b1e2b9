-- The change feed (ListChanges, WatchChanges): what downstream systems (payroll, the org
-- chart, notifications, the data warehouse) follow instead of polling. A change is written
-- as part of its audit event, in the audit event's transaction (a transactional outbox:
-- never published without being committed, never committed without being published), and
-- the sealer copies it to change_events under the audit event's id. Sealing gives ids in
-- the order events are seen to commit, so a consumer that resumes after id N never misses
-- a change committed later with an earlier pending id.
-- Grant the service's database user SELECT, INSERT, DELETE on change_events and SELECT,
-- UPDATE on change_feed_horizon.

ALTER TABLE audit_pending ADD COLUMN change_kind VARCHAR(40) NOT NULL DEFAULT '';
ALTER TABLE audit_pending ADD COLUMN change_county_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_pending ADD COLUMN change_other_county_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_pending ADD COLUMN change_payload MEDIUMBLOB NULL;

CREATE TABLE IF NOT EXISTS change_events (
  -- The id of the audit event the change was recorded with (audit_events.id).
  id BIGINT NOT NULL PRIMARY KEY,
  -- The service's own name of the kind, e.g. KIND_LEVEL_CHANGED.
  kind VARCHAR(40) NOT NULL,
  -- The counties the change touches (0: none): after it, and before it for a move.
  county_id BIGINT NOT NULL DEFAULT 0,
  other_county_id BIGINT NOT NULL DEFAULT 0,
  -- The service's Change message, serialized, without what the audit event holds.
  payload MEDIUMBLOB NOT NULL,
  KEY change_events_county (county_id, id),
  KEY change_events_other_county (other_county_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Changes up to pruned_through were deleted after the retention period: a cursor before it
-- can no longer be served without a gap, and is refused.
CREATE TABLE IF NOT EXISTS change_feed_horizon (
  id TINYINT NOT NULL PRIMARY KEY,
  pruned_through BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO change_feed_horizon (id, pruned_through) VALUES (1, 0);
