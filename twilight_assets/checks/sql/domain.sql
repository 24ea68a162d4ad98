-- Values outside a closed vocabulary (bound as $allowed, compared as text).
SELECT {{ key_columns }}, CAST({{ column }} AS VARCHAR) AS value,
       'value ' || CAST({{ column }} AS VARCHAR) AS detail
FROM {{ table }}
WHERE {{ column }} IS NOT NULL
  AND NOT list_contains($allowed, CAST({{ column }} AS VARCHAR))
  AND {{ scope }}
