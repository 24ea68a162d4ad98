-- Bars whose pre_close differs (beyond `threshold` yuan) from the stock's previous
-- close although adj_factor is the same on both days: without an ex-right event the
-- previous close is the reference price. Bars whose two factors are not both loaded are
-- not judged here (has_adj_factor_daily reports them). A partition run looks back 60
-- calendar days for the previous bar; older ones are left to a full sweep.
WITH bars AS (
    SELECT ts_code, trade_date, source, pre_close,
           lag(close) OVER stock AS prev_close,
           lag(trade_date) OVER stock AS prev_date
    FROM {{ table }}
    WHERE {{ scope_lookback(trade_date, 60) }}
    WINDOW stock AS (PARTITION BY ts_code, source ORDER BY trade_date)
),
jumps AS (
    SELECT * FROM bars
    WHERE prev_close IS NOT NULL
      AND abs(pre_close - prev_close) > $threshold
      AND {{ scope(trade_date) }}
)
SELECT j.ts_code, j.trade_date, j.source, j.pre_close, j.prev_close, j.prev_date,
       a.adj_factor, p.adj_factor AS prev_adj_factor,
       format('pre_close {}, previous close {} on {}, adj_factor {} unchanged',
              j.pre_close, j.prev_close, j.prev_date, a.adj_factor) AS detail
FROM jumps AS j
JOIN {{ table:adj_factor }} AS a
  ON a.ts_code = j.ts_code AND a.trade_date = j.trade_date AND a.source = j.source
JOIN {{ table:adj_factor }} AS p
  ON p.ts_code = j.ts_code AND p.trade_date = j.prev_date AND p.source = j.source
WHERE a.adj_factor = p.adj_factor
ORDER BY j.trade_date, j.ts_code
