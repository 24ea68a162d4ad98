-- Index dates whose constituent weights (percent) do not sum to 100 within `threshold`.
SELECT index_code, trade_date, source, sum(weight) AS total_weight, count(*) AS constituents,
       abs(sum(weight) - 100) AS metric,
       format('weights sum to {:.3f} over {} constituents', sum(weight), count(*)) AS detail
FROM {{ table }}
WHERE {{ scope }}
GROUP BY index_code, trade_date, source
HAVING abs(sum(weight) - 100) > $threshold
ORDER BY metric DESC, index_code, trade_date
