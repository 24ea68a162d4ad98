-- Rows with a null key or core column; `null_columns` names which (concat_ws skips
-- the NULLs of the columns that are set).
SELECT
    {{ key_columns }},
    concat_ws(', ', {{ null_columns }}) AS null_columns,
    'null ' || concat_ws(', ', {{ null_columns }}) AS detail
FROM {{ table }}
WHERE ({{ any_null }}) AND {{ scope }}
