-- daily_basic rows whose close differs from daily's close (beyond `threshold` yuan).
SELECT b.ts_code, b.trade_date, b.source, b.close, d.close AS daily_close,
       abs(b.close - d.close) AS metric,
       format('close {}, daily close {}', b.close, d.close) AS detail
FROM {{ table }} AS b
JOIN {{ table:daily }} AS d
  ON d.ts_code = b.ts_code AND d.trade_date = b.trade_date AND d.source = b.source
WHERE abs(b.close - d.close) > $threshold
  AND {{ scope(b.trade_date) }}
  AND {{ scope(d.trade_date) }}
ORDER BY metric DESC, b.trade_date, b.ts_code
