"""`twilight monitor`: the warehouse's health, read from published snapshots only.

- `report.py` collects the report from a `WarehouseReader`: the snapshot, freshness
  (by twilight_assets.freshness), and the sections in `coverage.py` (recent strip,
  history of decades, per-entity by listing year), `checks.py` (quality_log) and
  `ledger.py` (ingest_progress); their SQL is in `sql/`.
- `text.py`, `html.py` and `png.py` render it; `layout.py` and `palette.py` are what the
  pictures share.
- `cli.py` is the command line.
"""
