-- Results of data quality checks, one row per check evaluation (warehouse/quality.py's
-- CheckRecord). Append-only: history is the point, so a check's trend can be read back.
CREATE TABLE IF NOT EXISTS quality_log (
    id            BIGINT NOT NULL,      -- time-ordered id (warehouse/values.py)
    run_id        VARCHAR,              -- the Dagster run, when there was one
    asset         VARCHAR NOT NULL,     -- asset key = api_name
    check_name    VARCHAR NOT NULL,
    "partition"   VARCHAR,              -- a partition key, or a range 'a..b'
    severity      VARCHAR NOT NULL,     -- WARN | ERROR
    passed        BOOLEAN NOT NULL,
    metric        DOUBLE,
    threshold     DOUBLE,
    failed_rows   BIGINT NOT NULL,
    samples       JSON NOT NULL,        -- a few failing rows
    message       VARCHAR NOT NULL,
    evaluated_at  TIMESTAMP NOT NULL    -- UTC
);
COMMENT ON TABLE quality_log IS 'Every data quality check evaluation: passed or not, metric, threshold and sample failing rows.';
