"""`twilight migrate --to ducklake:postgres:...` from the command line, as a user runs it
(the console script in a child process): a warehouse file moves into a new DuckLake on
PostgreSQL with identical rows in every table, ledger included, and a second run adds
nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.backend import open_backend
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.services import create_database, drop_database
from tests.warehouse.conftest import income_row, make_frame, make_raw, write_daily

ROOT = Path(__file__).resolve().parents[2]
TWILIGHT = Path(sys.executable).parent / "twilight"
INCOME = REGISTRY["income"]


def _twilight(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The console script `pip install` made, importing this checkout's code (also when
    the install is not an editable one)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return subprocess.run([str(TWILIGHT), *args], cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": path},
                          capture_output=True, text=True, timeout=600)


def _all_rows(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    tables = [r[0] for r in conn.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT internal").fetchall()]
    # schema_version: each warehouse records its own applications of the DDL.
    return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables if t != "schema_version"}


def test_twilight_migrate_to_a_ducklake_on_postgres_moves_every_row(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with WarehouseWriter(path) as writer:
        for day in ("2024-03-01", "2024-03-04", "2024-03-05"):
            write_daily(writer, day, n=120)
        write_daily(writer, "2024-03-04", n=110, close=12.0)  # a rewrite: the ledger has two attempts
        frame = make_frame(INCOME, [
            income_row("000001.SZ", "2023-12-31", update_flag="0", f_ann_date="2024-03-20", revenue=100.0),
            income_row("000001.SZ", "2023-12-31", update_flag="1", f_ann_date="2024-04-25", revenue=120.0),
        ])
        writer.write_partition(INCOME, "000001.SZ", frame, make_raw(INCOME, "000001.SZ", frame))
        writer.mark_failed("daily", "2024-03-06", "HTTP 502")
    conn = duckdb.connect(str(path), read_only=True)
    original = _all_rows(conn)
    conn.close()
    assert len(original["normalized_daily"]) == 350 and len(original["revisions_income"]) == 2

    database = create_database("migrate_cli")
    try:
        url = f"ducklake:postgres:{database.conninfo}"
        env = {"TWILIGHT_WAREHOUSE": str(path), "TWILIGHT_LAKE_DATA": str(tmp_path / "lake-data")}
        done = _twilight("migrate", "--to", url, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "normalized_daily: 350 rows" in done.stdout, done.stdout
        assert "point TWILIGHT_WAREHOUSE at the lake" in done.stdout

        lake = open_backend(url)
        with lake.writer() as writer, writer.quiesced() as conn:
            moved = _all_rows(conn)
        assert moved.keys() == original.keys()
        for table, rows in original.items():
            assert moved[table] == rows, table
        assert any((tmp_path / "lake-data").rglob("*.parquet"))  # the rows are the lake's Parquet now

        again = _twilight("migrate", "--to", url, env=env)
        assert again.returncode == 0, again.stderr[-3000:]
        assert "normalized_daily: 350 rows already there" in again.stdout, again.stdout
        with lake.writer() as writer:
            assert writer.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 350
    finally:
        drop_database(database)
