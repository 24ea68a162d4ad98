"""Data quality checks.

- `definitions.py`: the registry. Every check is a `CheckSpec` (name `<what>_<table>`,
  asset, kind, severity, blocking, SQL file, scope column, threshold); generic ones are
  built from the dataset specs.
- `sql/*.sql`: one query per check shape, returning the FAILING rows.
- `runner.py`: `evaluate(conn_or_writer_or_reader, check, scope) -> CheckOutcome`, plain
  DuckDB with bound parameters; no Dagster.
- `factories.py`: the Dagster side (one multi-asset check step per asset, the
  quality_sweep job and schedule, freshness policies). Imported only by the code
  location, so `twilight monitor` never pays for importing Dagster.
"""
