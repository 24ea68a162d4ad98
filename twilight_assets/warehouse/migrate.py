"""`twilight migrate`: bring a warehouse, including one made by the seed's code, up to date.

Applies the DDL and migrations (warehouse/schema.py) and says what it did. For the
seed's `backfill_progress` ledger it reports how its rows became ingest_progress rows.
Idempotent: a second run finds nothing to do and says so.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from twilight_assets import config
from twilight_assets.errors import WarehouseError
from twilight_assets.warehouse.schema import apply_schema
from twilight_assets.warehouse.writer_lease import writer_lease

LEGACY_MIGRATION = "migrations/0001_legacy_backfill_progress.sql"
LEGACY_TABLE = "backfill_progress_legacy"


def migrate_warehouse(path: Path) -> list[str]:
    """Apply the schema and every pending migration to the warehouse at `path`; returns
    report lines. Waits for the writer lease, so it queues behind a running ingest."""
    path = Path(path).resolve()
    lines = [f"warehouse {path}{'' if path.exists() else ' (new)'}"]
    with writer_lease(path):
        try:
            conn = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            raise WarehouseError(f"cannot open {path} for writing: {exc}") from exc
        try:
            applied = apply_schema(conn)
            for step in applied:
                lines.append(_describe(step))
                if step == LEGACY_MIGRATION:
                    lines += _legacy_report(conn)
        finally:
            conn.close()
    if not applied:
        lines.append("nothing to do: schema and migrations are up to date")
    return lines


def _describe(step: str) -> str:
    if step.startswith("reconcile: "):
        return step.removeprefix("reconcile: ")
    return f"applied {step}"


def _legacy_report(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """How the seed's ledger rows were carried over (read back from the kept table)."""
    total, keys, unmapped, merged_keys = conn.execute(
        f"SELECT count(*), count(DISTINCT progress_key), "
        f"count(*) FILTER (WHERE progress_key LIKE 'legacy:%'), "
        f"(SELECT count(*) FROM (SELECT progress_key FROM {LEGACY_TABLE} GROUP BY progress_key "
        f"HAVING count(*) > 1)) FROM {LEGACY_TABLE}"
    ).fetchall()[0]
    by_api = conn.execute(
        f"SELECT split_part(progress_key, ':', 1) AS api, count(*) FROM {LEGACY_TABLE} "
        "GROUP BY api ORDER BY api"
    ).fetchall()
    lines = [
        f"  backfill_progress: {total} rows -> {keys} ingest_progress keys "
        f"({merged_keys} of them merged from several rows: a done row wins, attempts add up)",
        "  rows per dataset: " + ", ".join(f"{api} {n}" for api, n in by_api),
    ]
    if unmapped:
        lines.append(
            f"  {unmapped} rows named no known partition and are kept under legacy:<api_name> keys"
        )
    lines.append(f"  the old table is kept as {LEGACY_TABLE}, with each row's progress_key")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="twilight migrate",
        description="Apply the schema and upgrade a warehouse made by the legacy code.",
    )
    parser.add_argument(
        "--warehouse", type=Path, default=None,
        help="the DuckDB file (default: TWILIGHT_WAREHOUSE or data/warehouse.duckdb)",
    )
    args = parser.parse_args(argv)
    path = args.warehouse or config.warehouse_path()
    try:
        for line in migrate_warehouse(path):
            print(line)
    except WarehouseError as exc:
        print(f"twilight migrate: {exc}", file=sys.stderr)
        return 1
    return 0
