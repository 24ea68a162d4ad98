-- Bars whose average traded price lies outside [low, high] widened by `threshold`.
-- Units (Tushare daily): amount in thousand yuan, vol in lots of 100 shares, so
-- VWAP (yuan/share) = amount * 1000 / (vol * 100) = amount * 10 / vol.
SELECT ts_code, trade_date, source, low, high, amount * 10.0 / vol AS vwap,
       format('vwap {:.4f} outside [{}, {}]', amount * 10.0 / vol, low, high) AS detail
FROM {{ table }}
WHERE vol > 0 AND amount > 0
  AND (amount * 10.0 / vol < low * (1 - $threshold)
       OR amount * 10.0 / vol > high * (1 + $threshold))
  AND {{ scope }}
ORDER BY trade_date, ts_code
