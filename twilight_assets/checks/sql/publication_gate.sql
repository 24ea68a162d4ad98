-- Blocking checks that hold back publication: the latest evaluation of a check over some
-- scope failed, and no later passing evaluation of the same scope, or of the whole table
-- ("partition" NULL), has cleared it. A failure on one day is not cleared by the next
-- day passing: that day's bad rows would be published.
-- Not a check: the publication gate (checks/gate.py) reads it over quality_log.
WITH evaluations AS (
    SELECT asset, check_name, "partition", passed, message, evaluated_at, run_id
    FROM quality_log
    WHERE check_name IN (SELECT unnest(CAST(? AS VARCHAR[])))
),
latest_per_scope AS (
    SELECT *,
           row_number() OVER (
               PARTITION BY check_name, coalesce("partition", '')
               -- A tie (one batch logged both) counts as the failure: never publish on doubt.
               ORDER BY evaluated_at DESC, passed ASC
           ) AS recency
    FROM evaluations
),
last_full_pass AS (
    SELECT check_name, max(evaluated_at) AS at
    FROM evaluations
    WHERE passed AND "partition" IS NULL
    GROUP BY check_name
)
SELECT s.asset, s.check_name, s."partition", s.message, s.evaluated_at, s.run_id
FROM latest_per_scope AS s
LEFT JOIN last_full_pass AS f USING (check_name)
WHERE s.recency = 1 AND NOT s.passed AND (f.at IS NULL OR s.evaluated_at > f.at)
ORDER BY s.asset, s.check_name, s."partition" NULLS FIRST
