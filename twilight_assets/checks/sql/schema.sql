-- Columns that differ from the spec: missing, unexpected or of another type in the
-- table, plus fields the source sent in its latest responses that the spec does not
-- document (the writer keeps them in raw_responses only, so this is where drift shows).
WITH actual AS (
    SELECT column_name, data_type
    FROM information_schema.columns
    WHERE table_name = $table_name AND table_schema = current_schema()
),
expected AS (
    SELECT split_part(e, ':', 1) AS column_name, split_part(e, ':', 2) AS data_type
    FROM (SELECT unnest($expected) AS e)
),
recent AS (
    SELECT payload FROM raw_responses
    WHERE api_name = $api_name
    ORDER BY raw_id DESC
    LIMIT 5
),
sent AS (
    SELECT DISTINCT unnest(CAST(json_extract(page, '$.fields') AS VARCHAR[])) AS column_name
    FROM (SELECT unnest(CAST(payload AS JSON[])) AS page FROM recent)
),
problems AS (
    SELECT e.column_name, 'missing from the table' AS problem
    FROM expected e ANTI JOIN actual a ON a.column_name = e.column_name
    UNION ALL
    SELECT a.column_name, 'not in the spec' AS problem
    FROM actual a ANTI JOIN expected e ON e.column_name = a.column_name
    UNION ALL
    SELECT a.column_name, 'type ' || a.data_type || ', spec says ' || e.data_type AS problem
    FROM actual a JOIN expected e ON e.column_name = a.column_name
    WHERE a.data_type <> e.data_type
    UNION ALL
    SELECT s.column_name, 'sent by the source, not in the spec' AS problem
    FROM sent s
    WHERE NOT list_contains($spec_fields, s.column_name)
)
SELECT column_name, problem, problem AS detail
FROM problems
ORDER BY column_name
