-- Every Tushare (or simulator) response exactly as received, one row per partition write,
-- so any normalized table can be rebuilt offline without calling Tushare again.
-- Normalized rows point back here through their raw_id. The token is never stored:
-- the writer strips it (and any key named token) from every params object.
CREATE SEQUENCE IF NOT EXISTS raw_responses_id_seq START 1;

CREATE TABLE IF NOT EXISTS raw_responses (
    raw_id          BIGINT PRIMARY KEY DEFAULT nextval('raw_responses_id_seq'),
    api_name        VARCHAR NOT NULL,
    partition_key   VARCHAR NOT NULL,      -- canonical partition (see warehouse/progress.py)
    progress_key    VARCHAR NOT NULL,      -- the ingest_progress row this write marked
    source          VARCHAR NOT NULL,      -- tushare | simulator
    request_params  JSON NOT NULL,         -- list: the params of every call, token removed
    fields          VARCHAR[] NOT NULL,    -- the fields asked for / returned
    row_count       BIGINT NOT NULL,       -- rows received, duplicates included
    pages           INTEGER NOT NULL,      -- calls made (limit/offset pages x variants)
    fetched_at      TIMESTAMP NOT NULL,    -- when the last page arrived (UTC)
    written_at      TIMESTAMP NOT NULL,    -- when this row was committed (UTC)
    payload         JSON NOT NULL          -- [{"params", "fields", "items"}] per page
);
COMMENT ON TABLE raw_responses IS 'Every response as received (token removed); normalized rows link here by raw_id.';
