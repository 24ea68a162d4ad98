-- Reports whose net income is not the attributable part plus the minority part, beyond
-- `threshold` of net income (or of 1 yuan when net income is 0).
SELECT ts_code, end_date, report_type, source, n_income, n_income_attr_p, minority_gain,
       abs(n_income - (n_income_attr_p + minority_gain)) / greatest(abs(n_income), 1) AS metric,
       format('n_income {:.2f}, attributable + minority {:.2f}', n_income,
              n_income_attr_p + minority_gain) AS detail
FROM {{ table }}
WHERE n_income IS NOT NULL AND n_income_attr_p IS NOT NULL AND minority_gain IS NOT NULL
  AND abs(n_income - (n_income_attr_p + minority_gain)) > $threshold * greatest(abs(n_income), 1)
  AND {{ scope }}
ORDER BY metric DESC, ts_code, end_date
