-- The ingest ledger, append-only: one row per attempt to write a partition, keyed by the
-- generic progress key `<api_name>:<partition>` (warehouse/ledger.py), which names a trade
-- date, a stock, an index, a year or `once` alike. Appending, never updating, is what
-- lets writers on many hosts commit at once: a DuckLake transaction that deletes from a
-- table conflicts with every other writer of that table.
CREATE TABLE IF NOT EXISTS ingest_log (
    attempt_id          BIGINT NOT NULL,    -- time-ordered id (warehouse/values.py)
    progress_key        VARCHAR NOT NULL,
    api_name            VARCHAR NOT NULL,   -- `legacy` for carried-over rows that named no partition
    partition_key       VARCHAR NOT NULL,   -- the part of progress_key after the first ':'
    status              VARCHAR NOT NULL,   -- done | market_closed | failed (legacy statuses kept as they were)
    attempts            INTEGER NOT NULL,   -- 1; rows carried over from an older ledger keep their count
    rows                BIGINT,             -- rows written (after dedupe)
    duplicates_dropped  BIGINT,             -- in-batch duplicate keys resolved
    rows_removed        BIGINT,             -- rows of the partition the source no longer serves
    absent_fields       VARCHAR[],          -- documented fields the source did not serve
    source              VARCHAR,            -- tushare | simulator
    raw_id              BIGINT,             -- the raw_responses row written
    error               VARCHAR,            -- why a failed attempt failed (token removed)
    attempted_at        TIMESTAMP NOT NULL  -- UTC
);
COMMENT ON TABLE ingest_log IS 'Every attempt to write a partition: done, market_closed or failed, with counts, absent fields and the error.';

-- One row per partition: the latest attempt's status, the attempts so far, and what the
-- latest success wrote (a failure leaves the previous data, and its description, in place).
CREATE OR REPLACE VIEW ingest_progress AS
SELECT
    progress_key,
    arg_max(api_name, attempt_id)                                              AS api_name,
    arg_max(partition_key, attempt_id)                                         AS partition_key,
    arg_max(status, attempt_id)                                                AS status,
    CAST(sum(attempts) AS INTEGER)                                             AS attempts,
    arg_max(rows, attempt_id) FILTER (WHERE status IN ('done', 'market_closed'))               AS rows,
    arg_max(duplicates_dropped, attempt_id) FILTER (WHERE status IN ('done', 'market_closed')) AS duplicates_dropped,
    arg_max(raw_id, attempt_id) FILTER (WHERE status IN ('done', 'market_closed'))             AS raw_id,
    CASE WHEN arg_max(status, attempt_id) = 'failed' THEN arg_max(error, attempt_id) END      AS last_error,
    max(attempted_at)                                                                    AS updated_at,
    arg_max(absent_fields, attempt_id) FILTER (WHERE status IN ('done', 'market_closed'))      AS absent_fields,
    arg_max(source, attempt_id) FILTER (WHERE status IN ('done', 'market_closed'))             AS source
FROM ingest_log
GROUP BY progress_key;

-- Per dataset: how far it reaches and when it last succeeded; freshness checks read it.
CREATE OR REPLACE VIEW source_freshness AS
SELECT
    api_name,
    arg_max(source, attempt_id)         AS source,            -- source of the last successful write
    max(partition_key)                  AS latest_partition,  -- greatest partition written (newest date or year)
    arg_max(partition_key, attempt_id)  AS last_partition,    -- partition of the last successful write
    max(attempted_at)                             AS last_success_at,   -- UTC
    arg_max(rows, attempt_id)           AS rows               -- rows written by the last successful write
FROM ingest_log
WHERE status IN ('done', 'market_closed') AND api_name <> 'legacy'
GROUP BY api_name;

-- Snapshots a DuckLake has published (warehouse/lake_snapshots.py): the catalog version
-- readers attach at, newest row = current; a lake with a local catalog also records the
-- copies it publishes here, so maintenance keeps them readable. A warehouse file publishes
-- copies (TWILIGHT_SNAPSHOT_DIR) and leaves this table empty.
CREATE TABLE IF NOT EXISTS snapshot_publications (
    snapshot_id  VARCHAR NOT NULL,
    version      BIGINT NOT NULL,     -- the DuckLake snapshot (catalog version) published
    created_at   TIMESTAMP NOT NULL,  -- UTC
    info         JSON NOT NULL        -- row counts per table, timings
);
