"""`twilight migrate`: bring a warehouse up to this version, keeping every row.

In order, each step safe to interrupt and to run again, each saying what it did:
1. a warehouse file in the previous layout is moved to the current one
   (warehouse/layout.py: payloads to the raw archive, verified; the file rewritten
   without keys and payloads, so its space comes back);
2. the DDL and migrations are applied (warehouse/schema.py), including the seed's
   `backfill_progress` ledger, whose rows become ledger rows;
3. revisions tables that are new are filled from the archive (every version any
   recorded response served), as `twilight rebuild` would.
With `--to ducklake:...` the (now current) warehouse file is then copied into that
DuckLake, table by table, verified by row counts.

Writers refuse a warehouse whose schema is behind (naming what is pending), so nothing
changes behind a running deployment's back: this command is the one way forward.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

from twilight_assets import config
from twilight_assets.errors import TwilightError, WarehouseError
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse import layout
from twilight_assets.warehouse.archive import Archive
from twilight_assets.warehouse.backend import Backend, as_backend, open_backend
from twilight_assets.warehouse.schema import migrate_schema

LEGACY_MIGRATION = "migrations/0001_legacy_backfill_progress.sql"
LEGACY_TABLE = "backfill_progress_legacy"


def migrate_warehouse(target: Backend | str, archive: Archive | None = None) -> list[str]:
    """Migrate the warehouse; returns report lines. Waits for the writer lease, so it
    queues behind a running ingest."""
    backend = as_backend(target)
    archive = archive or Archive(config.archive_root())
    local = backend.location.local_file
    lines = [f"warehouse {backend.location.label}{'' if local is None or local.exists() else ' (new)'}"]
    did = False
    with backend.writer_lease():
        if backend.kind == "file" and local.exists():
            did |= _move_layout(backend, archive, lines)
        conn = backend.connect()
        try:
            with backend.named_lock("schema"):
                applied = migrate_schema(conn)
            for step in applied:
                lines.append(_describe(step))
                if step == LEGACY_MIGRATION:
                    lines += _legacy_report(conn)
            did |= bool(applied)
        finally:
            conn.close()
        did |= _fill_revisions(backend, archive, lines)
    if not did:
        lines.append("nothing to do: schema and migrations are up to date")
    return lines


def _move_layout(backend: Backend, archive: Archive, lines: list[str]) -> bool:
    conn = backend.connect()
    try:
        why = layout.needs_rewrite(conn)
        if not why:
            return False
        lines.append("previous layout (" + "; ".join(why) + "): moving it")
        lines += layout.archive_payloads(conn, archive)
    finally:
        conn.close()  # a clean close checkpoints: the file alone is the committed state
    lines += layout.rewrite_file(backend.location.local_file)
    return True


def _fill_revisions(backend: Backend, archive: Archive, lines: list[str]) -> bool:
    """Replay the archive into revisions tables that have no rows while their dataset has
    recorded responses (a warehouse that predates them)."""
    from twilight_assets.rebuild import fill_revisions
    from twilight_assets.warehouse.writer import WarehouseWriter

    filled = False
    with WarehouseWriter(backend) as writer:
        for spec in REGISTRY.values():
            if spec.revisions_table is None:
                continue
            have, responses = writer.query(
                f'SELECT (SELECT count(*) FROM "{spec.revisions_table}") AS have, '
                "(SELECT count(*) FROM raw_responses WHERE api_name = ? AND archive_path IS NOT NULL) AS n",
                [spec.api_name],
            ).iloc[0]
            if have or not responses:
                continue
            report = fill_revisions(writer, archive, spec)
            lines.append(
                f"filled {spec.revisions_table} from {report.responses} archived responses "
                f"({report.partitions} partitions)" + (f"; {len(report.failed)} failed" if report.failed else "")
            )
            filled = True
    return filled


def move_to_lake(source: Backend | str, lake_url: str, *, lake_data: str | None = None) -> list[str]:
    """Copy a warehouse file into the DuckLake `lake_url`; returns report lines."""
    from twilight_assets.warehouse.writer import WarehouseWriter

    file_backend = as_backend(source)
    lake = open_backend(lake_url, data_path=lake_data)
    if not lake.is_lake:
        raise WarehouseError(f"--to takes a DuckLake (ducklake:...), not {lake_url}")
    lines = [f"copying {file_backend.location.label} into {lake.location.label}"]
    with file_backend.writer_lease(), lake.writer_lease():
        with WarehouseWriter(lake) as writer, writer.quiesced() as lake_conn:
            lines += layout.copy_to_lake(lake_conn, file_backend.location.local_file)
    lines.append("done: point TWILIGHT_WAREHOUSE at the lake; the raw archive stays where it is "
                 "(TWILIGHT_ARCHIVE), since rows name archive files by relative path")
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
        description="Bring a warehouse up to this version (layout, schema, legacy ledger, "
        "revisions), keeping every row; optionally copy it into a DuckLake.",
    )
    parser.add_argument(
        "--warehouse", default=None,
        help="the warehouse (default: TWILIGHT_WAREHOUSE or data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--to", default=None, metavar="DUCKLAKE",
        help="then copy it into this DuckLake (ducklake:postgres:<conninfo> or ducklake:<path>.ducklake)",
    )
    parser.add_argument("--lake-data", default=None,
                        help="the DuckLake's data path for --to (default: TWILIGHT_LAKE_DATA)")
    args = parser.parse_args(argv)
    backend = open_backend(args.warehouse)
    try:
        for line in migrate_warehouse(backend):
            print(line)
        if args.to:
            for line in move_to_lake(backend, args.to, lake_data=args.lake_data or config.lake_data()):
                print(line)
    except TwilightError as exc:
        print(f"twilight migrate: {exc}", file=sys.stderr)
        return 1
    return 0
