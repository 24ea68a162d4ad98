-- Per listing year of the entities in {{ universe }} (stock_basic or index_basic): how
-- many the ledger of dataset $1 holds as done, as failed, and how many it never recorded
-- (missing). An entity listed under several statuses counts once, by its earliest
-- list_date; year is NULL where the list gives none.
WITH universe AS (
    SELECT ts_code, min(list_date) AS list_date
    FROM {{ universe }}
    GROUP BY ts_code
),
ledger AS (
    SELECT partition_key AS ts_code, status
    FROM ingest_progress
    WHERE api_name = $1
)
SELECT year(u.list_date) AS year,
       count(*) FILTER (WHERE l.status = 'done') AS ingested,
       count(*) FILTER (WHERE l.status = 'failed') AS failed,
       count(*) FILTER (WHERE l.status IS NULL OR l.status NOT IN ('done', 'failed')) AS missing
FROM universe AS u
LEFT JOIN ledger AS l USING (ts_code)
GROUP BY year
ORDER BY year NULLS LAST
