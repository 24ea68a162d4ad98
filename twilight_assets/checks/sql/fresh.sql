-- The dataset when its latest trade date is more than `threshold` open days behind the
-- latest open day due by now ($as_of: the last day whose data is due, by
-- twilight_assets.freshness.due_dates). metric = open days behind.
WITH latest AS (
    SELECT max(trade_date) AS latest FROM {{ table }}
),
open_days AS (
    SELECT DISTINCT cal_date FROM {{ table:trade_cal }}
    WHERE exchange = 'SSE' AND is_open = 1 AND cal_date <= $as_of
),
due AS (
    SELECT max(cal_date) AS expected FROM open_days
),
lag AS (
    SELECT l.latest, d.expected,
           (SELECT count(*) FROM open_days AS o
            WHERE o.cal_date > coalesce(l.latest, DATE '1900-01-01')) AS behind
    FROM latest AS l, due AS d
)
SELECT CAST($api_name AS VARCHAR) AS dataset, latest, expected, behind AS metric,
       CASE WHEN latest IS NULL THEN format('no rows; {} is due', expected)
            ELSE format('latest {}, due {}: {} open day{} behind', latest, expected, behind,
                        CASE WHEN behind = 1 THEN '' ELSE 's' END)
       END AS detail
FROM lag
WHERE expected IS NOT NULL AND behind > $threshold
