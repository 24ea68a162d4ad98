-- The small record of one partition write; the response itself is in the raw archive.
INSERT INTO raw_responses (raw_id, api_name, partition_key, progress_key, source, request_params,
                           fields, absent_fields, row_count, pages, fetched_at, written_at,
                           archive_path, archive_bytes, archive_sha256, revision_conflicts)
VALUES ($raw_id, $api_name, $partition_key, $progress_key, $source, CAST($request_params AS JSON),
        CAST($fields AS VARCHAR[]), CAST($absent_fields AS VARCHAR[]), $row_count, $pages,
        $fetched_at, $written_at, $archive_path, $archive_bytes, $archive_sha256,
        CAST($revision_conflicts AS JSON))
