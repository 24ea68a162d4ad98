-- One small row per partition write: what was asked, what came back, and where the
-- response itself is archived. The pages as received live outside the database, in the
-- raw archive (TWILIGHT_ARCHIVE: zstd JSON files named by their sha256, see
-- warehouse/archive.py), so the warehouse file and its snapshots hold only what readers
-- read, and any normalized table can still be rebuilt offline (`twilight rebuild`).
-- Normalized rows point back here through their raw_id. The token is never stored.
CREATE TABLE IF NOT EXISTS raw_responses (
    raw_id              BIGINT NOT NULL,       -- time-ordered id made by the writer (warehouse/values.py)
    api_name            VARCHAR NOT NULL,
    partition_key       VARCHAR NOT NULL,      -- canonical partition (see warehouse/ledger.py)
    progress_key        VARCHAR NOT NULL,      -- the ledger key this write marked
    source              VARCHAR NOT NULL,      -- tushare | simulator
    request_params      JSON NOT NULL,         -- list: the params of every call, token removed
    fields              VARCHAR[] NOT NULL,    -- the fields the source sent
    absent_fields       VARCHAR[],             -- documented fields it did not send (written as NULL)
    row_count           BIGINT NOT NULL,       -- rows received, duplicates included
    pages               INTEGER NOT NULL,      -- calls made (limit/offset pages x variants)
    fetched_at          TIMESTAMP NOT NULL,    -- when the last page arrived (UTC)
    written_at          TIMESTAMP NOT NULL,    -- when this write committed (UTC): the rows' ingested_at
    archive_path        VARCHAR,               -- relative to TWILIGHT_ARCHIVE; NULL when nothing was fetched
    archive_bytes       BIGINT,                -- size of that file
    archive_sha256      VARCHAR,               -- sha256 of that file's bytes
    revision_conflicts  JSON                   -- report keys flagged update_flag 1 twice with different values
);
COMMENT ON TABLE raw_responses IS 'One row per partition write: the request, what came back, and the archived response (path, bytes, sha256).';
