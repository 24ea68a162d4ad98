-- Codes that do not look like codes (pattern bound as $pattern).
SELECT {{ key_columns }}, {{ column }} AS value, 'code ' || {{ column }} AS detail
FROM {{ table }}
WHERE {{ column }} IS NOT NULL
  AND NOT regexp_full_match({{ column }}, $pattern)
  AND {{ scope }}
