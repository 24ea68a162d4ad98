-- The results that stand in quality_log: the latest per check and partition, except
-- partition results older than a later full sweep of the same check. outcome is
-- 'failed', 'skipped' (evaluated nothing: its message starts with $1) or 'passed'.
WITH latest AS (
    SELECT *, row_number() OVER (
        PARTITION BY asset, check_name, coalesce("partition", '')
        ORDER BY evaluated_at DESC, id DESC) AS rn
    FROM quality_log
),
sweeps AS (
    SELECT asset, check_name, max(evaluated_at) AS swept_at
    FROM quality_log
    WHERE "partition" IS NULL
    GROUP BY asset, check_name
)
SELECT l.run_id, l.asset, l.check_name, l."partition", l.severity, l.metric, l.threshold,
       l.failed_rows, CAST(l.samples AS VARCHAR) AS samples, l.message, l.evaluated_at,
       CASE WHEN NOT l.passed THEN 'failed'
            WHEN starts_with(l.message, $1) THEN 'skipped'
            ELSE 'passed' END AS outcome
FROM latest AS l
LEFT JOIN sweeps AS s ON s.asset = l.asset AND s.check_name = l.check_name
WHERE l.rn = 1
  AND (l."partition" IS NULL OR s.swept_at IS NULL OR l.evaluated_at > s.swept_at)
