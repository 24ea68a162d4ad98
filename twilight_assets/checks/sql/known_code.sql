-- Codes absent from the reference table (stock_basic or index_basic), one row per code.
WITH codes AS (
    SELECT {{ column }} AS code, source, count(*) AS rows,
           min(trade_date) AS first_day, max(trade_date) AS last_day
    FROM {{ table }}
    WHERE {{ scope }}
    GROUP BY {{ column }}, source
)
SELECT c.code, c.source, c.rows, c.first_day, c.last_day,
       format('{} row(s) from {} to {}', c.rows, c.first_day, c.last_day) AS detail
FROM codes AS c
ANTI JOIN {{ reference }} AS r ON r.ts_code = c.code AND r.source = c.source
ORDER BY c.code
