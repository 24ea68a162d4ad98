"""Moving a warehouse to the current layout, losslessly: what `twilight migrate` does first.

The previous layout kept every response's pages in `raw_responses.payload` inside the
DuckDB file, keyed every table with a PRIMARY KEY (and raw_id with a sequence), and kept
the ledger as one updated row per partition. The current one archives pages beside the
warehouse, has no keys (the same DDL serves DuckLake), and appends the ledger. Moving
takes two steps, each safe to interrupt and to run again:

1. **Archive the payloads, in place.** Each row's pages are written to the raw archive
   (warehouse/archive.py), read back and checked (sha256, and as many items as the row
   says it received), and the row gets the file's path, size and hash; batches commit as
   they go, so a killed run resumes where it stopped.
2. **Rewrite the file.** DuckDB does not give freed blocks back, so dropping the payload
   column would not shrink the file. The warehouse is copied table by table into a new
   file made from the current DDL (`<file>.migrating`), verified by row counts, and
   renamed over the old one: until that rename the old file is untouched, after it the
   new one is complete.

`copy_to_lake` moves a warehouse file (in the current layout) into a DuckLake.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pandas as pd

from twilight_assets.errors import WarehouseError
from twilight_assets.warehouse.archive import Archive, decode
from twilight_assets.warehouse.schema import ensure_schema, table_shapes
from twilight_assets.warehouse.values import quote, transaction

ARCHIVE_BATCH = 200
"""Payloads archived per committed batch (each holds up to a few MB of JSON)."""
_ARCHIVE_COLUMNS = (
    ("archive_path", "VARCHAR"), ("archive_bytes", "BIGINT"), ("archive_sha256", "VARCHAR"),
    ("absent_fields", "VARCHAR[]"), ("revision_conflicts", "JSON"),
)
DERIVED = {"source_freshness"}
"""Tables of the previous layout that are views now: nothing to copy, the view derives them."""


def needs_rewrite(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Why this warehouse is in the previous layout (empty: it is not)."""
    shapes = table_shapes(conn)
    why = []
    if "raw_responses" in shapes and shapes["raw_responses"].column("payload") is not None:
        why.append("response payloads inside the file")
    if "ingest_progress" in shapes:
        why.append("the ledger as a table of updated rows")
    keyed = sorted(t for t, s in shapes.items() if s.primary_key)
    if keyed:
        why.append(f"primary keys on {len(keyed)} tables")
    return why


# --- step 1: payloads to the archive -----------------------------------------------------


def archive_payloads(conn: duckdb.DuckDBPyConnection, archive: Archive) -> list[str]:
    """Move every in-file payload to the archive, verified; returns report lines."""
    shapes = table_shapes(conn)
    raw = shapes.get("raw_responses")
    if raw is None or raw.column("payload") is None:
        return []
    for name, sql_type in _ARCHIVE_COLUMNS:
        conn.execute(f"ALTER TABLE raw_responses ADD COLUMN IF NOT EXISTS {name} {sql_type}").fetchall()
    # Into the file at once, not left in the WAL: DuckDB 1.5 cannot replay an ALTER of a
    # table whose column defaults to nextval() ("GetDefaultDatabase with no default
    # database set"), so a migration killed before the next checkpoint would leave a
    # file that no longer opens.
    conn.execute("CHECKPOINT").fetchall()
    moved = size = 0
    while True:
        rows = conn.execute(
            "SELECT raw_id, api_name, CAST(payload AS VARCHAR), row_count FROM raw_responses "
            "WHERE archive_path IS NULL AND json_array_length(payload) > 0 ORDER BY raw_id LIMIT ?",
            [ARCHIVE_BATCH],
        ).fetchall()
        if not rows:
            break
        refs = []
        for raw_id, api_name, payload, row_count in rows:
            pages = json.loads(payload)
            ref = archive.store(api_name, pages)
            _verify_archived(archive, ref, raw_id, pages, row_count)
            refs.append((raw_id, ref.path, ref.bytes, ref.sha256))
            size += ref.bytes
        frame = pd.DataFrame(refs, columns=["raw_id", "path", "bytes", "sha256"])
        with transaction(conn):
            conn.register("_archived", frame)
            conn.execute(
                "UPDATE raw_responses SET archive_path = a.path, archive_bytes = a.bytes, "
                "archive_sha256 = a.sha256 FROM _archived AS a WHERE raw_responses.raw_id = a.raw_id"
            ).fetchall()
            conn.unregister("_archived")
        moved += len(rows)
    left = conn.execute(
        "SELECT count(*) FROM raw_responses WHERE archive_path IS NULL AND json_array_length(payload) > 0"
    ).fetchall()[0][0]
    if left:
        raise WarehouseError(f"{left} payloads are still in the file after archiving them")
    if not moved:
        return ["every payload was already in the archive"]
    return [f"archived {moved} response payloads ({size / 1e6:.1f} MB compressed) in {archive.root}, "
            "each verified by sha256 and item count"]


