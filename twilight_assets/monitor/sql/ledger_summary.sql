-- Per dataset, from the ingest ledger: partitions by status and the in-batch duplicate
-- keys its latest successful writes dropped.
SELECT api_name,
       count(*) FILTER (WHERE status = 'done') AS done,
       count(*) FILTER (WHERE status = 'market_closed') AS market_closed,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       coalesce(sum(duplicates_dropped), 0) AS duplicates_dropped
FROM ingest_progress
GROUP BY api_name
ORDER BY api_name
