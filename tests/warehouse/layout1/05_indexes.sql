-- Secondary indexes. DuckDB answers range and aggregate scans from zone maps without any
-- index, and an ART index costs space (a primary key tripled a daily-shaped table: see
-- DESIGN.md) and slows every write, so normalized tables get none beyond their primary
-- keys, which the upsert needs anyway.
--
-- raw_responses: re-normalizing one partition looks up its responses by (api_name,
-- partition_key) among a row per partition ever written; rows are wide (the payload),
-- so a scan reads far more than this small index costs. The table is append-only, so
-- the index never slows an update.
CREATE INDEX IF NOT EXISTS raw_responses_partition_idx ON raw_responses (api_name, partition_key);
