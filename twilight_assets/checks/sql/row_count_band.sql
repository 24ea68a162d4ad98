-- Days whose row count leaves the band of the median of the previous 20 days with data:
-- |n - median| > threshold * median. A partition run looks back 60 calendar days (about
-- 40 open days) for its medians; days with fewer than 5 earlier days are not judged.
WITH per_day AS (
    SELECT trade_date, source, count(*) AS n
    FROM {{ table }}
    WHERE {{ scope_lookback(trade_date, 60) }}
    GROUP BY trade_date, source
),
banded AS (
    SELECT trade_date, source, n,
           median(n) OVER recent AS recent_median,
           count(n) OVER recent AS prior_days
    FROM per_day
    WINDOW recent AS (PARTITION BY source ORDER BY trade_date
                      ROWS BETWEEN 20 PRECEDING AND 1 PRECEDING)
)
SELECT trade_date, source, n AS rows, recent_median,
       abs(n - recent_median) / recent_median AS metric,
       format('{} rows vs recent median {:.0f}', n, recent_median) AS detail
FROM banded
WHERE prior_days >= 5
  AND abs(n - recent_median) > $threshold * recent_median
  AND {{ scope(trade_date) }}
ORDER BY metric DESC, trade_date
