-- Days both SSE and SZSE list whose is_open differs (the A-share calendar is shared).
SELECT s.cal_date, s.source, s.is_open AS sse_is_open, z.is_open AS szse_is_open,
       format('SSE is_open {}, SZSE {}', coalesce(CAST(s.is_open AS VARCHAR), 'null'), coalesce(CAST(z.is_open AS VARCHAR), 'null')) AS detail
FROM {{ table }} AS s
JOIN {{ table }} AS z
  ON z.cal_date = s.cal_date AND z.source = s.source AND z.exchange = 'SZSE'
WHERE s.exchange = 'SSE'
  AND s.is_open IS DISTINCT FROM z.is_open
  AND {{ scope(s.cal_date) }}
ORDER BY s.cal_date
