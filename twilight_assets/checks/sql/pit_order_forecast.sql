-- Forecasts whose first announcement comes after the announcement itself.
SELECT ts_code, end_date, ann_date, source, first_ann_date,
       format('ann_date {}, first_ann_date {}', ann_date, first_ann_date) AS detail
FROM {{ table }}
WHERE first_ann_date > ann_date
  AND {{ scope }}
ORDER BY ts_code, end_date, ann_date
