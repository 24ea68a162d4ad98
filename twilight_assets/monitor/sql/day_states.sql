-- One row per weekday from $1 to $2: the state of one per-date dataset on that day, as a
-- letter (monitor/coverage.py STATES), and its row count. The rule, in order:
--   ' ' outside the judged span [$4, $5] (before history, or not yet due)
--   'x' rows on a day trade_cal (SSE) marks closed; 'c' closed, no rows
--   'd' done: rows on an open (or uncatalogued) day
--   'f' failed: no rows, and the ledger's latest attempt failed
--   'n' not loaded: trade_cal does not know the day, or the dataset's history has not begun
--   'm' missing: an open day without rows on or after the dataset's first row
-- $3 is the dataset's api_name; {{ table }} its table.
WITH days AS (
    SELECT CAST(d AS DATE) AS day
    FROM range(CAST($1 AS TIMESTAMP), CAST($2 AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 DAY) AS t(d)
    WHERE isodow(d) <= 5
),
calendar AS (
    SELECT cal_date AS day, bool_or(is_open = 1) AS open
    FROM normalized_trade_cal
    WHERE exchange = 'SSE' AND cal_date BETWEEN $1 AND $2
    GROUP BY cal_date
),
counts AS (
    SELECT trade_date AS day, count(*) AS n
    FROM {{ table }}
    WHERE trade_date BETWEEN $1 AND $2
    GROUP BY trade_date
),
failed AS (
    SELECT DISTINCT TRY_CAST(partition_key AS DATE) AS day
    FROM ingest_progress
    WHERE api_name = $3 AND status = 'failed'
),
begun AS (
    SELECT min(trade_date) AS first FROM {{ table }}
)
SELECT d.day,
       coalesce(n.n, 0) AS "rows",
       CASE
           WHEN d.day < $4 OR d.day > $5 THEN ' '
           WHEN NOT coalesce(c.open, TRUE) THEN CASE WHEN n.n > 0 THEN 'x' ELSE 'c' END
           WHEN n.n > 0 THEN 'd'
           WHEN f.day IS NOT NULL THEN 'f'
           WHEN c.open IS NULL OR b.first IS NULL OR d.day < b.first THEN 'n'
           ELSE 'm'
       END AS state
FROM days AS d
LEFT JOIN calendar AS c USING (day)
LEFT JOIN counts AS n USING (day)
LEFT JOIN failed AS f USING (day)
CROSS JOIN begun AS b
