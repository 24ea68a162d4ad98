-- The sources whose rows the warehouse holds: every successful write is in the ledger,
-- and raw_responses covers warehouses whose ledger came from an older layout.
SELECT source FROM ingest_log WHERE source IS NOT NULL AND status IN ('done', 'market_closed')
UNION
SELECT source FROM raw_responses
