-- Daily bars with no adj_factor row for the same stock, day and source. Only days for
-- which adj_factor holds some rows are judged: a day whose factors have not been
-- fetched yet is not a gap.
WITH loaded AS (
    SELECT DISTINCT trade_date, source FROM {{ table:adj_factor }} WHERE {{ scope }}
),
bars AS (
    SELECT d.ts_code, d.trade_date, d.source
    FROM {{ table }} AS d
    SEMI JOIN loaded AS l ON l.trade_date = d.trade_date AND l.source = d.source
    WHERE {{ scope(d.trade_date) }}
)
SELECT b.ts_code, b.trade_date, b.source, 'no adj_factor' AS detail
FROM bars AS b
ANTI JOIN (SELECT ts_code, trade_date, source FROM {{ table:adj_factor }} WHERE {{ scope }}) AS a
  ON a.ts_code = b.ts_code AND a.trade_date = b.trade_date AND a.source = b.source
ORDER BY b.trade_date, b.ts_code
