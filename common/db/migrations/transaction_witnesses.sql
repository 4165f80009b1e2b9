-- One row per open database session on a Galera node, written first by each of its
-- transactions with the attempt's number and checked before and after COMMIT, so that a
-- transaction the cluster aborted without telling the session can never commit in part
-- (common/db/transaction_witness.h). No two sessions share a row, so the rows never
-- conflict. On a single server the table stays empty.
-- Grant the service's database user SELECT, INSERT, UPDATE, DELETE on transaction_witnesses.

CREATE TABLE IF NOT EXISTS transaction_witnesses (
  session_token BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  attempt BIGINT NOT NULL,
  touched_at DATETIME(6) NOT NULL,
  KEY transaction_witnesses_touched (touched_at)
) ENGINE=InnoDB;
