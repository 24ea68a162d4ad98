-- Rows whose total_mv (ten thousand yuan) is not close (yuan) * total_share (ten
-- thousand shares) within `threshold` of total_mv.
SELECT ts_code, trade_date, source, close, total_share, total_mv,
       abs(total_mv - close * total_share) / total_mv AS metric,
       format('total_mv {} vs close x total_share {:.4f}', total_mv, close * total_share) AS detail
FROM {{ table }}
WHERE total_mv > 0 AND close IS NOT NULL AND total_share IS NOT NULL
  AND abs(total_mv - close * total_share) > $threshold * total_mv
  AND {{ scope }}
ORDER BY metric DESC, trade_date, ts_code
