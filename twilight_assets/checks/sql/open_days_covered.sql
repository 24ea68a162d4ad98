-- Open days without rows, judged at market level: suspended stocks have no row, but an
-- open day on which no stock has one is a missing day. A full sweep judges each source's
-- first to last date; a partition run judges exactly its days. trade_cal's SSE rows are
-- the A-share calendar; days trade_cal does not list are not judged.
WITH spans AS (
    SELECT source, min(trade_date) AS first_day, max(trade_date) AS last_day
    FROM {{ table }}
    GROUP BY source
),
expected AS (
    SELECT c.cal_date AS trade_date, c.source
    FROM {{ table:trade_cal }} AS c
    JOIN spans AS s ON s.source = c.source
    WHERE c.exchange = 'SSE' AND c.is_open = 1
      AND {{ scope(c.cal_date) }}
      AND ({{ scoped }} OR c.cal_date BETWEEN s.first_day AND s.last_day)
),
present AS (
    SELECT DISTINCT trade_date, source FROM {{ table }} WHERE {{ scope }}
)
SELECT e.trade_date, e.source, 'no rows on an open day' AS detail
FROM expected AS e
ANTI JOIN present AS p ON p.trade_date = e.trade_date AND p.source = e.source
ORDER BY e.trade_date
