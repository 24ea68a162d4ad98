-- Partitions whose latest ingest attempt failed, newest first ($1: how many).
SELECT api_name, partition_key, attempts, last_error, updated_at
FROM ingest_progress
WHERE status = 'failed'
ORDER BY updated_at DESC, progress_key
LIMIT $1
