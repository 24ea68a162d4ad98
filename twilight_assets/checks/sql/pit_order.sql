-- Reports announced on or before the end of their period, or first announced
-- (f_ann_date) before their announcement date: a point-in-time join would use them
-- before they were public. Null dates are not judged.
SELECT {{ key_columns }}, source, ann_date, {{ f_ann_date }} AS f_ann_date,
       format('end_date {}, ann_date {}, f_ann_date {}', coalesce(CAST(end_date AS VARCHAR), 'null'), coalesce(CAST(ann_date AS VARCHAR), 'null'), coalesce(CAST({{ f_ann_date }} AS VARCHAR), 'null')) AS detail
FROM {{ table }}
WHERE (ann_date <= end_date OR {{ f_ann_date }} < ann_date)
  AND {{ scope }}
ORDER BY ts_code, end_date
