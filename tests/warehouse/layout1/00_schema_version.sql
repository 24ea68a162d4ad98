-- Which DDL files and migrations this warehouse has had applied, and when.
-- A base file (01..06) is applied again whenever its text changes (every statement in it
-- is idempotent: IF NOT EXISTS / OR REPLACE), so adding a dataset to 02 reaches existing
-- warehouses; a migration runs once. Both keep their history here.
CREATE TABLE IF NOT EXISTS schema_version (
    name        VARCHAR NOT NULL,      -- e.g. 02_normalized_tables.sql, migrations/0001_...sql
    checksum    VARCHAR NOT NULL,      -- sha256 of the file's text
    kind        VARCHAR NOT NULL,      -- schema | migration
    applied_at  TIMESTAMP NOT NULL,    -- UTC
    PRIMARY KEY (name, checksum)
);
