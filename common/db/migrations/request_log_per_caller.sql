-- Request ids are scoped to their caller: the same id sent by two callers names two
-- requests, so nobody can take, block or replay another caller's ids (AIP-155 keys are the
-- caller's own). Records written before have caller ''.

ALTER TABLE request_log
  ADD COLUMN caller VARCHAR(160) NOT NULL DEFAULT '' FIRST,
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (caller, request_id);
