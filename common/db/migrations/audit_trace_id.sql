-- The W3C trace id of the call that made the change (or was refused), recorded with the
-- event so that an audit entry leads to the log lines of the same call in every service.
-- Events written before it have ''; the chain covers the column when set.

ALTER TABLE audit_pending ADD COLUMN trace_id CHAR(32) NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN trace_id CHAR(32) NOT NULL DEFAULT '';
