-- Reports that the latest response for a partition (the one ingest_progress points to)
-- flags as the latest revision (update_flag 1) more than once, with different values:
-- the writer then keeps one by its tie-break, and which is right cannot be known.
-- Reads raw_responses because the normalized table keeps only the winner.
WITH latest AS (
    SELECT partition_key, raw_id FROM ingest_progress
    WHERE api_name = $api_name AND raw_id IS NOT NULL AND {{ scope(partition_key) }}
),
pages AS (
    SELECT unnest(CAST(r.payload AS JSON[])) AS page
    FROM raw_responses AS r
    SEMI JOIN latest AS l ON l.raw_id = r.raw_id
),
items AS (
    SELECT CAST(json_extract(page, '$.fields') AS VARCHAR[]) AS fields,
           unnest(CAST(json_extract(page, '$.items') AS JSON[])) AS item
    FROM pages
),
flagged AS (
    SELECT {{ report_key_extract }}, CAST(item AS VARCHAR) AS row_text
    FROM items
    WHERE json_extract_string(item, list_position(fields, 'update_flag') - 1) = '1'
)
SELECT {{ report_key }}, count(DISTINCT row_text) AS latest_revisions,
       format('{} rows flagged update_flag 1', count(DISTINCT row_text)) AS detail
FROM flagged
GROUP BY {{ report_key }}
HAVING count(DISTINCT row_text) > 1
ORDER BY {{ report_key }}
