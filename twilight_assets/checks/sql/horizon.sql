-- Exchanges whose calendar ends less than `threshold` days after $today.
SELECT exchange, max(cal_date) AS last_day,
       datediff('day', CAST($today AS DATE), max(cal_date)) AS metric,
       format('ends {} days ahead', datediff('day', CAST($today AS DATE), max(cal_date))) AS detail
FROM {{ table }}
GROUP BY exchange
HAVING max(cal_date) < CAST($today AS DATE) + CAST($threshold AS INTEGER)
ORDER BY exchange
