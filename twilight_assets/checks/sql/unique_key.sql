-- Keys held by more than one row. Our DDL's primary key forbids this; the check proves
-- it for any warehouse, including one built before the key existed.
SELECT {{ key_columns }}, count(*) AS copies, format('{} copies', count(*)) AS detail
FROM {{ table }}
WHERE {{ scope }}
GROUP BY {{ key_columns }}
HAVING count(*) > 1
ORDER BY copies DESC
