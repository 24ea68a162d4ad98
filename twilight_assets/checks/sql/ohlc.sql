-- Bars whose open or close lies outside [low, high] (which includes high < low).
SELECT ts_code, trade_date, source, open, high, low, close,
       format('open {} high {} low {} close {}', coalesce(CAST(open AS VARCHAR), 'null'), coalesce(CAST(high AS VARCHAR), 'null'), coalesce(CAST(low AS VARCHAR), 'null'), coalesce(CAST(close AS VARCHAR), 'null')) AS detail
FROM {{ table }}
WHERE (high < low OR open > high OR open < low OR close > high OR close < low)
  AND {{ scope }}
ORDER BY trade_date, ts_code
