-- Per dataset and documented field the source did not serve: how many partitions' latest
-- successful write lacked it (ingest_progress.absent_fields).
SELECT api_name, field, count(*) AS partitions
FROM (SELECT api_name, unnest(absent_fields) AS field FROM ingest_progress)
GROUP BY api_name, field
ORDER BY api_name, partitions DESC, field
