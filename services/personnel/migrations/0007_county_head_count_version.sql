-- Every transaction that changes a county's head counts advances the county row's
-- head_count_version before it counts, so two such transactions always conflict on a row
-- both of them write: under a row lock on one server, and at certification on a Galera
-- cluster, which replicates written rows but not the locks of SELECT ... FOR UPDATE.
-- A level change records the versions it gave its counties: a county's history replayed in
-- that order is its commit order, on any topology (ids are not: a cluster interleaves them).

ALTER TABLE org_units ADD COLUMN head_count_version BIGINT NOT NULL DEFAULT 0;

ALTER TABLE level_changes
  ADD COLUMN from_county_version BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN to_county_version BIGINT NOT NULL DEFAULT 0;
