-- List statuses ($statuses: L, D, P) with no stock at all, per source: a stock_basic
-- without delisted or paused stocks hides every company that failed.
WITH sources AS (
    SELECT DISTINCT source FROM {{ table }}
),
wanted AS (
    SELECT s.list_status, src.source
    FROM (SELECT unnest($statuses) AS list_status) AS s
    CROSS JOIN sources AS src
)
SELECT w.list_status, w.source, 'no stocks with this status' AS detail
FROM wanted AS w
ANTI JOIN {{ table }} AS t ON t.list_status = w.list_status AND t.source = w.source
ORDER BY w.list_status
