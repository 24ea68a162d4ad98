"""What the fault trials assert about a warehouse (or a snapshot of one), as functions
that return the problems they find, so a trial can say everything that is wrong at once.

Used by the tests and by the reader children, so it imports nothing from pytest.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.schema import quote

LEDGER_STATUSES = ("done", "market_closed", "failed")


def ledger_problems(conn: duckdb.DuckDBPyConnection, api: str) -> list[str]:
    """Every way the ledger of per-date dataset `api` disagrees with its rows.

    A partition is all there with a `done` mark whose row count matches its rows and
    whose raw response exists, or `market_closed` with no rows, or `failed`/absent with
    no rows (a failed retry of a partition that once succeeded keeps that success's
    rows and raw id). A raw response for a partition the ledger never marked written
    means a write committed halfway.
    """
    table = REGISTRY[api].table
    rows = conn.execute(
        f"""
        WITH counts AS (
            SELECT strftime(trade_date, '%Y-%m-%d') AS p, count(*) AS n
            FROM {quote(table)} GROUP BY 1
        ), ledger AS (
            SELECT partition_key AS p, status, rows, duplicates_dropped, raw_id
            FROM ingest_progress WHERE api_name = ?
        )
        SELECT coalesce(c.p, l.p) AS p, coalesce(c.n, 0), l.status, l.rows,
               l.duplicates_dropped, l.raw_id, r.row_count, r.partition_key,
               (SELECT count(*) FROM raw_responses x
                WHERE x.api_name = ? AND x.partition_key = coalesce(c.p, l.p)) AS raw_rows
        FROM counts c FULL JOIN ledger l ON c.p = l.p
        LEFT JOIN raw_responses r ON r.raw_id = l.raw_id
        ORDER BY 1
        """,
        [api, api],
    ).fetchall()
    problems = []
    for p, n, status, marked, dropped, raw_id, raw_count, raw_partition, raw_rows in rows:
        where = f"{api} {p}"
        if status is None:
            if n:
                problems.append(f"{where}: {n} rows but no ledger mark (a partial write)")
            if raw_rows:
                problems.append(f"{where}: {raw_rows} raw responses but no ledger mark")
            continue
        if status not in LEDGER_STATUSES:
            problems.append(f"{where}: unknown ledger status {status!r}")
        if status == "done":
            if n != marked:
                problems.append(f"{where}: marked done with {marked} rows, {n} rows present")
            if raw_count is None or raw_partition != p:
                problems.append(f"{where}: marked done but raw response {raw_id} is missing")
            elif raw_count != marked + (dropped or 0):
                problems.append(
                    f"{where}: raw response has {raw_count} rows, ledger {marked} + {dropped} dropped"
                )
        elif status == "market_closed" and n:
            problems.append(f"{where}: market_closed but {n} rows present")
        elif status == "failed":
            if raw_id is None and n:
                problems.append(f"{where}: failed and never written, yet {n} rows present")
            if raw_id is None and raw_rows:
                problems.append(f"{where}: failed and never written, yet {raw_rows} raw responses")
            if raw_id is not None and n != marked:
                problems.append(f"{where}: failed after a success of {marked} rows, {n} rows present")
    return problems


def partition_fingerprints(conn: duckdb.DuckDBPyConnection, api: str) -> dict[str, tuple[int, int]]:
    """Per trade date: (rows, a sum of row hashes over every documented field), to tell
    a partition holding exactly the reference rows from one holding any other."""
    spec = REGISTRY[api]
    cols = ", ".join(quote(f) for f in spec.field_names)
    rows = conn.execute(
        f"SELECT strftime(trade_date, '%Y-%m-%d'), count(*), sum(hash({cols})::HUGEINT) "
        f"FROM {quote(spec.table)} GROUP BY 1"
    ).fetchall()
    return {p: (int(n), int(h)) for p, n, h in rows}


def ledger(conn: duckdb.DuckDBPyConnection, api: str) -> dict[str, tuple]:
    """partition -> (status, rows, raw_id, last_error, attempts)."""
    rows = conn.execute(
        "SELECT partition_key, status, rows, raw_id, last_error, attempts FROM ingest_progress "
        "WHERE api_name = ?",
        [api],
    ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


# --- looking for a secret -----------------------------------------------------------------


def files_containing(roots: list[Path], needle: bytes) -> list[str]:
    """Every file under `roots` whose bytes contain `needle` (what `grep -r` would list)."""
    hits = []
    for root in roots:
        paths = [root] if root.is_file() else [Path(d) / f for d, _, fs in os.walk(root) for f in fs]
        for path in paths:
            try:
                data = path.read_bytes()
            except (FileNotFoundError, IsADirectoryError):
                continue
            if needle in data:
                hits.append(str(path))
    return hits


def duckdb_cells_containing(path: Path, needle: str) -> list[str]:
    """`table.column` of every cell holding `needle` in the DuckDB file at `path`.

    DuckDB compresses strings on disk (dictionary, FSST), so a byte grep of the file can
    miss text that is there: this reads every column of every table as text."""
    hits = []
    with duckdb.connect(str(path), read_only=True) as conn:
        columns = conn.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND NOT internal ORDER BY 1, 2"
        ).fetchall()
        for table, column in columns:
            n = conn.execute(
                f"SELECT count(*) FROM {quote(table)} "
                f"WHERE contains(CAST({quote(column)} AS VARCHAR), ?)",
                [needle],
            ).fetchall()[0][0]
            if n:
                hits.append(f"{path.name}: {table}.{column} ({n} rows)")
    return hits
