-- Bars whose pre_close differs (beyond `threshold` yuan) from the stock's previous
-- close although adj_factor is the same on both days: without an ex-right event the
-- previous close is the reference price. Judged only where the table has every open
-- day (trade_cal, SSE) between the two bars at market level, so a missing day is not
-- mistaken for a jump (open_days_covered reports it), and only where both factors are
-- loaded (has_adj_factor reports the rest). A partition run looks back 60 calendar days
-- for the previous bar; older ones are left to a full sweep. Each bar's factor is joined
-- once, on the full key, and the previous one taken in the same window: joining the
-- factor table twice let the planner match factors by value first (days squared per
-- stock: tens of GB at a million rows).
WITH bars AS (
    SELECT d.ts_code, d.trade_date, d.source, d.pre_close, f.adj_factor,
           lag(d.close) OVER stock AS prev_close,
           lag(d.trade_date) OVER stock AS prev_date,
           lag(f.adj_factor) OVER stock AS prev_adj_factor
    FROM {{ table }} AS d
    LEFT JOIN {{ table:adj_factor }} AS f
      ON f.ts_code = d.ts_code AND f.trade_date = d.trade_date AND f.source = d.source
    WHERE {{ scope_lookback(d.trade_date, 60) }}
    WINDOW stock AS (PARTITION BY d.ts_code, d.source ORDER BY d.trade_date)
),
jumps AS (
    SELECT * FROM bars
    WHERE prev_close IS NOT NULL
      AND abs(pre_close - prev_close) > $threshold
      AND {{ scope(trade_date) }}
),
market_days AS (
    SELECT trade_date, source, row_number() OVER (PARTITION BY source ORDER BY trade_date) AS n
    FROM (SELECT DISTINCT trade_date, source FROM {{ table }}
          WHERE {{ scope_lookback(trade_date, 60) }})
),
open_days AS (
    SELECT cal_date, source, row_number() OVER (PARTITION BY source ORDER BY cal_date) AS n
    FROM {{ table:trade_cal }}
    WHERE exchange = 'SSE' AND is_open = 1 AND {{ scope_lookback(cal_date, 60) }}
),
unbroken AS (
    SELECT j.*
    FROM jumps AS j
    JOIN market_days AS m ON m.trade_date = j.trade_date AND m.source = j.source
    JOIN market_days AS mp ON mp.trade_date = j.prev_date AND mp.source = j.source
    JOIN open_days AS o ON o.cal_date = j.trade_date AND o.source = j.source
    JOIN open_days AS op ON op.cal_date = j.prev_date AND op.source = j.source
    WHERE m.n - mp.n = o.n - op.n
)
SELECT j.ts_code, j.trade_date, j.source, j.pre_close, j.prev_close, j.prev_date,
       j.adj_factor, j.prev_adj_factor,
       format('pre_close {}, previous close {} on {}, adj_factor {} unchanged',
              j.pre_close, j.prev_close, j.prev_date, j.adj_factor) AS detail
FROM unbroken AS j
WHERE j.adj_factor = j.prev_adj_factor
ORDER BY j.trade_date, j.ts_code
