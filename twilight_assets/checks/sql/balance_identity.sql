-- Reports where total assets differ from total liabilities + total equity (incl.
-- minority interests), or from the reported total of liabilities and equity, by more
-- than `threshold` of total assets. Missing figures are not judged.
SELECT ts_code, end_date, report_type, source, total_assets, total_liab,
       total_hldr_eqy_inc_min_int, total_liab_hldr_eqy,
       greatest(abs(total_assets - (total_liab + total_hldr_eqy_inc_min_int)),
                abs(total_assets - total_liab_hldr_eqy)) / abs(total_assets) AS metric,
       format('assets {}, liabilities + equity {}, reported total {}', coalesce(CAST(total_assets AS VARCHAR), 'null'),
              coalesce(CAST(total_liab + total_hldr_eqy_inc_min_int AS VARCHAR), 'null'), coalesce(CAST(total_liab_hldr_eqy AS VARCHAR), 'null')) AS detail
FROM {{ table }}
WHERE total_assets IS NOT NULL AND total_assets <> 0
  AND (abs(total_assets - (total_liab + total_hldr_eqy_inc_min_int)) > $threshold * abs(total_assets)
       OR abs(total_assets - total_liab_hldr_eqy) > $threshold * abs(total_assets))
  AND {{ scope }}
ORDER BY metric DESC, ts_code, end_date