def _verify_archived(archive: Archive, ref, raw_id: int, pages: list[dict], row_count: int) -> None:
    problem = archive.verify(ref)
    if problem:
        raise WarehouseError(f"raw response {raw_id}: archive file {ref.path} {problem}")
    back = decode(archive.read_bytes(ref.path))
    items = sum(len(p.get("items") or []) for p in back)
    if back != pages or items != row_count:
        raise WarehouseError(
            f"raw response {raw_id}: archive file {ref.path} reads back {items} items, "
            f"the row says {row_count} were received"
        )


# --- step 2: rewrite the file -------------------------------------------------------------


def rewrite_file(path: Path) -> list[str]:
    """Copy the warehouse at `path` (closed, payloads archived) into the current layout
    and put the copy in its place; returns report lines."""
    path = Path(path).resolve()
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        raise WarehouseError(f"{wal} exists: open and close the warehouse once so DuckDB checkpoints it")
    new = path.with_name(path.name + ".migrating")
    for leftover in (new, new.with_name(new.name + ".wal")):
        leftover.unlink(missing_ok=True)  # a rewrite that was interrupted
    before = path.stat().st_size
    conn = duckdb.connect(str(new))
    try:
        ensure_schema(conn)
        conn.execute(f"ATTACH {_literal(str(path))} AS _previous (READ_ONLY)").fetchall()
        lines = _copy_tables(conn)
        conn.execute("DETACH _previous").fetchall()
        conn.execute("CHECKPOINT").fetchall()
    except BaseException:
        conn.close()
        new.unlink(missing_ok=True)
        raise
    conn.close()
    _fsync(new)
    os.replace(new, path)
    _fsync(path.parent)
    after = path.stat().st_size
    lines.append(f"rewrote {path.name} into the current layout: {before / 1e6:.1f} MB -> "
                 f"{after / 1e6:.1f} MB (DuckDB keeps freed space inside a file, so a copy is what "
                 "gives it back)")
    return lines


def _copy_tables(conn: duckdb.DuckDBPyConnection) -> list[str]:
    new_shapes = table_shapes(conn)
    home = conn.execute("SELECT current_database()").fetchall()[0][0]
    conn.execute("USE _previous").fetchall()
    old_shapes = table_shapes(conn)
    conn.execute(f"USE {quote(home)}").fetchall()
    lines = []
    for table, old in sorted(old_shapes.items()):
        if table in DERIVED:
            lines.append(f"  {table}: a view now, derived from the ledger")
            continue
        if table == "ingest_progress":
            lines.append(_copy_ledger(conn, old_shapes))
            continue
        want = new_shapes.get(table)
        if want is None:  # a table the DDL does not know (legacy, or the user's): kept whole
            conn.execute(f"CREATE TABLE {quote(table)} AS SELECT * FROM _previous.{quote(table)}").fetchall()
            lines.append(f"  {table}: kept as it was ({_count(conn, table)} rows)")
            continue
        clash = [c.name for c in want.columns
                 if old.column(c.name) is not None and old.column(c.name).data_type != c.data_type]
        if clash:
            kept = _free(conn, table + "_legacy")
            conn.execute(f"CREATE TABLE {quote(kept)} AS SELECT * FROM _previous.{quote(table)}").fetchall()
            lines.append(f"  {table}: columns {', '.join(clash)} have other types; kept whole as {kept}")
            continue
        common = [c.name for c in want.columns if old.column(c.name) is not None]
        cols = ", ".join(quote(c) for c in common)
        conn.execute(f"INSERT INTO {quote(table)} ({cols}) SELECT {cols} FROM _previous.{quote(table)}").fetchall()
        copied, source = _count(conn, table), _count(conn, f"_previous.{quote(table)}", raw=True)
        if table != "schema_version" and copied != source:
            raise WarehouseError(f"{table}: copied {copied} rows of {source}")
        dropped = [c.name for c in old.columns if want.column(c.name) is None]
        note = f" (dropped {', '.join(dropped)})" if dropped else ""
        lines.append(f"  {table}: {copied} rows{note}")
    return lines


