-- Period bars that disagree with the period's daily bars: first open, max high, min low,
-- last close (within `threshold` yuan), or that have no daily bar at all. Only periods
-- whose every open day (trade_cal, SSE) is loaded in daily are judged, so a period
-- still in progress, or older than the daily history, is not.
WITH loaded_days AS (
    SELECT DISTINCT trade_date, source FROM {{ table:daily }}
),
periods AS (
    SELECT date_trunc('{{ bucket }}', c.cal_date) AS period, c.source
    FROM {{ table:trade_cal }} AS c
    LEFT JOIN loaded_days AS l ON l.trade_date = c.cal_date AND l.source = c.source
    WHERE c.exchange = 'SSE' AND c.is_open = 1
    GROUP BY ALL
    HAVING count(*) = count(l.trade_date)
),
aggregated AS (
    SELECT d.ts_code, d.source, date_trunc('{{ bucket }}', d.trade_date) AS period,
           arg_min(d.open, d.trade_date) AS open, max(d.high) AS high,
           min(d.low) AS low, arg_max(d.close, d.trade_date) AS close
    FROM {{ table:daily }} AS d
    WHERE {{ scope(d.ts_code) }}
    GROUP BY ALL
),
bars AS (
    SELECT w.ts_code, w.trade_date, w.source, w.open, w.high, w.low, w.close,
           a.open AS daily_open, a.high AS daily_high, a.low AS daily_low,
           a.close AS daily_close, a.ts_code IS NULL AS no_daily
    FROM {{ table }} AS w
    JOIN periods AS p
      ON p.period = date_trunc('{{ bucket }}', w.trade_date) AND p.source = w.source
    LEFT JOIN aggregated AS a
      ON a.ts_code = w.ts_code AND a.source = w.source AND a.period = p.period
    WHERE {{ scope(w.ts_code) }}
)
SELECT ts_code, trade_date, source, open, high, low, close,
       daily_open, daily_high, daily_low, daily_close,
       CASE WHEN no_daily THEN 'no daily bars in the period'
            ELSE format('OHLC {}/{}/{}/{} vs daily {}/{}/{}/{}', open, high, low, close,
                        daily_open, daily_high, daily_low, daily_close) END AS detail
FROM bars
WHERE no_daily
   OR abs(open - daily_open) > $threshold OR abs(high - daily_high) > $threshold
   OR abs(low - daily_low) > $threshold OR abs(close - daily_close) > $threshold
ORDER BY trade_date, ts_code
