-- Bars with a negative volume or turnover.
SELECT ts_code, trade_date, source, vol, amount,
       format('vol {} amount {}', coalesce(CAST(vol AS VARCHAR), 'null'), coalesce(CAST(amount AS VARCHAR), 'null')) AS detail
FROM {{ table }}
WHERE (vol < 0 OR amount < 0)
  AND {{ scope }}
ORDER BY trade_date, ts_code
