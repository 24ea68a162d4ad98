-- The ingest progress ledger: one row per partition of one dataset, keyed by the generic
-- progress key `<api_name>:<partition>` (warehouse/progress.py), which names a trade date,
-- a stock, an index, a year or `once` alike. It replaces the seed's backfill_progress,
-- whose (api_name, trade_date) key could not (see migrations/0001).
CREATE TABLE IF NOT EXISTS ingest_progress (
    progress_key        VARCHAR PRIMARY KEY,
    api_name            VARCHAR NOT NULL,   -- `legacy` for carried-over rows that named no partition
    partition_key       VARCHAR NOT NULL,   -- the part of progress_key after the first ':'
    status              VARCHAR NOT NULL,   -- done | market_closed | failed (legacy statuses kept as they were)
    attempts            INTEGER NOT NULL DEFAULT 0,  -- every try, successful or not
    rows                BIGINT,             -- rows written by the last success (after dedupe)
    duplicates_dropped  BIGINT,             -- in-batch duplicate keys resolved by the last success
    raw_id              BIGINT,             -- raw_responses row of the last success
    last_error          VARCHAR,            -- why the last try failed; NULL after a success
    updated_at          TIMESTAMP NOT NULL  -- UTC
);
COMMENT ON TABLE ingest_progress IS 'One row per dataset partition: done, market_closed or failed, with attempts and the last error.';

-- Per dataset: how far it reaches and when it last succeeded; freshness checks read it.
CREATE TABLE IF NOT EXISTS source_freshness (
    api_name          VARCHAR PRIMARY KEY,
    source            VARCHAR NOT NULL,     -- source of the last successful write
    latest_partition  VARCHAR NOT NULL,     -- greatest partition written (newest date or year)
    last_partition    VARCHAR NOT NULL,     -- partition of the last successful write
    last_success_at   TIMESTAMP NOT NULL,   -- UTC
    rows              BIGINT NOT NULL       -- rows written by the last successful write
);
COMMENT ON TABLE source_freshness IS 'Per dataset: newest partition written and when the last write succeeded.';
