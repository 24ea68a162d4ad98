-- Which DDL files and migrations this warehouse has had applied, and when.
-- A base file (01..07) holds only idempotent statements (IF NOT EXISTS / OR REPLACE) and
-- is applied again by `twilight migrate` whenever its text changes, so adding a dataset
-- to 02 reaches existing warehouses; a migration runs once. Both keep their history here.
-- No keys anywhere in this DDL: the same files create a DuckDB file and a DuckLake, and
-- DuckLake has no primary keys, sequences, CHECK constraints or indexes.
CREATE TABLE IF NOT EXISTS schema_version (
    name        VARCHAR NOT NULL,      -- e.g. 02_normalized_tables.sql, migrations/0001_...sql
    checksum    VARCHAR NOT NULL,      -- sha256 of the file's text
    kind        VARCHAR NOT NULL,      -- schema | migration
    applied_at  TIMESTAMP NOT NULL     -- UTC
);
