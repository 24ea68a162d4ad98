-- Every gap the ledger, the calendar and the lists already know about, one row per
-- (api_name, partition_key) with why it is one. Read from a published snapshot.
--   failed:   the partition's latest attempt failed (the ledger keeps the error)
--   missing:  an open trading day (trade_cal, SSE) of a per-date dataset, from its first
--             written day to $due, never ingested, or recorded without rows
--   unlisted: a stock or index the lists hold that a per-entity dataset, once begun,
--             has never attempted
-- $datasets: every dataset; $per_date: per-date ones; $per_stock / $per_index: per-entity
-- ones by the list their partitions come from.
WITH failed AS (
    SELECT api_name, partition_key, 'failed: ' || coalesce(last_error, 'no error recorded') AS reason
    FROM ingest_progress
    WHERE status = 'failed' AND list_contains($datasets, api_name)
),
begun AS (
    SELECT api_name, min(partition_key) AS first_partition
    FROM ingest_progress
    WHERE status IN ('done', 'market_closed')
    GROUP BY api_name
),
open_days AS (
    SELECT DISTINCT strftime(cal_date, '%Y-%m-%d') AS partition_key
    FROM normalized_trade_cal
    WHERE exchange = 'SSE' AND is_open = 1 AND cal_date <= CAST($due AS DATE)
),
missing AS (
    SELECT b.api_name, d.partition_key,
           CASE WHEN p.status IS NULL THEN 'missing: an open day never ingested'
                ELSE 'missing: an open day recorded ' || p.status || ' with '
                     || coalesce(p.rows, 0) || ' rows' END AS reason
    FROM begun AS b
    JOIN open_days AS d ON d.partition_key >= b.first_partition
    LEFT JOIN ingest_progress AS p ON p.api_name = b.api_name AND p.partition_key = d.partition_key
    WHERE list_contains($per_date, b.api_name)
      AND (p.status IS NULL OR p.status = 'market_closed' OR (p.status = 'done' AND coalesce(p.rows, 0) = 0))
),
listed AS (
    SELECT 'stock' AS kind, ts_code FROM normalized_stock_basic WHERE ts_code IS NOT NULL
    UNION
    SELECT 'index' AS kind, ts_code FROM normalized_index_basic WHERE ts_code IS NOT NULL
),
unlisted AS (
    SELECT b.api_name, l.ts_code AS partition_key, 'unlisted: listed but never ingested' AS reason
    FROM begun AS b
    JOIN listed AS l
      ON l.kind = CASE WHEN list_contains($per_index, b.api_name) THEN 'index' ELSE 'stock' END
    LEFT JOIN ingest_progress AS p ON p.api_name = b.api_name AND p.partition_key = l.ts_code
    WHERE (list_contains($per_stock, b.api_name) OR list_contains($per_index, b.api_name))
      AND p.progress_key IS NULL
)
SELECT * FROM failed
UNION ALL SELECT * FROM missing
UNION ALL SELECT * FROM unlisted
ORDER BY api_name, partition_key
