-- Bars with a price that is zero or negative (nulls are not_null's business).
SELECT ts_code, trade_date, source, open, high, low, close, pre_close,
       format('open {} high {} low {} close {} pre_close {}', coalesce(CAST(open AS VARCHAR), 'null'), coalesce(CAST(high AS VARCHAR), 'null'), coalesce(CAST(low AS VARCHAR), 'null'), coalesce(CAST(close AS VARCHAR), 'null'), coalesce(CAST(pre_close AS VARCHAR), 'null')) AS detail
FROM {{ table }}
WHERE (open <= 0 OR high <= 0 OR low <= 0 OR close <= 0 OR pre_close <= 0)
  AND {{ scope }}
ORDER BY trade_date, ts_code