def _copy_ledger(conn: duckdb.DuckDBPyConnection, old_shapes) -> str:
    """The previous ledger's one row per partition as attempts: a partition whose last
    attempt failed after a success keeps both, so the view still says what the success
    wrote; attempts carry their count. Sources come from the responses they name."""
    has_raw = "raw_responses" in old_shapes
    source = ("(SELECT r.source FROM _previous.raw_responses AS r WHERE r.raw_id = p.raw_id)"
              if has_raw else "NULL")
    dropped = "p.duplicates_dropped" if old_shapes["ingest_progress"].column("duplicates_dropped") else "NULL"
    rows = "p.rows" if old_shapes["ingest_progress"].column("rows") else "NULL"
    conn.execute(f"""
        INSERT INTO ingest_log (attempt_id, progress_key, api_name, partition_key, status, attempts,
                                rows, duplicates_dropped, rows_removed, absent_fields, source, raw_id,
                                error, attempted_at)
        SELECT epoch_us(p.updated_at) * 1024 + row_number() OVER () % 1024 - 1024, p.progress_key,
               p.api_name, p.partition_key, 'done', 0, {rows}, {dropped}, NULL, NULL, {source},
               p.raw_id, NULL, p.updated_at
        FROM _previous.ingest_progress AS p WHERE p.status = 'failed' AND p.raw_id IS NOT NULL
        UNION ALL
        SELECT epoch_us(p.updated_at) * 1024 + row_number() OVER () % 1024, p.progress_key,
               p.api_name, p.partition_key, p.status, p.attempts,
               CASE WHEN p.status = 'failed' THEN NULL ELSE {rows} END,
               CASE WHEN p.status = 'failed' THEN NULL ELSE {dropped} END, NULL, NULL,
               CASE WHEN p.status = 'failed' THEN NULL ELSE {source} END,
               CASE WHEN p.status = 'failed' THEN NULL ELSE p.raw_id END,
               p.last_error, p.updated_at
        FROM _previous.ingest_progress AS p
    """).fetchall()
    keys = conn.execute("SELECT count(*) FROM ingest_progress").fetchall()[0][0]
    want = conn.execute("SELECT count(*) FROM _previous.ingest_progress").fetchall()[0][0]
    if keys != want:
        raise WarehouseError(f"ingest_progress: {want} partitions became {keys} in the ledger")
    return f"  ingest_progress: {want} partitions -> ingest_log (append-only; ingest_progress is its view)"


def copy_to_lake(lake_conn: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """Copy every table of the warehouse file at `path` (current layout, closed) into the
    DuckLake `lake_conn` is on (its schema created). A table whose rows already match is
    skipped, so an interrupted move resumes; each table copies in one lake transaction,
    streamed from the file, so it is whole or absent."""
    lines = []
    home = lake_conn.execute("SELECT current_database()").fetchall()[0][0]
    lake_tables = table_shapes(lake_conn)
    lake_conn.execute(f"ATTACH {_literal(str(path))} AS src (READ_ONLY)").fetchall()
    try:
        lake_conn.execute("USE src").fetchall()
        tables = table_shapes(lake_conn)
        lake_conn.execute(f"USE {quote(home)}").fetchall()
        for table, shape in sorted(tables.items()):
            if table not in lake_tables:
                lines.append(f"  {table}: not in the lake's schema; left behind")
                continue
            want = _count(lake_conn, f"src.{quote(table)}", raw=True)
            have = _count(lake_conn, table)
            if have == want:
                lines.append(f"  {table}: {have} rows already there")
                continue
            cols = ", ".join(quote(c.name) for c in shape.columns if lake_tables[table].column(c.name))
            with transaction(lake_conn):
                lake_conn.execute(f"DELETE FROM {quote(table)}").fetchall()
                lake_conn.execute(
                    f"INSERT INTO {quote(table)} ({cols}) SELECT {cols} FROM src.{quote(table)}"
                ).fetchall()
            got = _count(lake_conn, table)
            if got != want:
                raise WarehouseError(f"{table}: {got} rows in the lake, {want} in the file")
            lines.append(f"  {table}: {got} rows")
    finally:
        lake_conn.execute(f"USE {quote(home)}").fetchall()
        lake_conn.execute("DETACH src").fetchall()
    return lines


def _count(conn: duckdb.DuckDBPyConnection, table: str, raw: bool = False) -> int:
    name = table if raw else quote(table)
    return int(conn.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])


def _free(conn: duckdb.DuckDBPyConnection, name: str) -> str:
    taken = {r[0] for r in conn.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    return candidate


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
