-- The person a service acted for (careerpath applying an approval in personnel), recorded
-- with the event. Events written before it have ''; the chain covers the column when set.

ALTER TABLE audit_events ADD COLUMN on_behalf_of VARCHAR(160) NOT NULL DEFAULT '' AFTER role;
