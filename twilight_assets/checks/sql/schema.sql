-- Columns that differ from the spec: missing, unexpected or of another type in the
-- table; and drift in what the source serves, from its latest responses' records
-- (raw_responses.fields and absent_fields): documented fields it did not send, written
-- as NULL, and fields it sent that the spec does not document, kept in the archive only.
WITH actual AS (
    SELECT column_name, data_type
    FROM information_schema.columns
    WHERE table_name = $table_name AND table_schema = current_schema()
      AND table_catalog = current_database()
),
expected AS (
    SELECT split_part(e, ':', 1) AS column_name, split_part(e, ':', 2) AS data_type
    FROM (SELECT unnest($expected) AS e)
),
recent AS (
    SELECT partition_key, fields, absent_fields FROM raw_responses
    WHERE api_name = $api_name AND pages > 0
    ORDER BY raw_id DESC
    LIMIT 5
),
sent AS (
    SELECT DISTINCT unnest(fields) AS column_name FROM recent
),
-- Fields Tushare serves only from a day on (the spec's served_from): absent before it
-- is history, not drift.
served_from AS (
    SELECT split_part(e, '|', 1) AS column_name, TRY_CAST(split_part(e, '|', 2) AS DATE) AS since
    FROM (SELECT unnest($served_from) AS e) WHERE e <> ''
),
absent AS (
    SELECT a.column_name, count(*) AS responses
    FROM (SELECT partition_key, unnest(absent_fields) AS column_name FROM recent) AS a
    LEFT JOIN served_from AS f ON f.column_name = a.column_name
    WHERE f.since IS NULL OR TRY_CAST(a.partition_key AS DATE) >= f.since
    GROUP BY a.column_name
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
    UNION ALL
    SELECT column_name,
           format('documented, not served in {} of the latest {} responses (written as NULL)',
                  responses, (SELECT count(*) FROM recent)) AS problem
    FROM absent
)
SELECT column_name, problem, problem AS detail
FROM problems
ORDER BY column_name
