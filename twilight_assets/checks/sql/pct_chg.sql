-- Bars whose change is not close - pre_close (beyond a cent) or whose pct_chg is not
-- change / pre_close * 100 (beyond `threshold` percentage points).
SELECT ts_code, trade_date, source, close, pre_close, change, pct_chg,
       abs(pct_chg - (close - pre_close) / pre_close * 100) AS metric,
       format('pct_chg {} vs {:.4f}, change {} vs {:.4f}', coalesce(CAST(pct_chg AS VARCHAR), 'null'),
              (close - pre_close) / pre_close * 100, coalesce(CAST(change AS VARCHAR), 'null'), close - pre_close) AS detail
FROM {{ table }}
WHERE pre_close > 0
  AND (abs(pct_chg - (close - pre_close) / pre_close * 100) > $threshold
       OR abs(change - (close - pre_close)) > 0.01 + 1e-9)
  AND {{ scope }}
ORDER BY metric DESC NULLS LAST, trade_date, ts_code
