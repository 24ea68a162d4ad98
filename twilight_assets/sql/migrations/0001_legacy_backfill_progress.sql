-- requires-table: backfill_progress
--
-- The seed's ledger, backfill_progress, was keyed by (api_name, trade_date), which cannot
-- name a stock, an index, a year or a dataset fetched once. On the production host its
-- key and NOT NULL were relaxed and per-entity work was recorded as markers in api_name
-- (`t3:income:000001.SZ`) with a NULL or sentinel (1970-01-01) trade_date.
--
-- Every row gets its generic key from legacy_progress_key() (warehouse/ledger.py, a
-- Python function registered on the connection): the partition it names, or
-- `legacy:<api_name>[@<date>]` when it names none, so no row is dropped. Rows that land on
-- one key (duplicates the relaxed table allowed) become one ledger row: a `done` row
-- wins, then the latest; attempts add up. Keys the new ledger already has keep the new
-- ledger's rows. The old table is kept, renamed, with each row's key beside it (and its
-- raw_id, which names a row of the seed's raw table, not of raw_responses).
ALTER TABLE backfill_progress ADD COLUMN progress_key VARCHAR;

UPDATE backfill_progress SET progress_key = legacy_progress_key(api_name, trade_date);

INSERT INTO ingest_log
    (attempt_id, progress_key, api_name, partition_key, status, attempts, rows,
     duplicates_dropped, rows_removed, absent_fields, source, raw_id, error, attempted_at)
SELECT
    -- time-ordered ids as the writer makes them (warehouse/values.py), from each row's time
    epoch_us(coalesce(updated_at, CAST(now() AS TIMESTAMP))) * 1024 + row_number() OVER () % 1024,
    progress_key,
    split_part(progress_key, ':', 1),
    substr(progress_key, strpos(progress_key, ':') + 1),
    coalesce(status, 'unknown'),
    total_attempts,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,  -- the seed's raw ids name rows of its own raw table, not raw_responses
    last_error,
    coalesce(updated_at, CAST(now() AS TIMESTAMP))
FROM (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY progress_key
            ORDER BY (status = 'done') DESC NULLS LAST, updated_at DESC NULLS LAST
        ) AS preference,
        sum(coalesce(attempts, 0)) OVER (PARTITION BY progress_key) AS total_attempts
    FROM backfill_progress
) AS legacy
WHERE preference = 1
  AND NOT EXISTS (SELECT 1 FROM ingest_log AS l WHERE l.progress_key = legacy.progress_key);

ALTER TABLE backfill_progress RENAME TO backfill_progress_legacy;

COMMENT ON TABLE backfill_progress_legacy IS 'The seed''s progress ledger as it was, kept by migration 0001; progress_key says which ingest_progress row each row became.';
