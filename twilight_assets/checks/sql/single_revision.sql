-- Reports that the latest response for a partition (the one ingest_progress points to)
-- flags as the latest revision (update_flag 1) more than once, with different values:
-- the writer then keeps one by its tie-break, and which is right cannot be known. The
-- writer finds them while the batch is at hand and records them in the response's row
-- (raw_responses.revision_conflicts), since the normalized table keeps only the winner.
WITH latest AS (
    SELECT raw_id FROM ingest_progress
    WHERE api_name = $api_name AND raw_id IS NOT NULL AND {{ scope(partition_key) }}
),
conflicts AS (
    SELECT unnest(CAST(r.revision_conflicts AS JSON[])) AS conflict
    FROM raw_responses AS r
    SEMI JOIN latest AS l ON l.raw_id = r.raw_id
    WHERE r.api_name = $api_name AND r.revision_conflicts IS NOT NULL
)
SELECT {{ report_key_extract }},
       CAST(json_extract_string(conflict, '$.versions') AS BIGINT) AS latest_revisions,
       format('{} rows flagged update_flag 1', json_extract_string(conflict, '$.versions')) AS detail
FROM conflicts
ORDER BY {{ report_key }}
