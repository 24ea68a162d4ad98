-- Forecasts whose lower bound exceeds the upper bound (net profit or its change).
SELECT ts_code, end_date, ann_date, source, net_profit_min, net_profit_max,
       p_change_min, p_change_max,
       format('net profit {}..{}, change {}..{}', coalesce(CAST(net_profit_min AS VARCHAR), 'null'), coalesce(CAST(net_profit_max AS VARCHAR), 'null'),
              coalesce(CAST(p_change_min AS VARCHAR), 'null'), coalesce(CAST(p_change_max AS VARCHAR), 'null')) AS detail
FROM {{ table }}
WHERE (net_profit_min > net_profit_max OR p_change_min > p_change_max)
  AND {{ scope }}
ORDER BY ts_code, end_date, ann_date
