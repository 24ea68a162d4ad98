-- Days trade_cal (SSE) marks closed that nevertheless hold rows.
WITH per_day AS (
    SELECT trade_date, source, count(*) AS n
    FROM {{ table }}
    WHERE {{ scope }}
    GROUP BY trade_date, source
)
SELECT d.trade_date, d.source, d.n AS rows, format('{} rows on a closed day', d.n) AS detail
FROM per_day AS d
JOIN {{ table:trade_cal }} AS c
  ON c.cal_date = d.trade_date AND c.source = d.source AND c.exchange = 'SSE'
WHERE c.is_open = 0
ORDER BY d.trade_date
