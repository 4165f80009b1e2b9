-- Flag checks (an import's batches, FinalizeCycle, a cycle's open-flag count) look for the
-- flagged evaluations of one cycle; without this index each look reads the whole cycle.
CREATE INDEX IF NOT EXISTS evaluations_state ON evaluations (cycle_id, state);
