-- One attempt at one partition, appended to the ledger (see sql/03_metadata_tables.sql).
INSERT INTO ingest_log (attempt_id, progress_key, api_name, partition_key, status, attempts,
                        rows, duplicates_dropped, rows_removed, absent_fields, source, raw_id,
                        error, attempted_at)
VALUES ($attempt_id, $progress_key, $api_name, $partition_key, $status, $attempts,
        $rows, $duplicates_dropped, $rows_removed, CAST($absent_fields AS VARCHAR[]), $source,
        $raw_id, $error, $attempted_at)
