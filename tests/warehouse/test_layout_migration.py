"""`twilight migrate` moves a warehouse in the previous layout (payloads in the file, keys
everywhere, an updated ledger) to the current one losslessly, once, and survives kill -9."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from twilight_assets.migrate import migrate_warehouse
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.archive import Archive, decode
from twilight_assets.warehouse.schema import SchemaPendingError
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.warehouse.conftest import codes, daily_rows, income_row, make_frame, write_daily
from tests.warehouse.layout1 import Layout1Writer

ROOT = Path(__file__).resolve().parents[2]
DAILY, INCOME, STOCKS = REGISTRY["daily"], REGISTRY["income"], REGISTRY["stock_basic"]
CODE = "000001.SZ"


def build(path: Path, days: int = 3, stocks: int = 5) -> None:
    w = Layout1Writer(path)
    try:
        w.write(STOCKS, None, make_frame(STOCKS, [
            {"ts_code": c, "symbol": c[:6], "name": f"S{c}", "list_status": "L", "list_date": "2001-01-01"}
            for c in codes(stocks)]))
        for i in range(days):
            day = (dt.date(2024, 1, 2) + dt.timedelta(days=i)).isoformat()
            w.write(DAILY, day, make_frame(DAILY, daily_rows(day, codes(stocks), close=10.0 + i)))
        w.write(DAILY, "2023-12-29", make_frame(DAILY, []), status="market_closed")
        w.write(DAILY, "2024-01-02", make_frame(DAILY, daily_rows("2024-01-02", codes(stocks), close=9.0)))
        w.fail(DAILY, "2024-01-02", "HTTP 502 after the success")
        original = income_row(CODE, "2023-12-31", update_flag="0", f_ann_date="2024-03-20", revenue=100.0)
        revised = income_row(CODE, "2023-12-31", update_flag="1", f_ann_date="2024-04-25", revenue=120.0)
        w.write(INCOME, CODE, make_frame(INCOME, [original]))
        w.write(INCOME, CODE, make_frame(INCOME, [revised]))
    finally:
        w.close()


def snapshot_of(path: Path) -> dict[str, object]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        def rows(sql: str) -> list:
            return conn.execute(sql).fetchall()
        return {
            "daily": rows("SELECT ts_code, trade_date, close, source, raw_id FROM normalized_daily ORDER BY ALL"),
            "income": rows("SELECT ts_code, end_date, update_flag, revenue FROM normalized_income ORDER BY ALL"),
            "stocks": rows("SELECT ts_code, name FROM normalized_stock_basic ORDER BY ALL"),
            "ledger": rows("SELECT progress_key, status, attempts, rows, raw_id, last_error FROM ingest_progress ORDER BY ALL"),
            "raw": rows("SELECT raw_id, api_name, partition_key, row_count FROM raw_responses ORDER BY ALL"),
        }
    finally:
        conn.close()


def test_a_previous_layout_warehouse_moves_losslessly_and_once(tmp_path):
    path, archive = tmp_path / "old.duckdb", Archive(tmp_path / "archive")
    build(path)
    before = snapshot_of(path)
    with pytest.raises(SchemaPendingError, match="twilight migrate"):
        WarehouseWriter(path)  # a writer never rewrites a warehouse on open

    report = migrate_warehouse(path, archive)

    assert any(line.startswith("previous layout (response payloads inside the file") for line in report)
    assert any("archived 7 response payloads" in line for line in report)
    assert any("rewrote old.duckdb into the current layout" in line for line in report)
    assert any("filled revisions_income from 2 archived responses" in line for line in report)
    after = snapshot_of(path)
    assert after == before  # every row, every ledger entry, every raw record
    conn = duckdb.connect(str(path), read_only=True)
    try:
        columns = {r[0] for r in conn.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'raw_responses'").fetchall()}
        assert "payload" not in columns
        assert conn.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'").fetchall() == [(0,)]
        refs = conn.execute("SELECT raw_id, archive_path, archive_bytes, archive_sha256, row_count, pages "
                            "FROM raw_responses ORDER BY raw_id").fetchall()
        versions = conn.execute("SELECT update_flag, revenue FROM revisions_income ORDER BY ALL").fetchall()
    finally:
        conn.close()
    for raw_id, ref_path, size, sha, row_count, pages in refs:
        if not pages:
            assert ref_path is None  # the closed day: nothing was fetched
            continue
        data = archive.read_bytes(ref_path)
        assert (len(data), hashlib.sha256(data).hexdigest()) == (size, sha)
        assert sum(len(p["items"]) for p in decode(data)) == row_count
    assert versions == [("0", 100.0), ("1", 120.0)]  # both versions the responses served

    again = migrate_warehouse(path, archive)
    assert again[1:] == ["nothing to do: schema and migrations are up to date"]
    assert snapshot_of(path) == before
    with WarehouseWriter(path) as writer:  # and ingest goes on where it was
        write_daily(writer, "2024-01-05", n=2)
        assert writer.progress("daily", ["2024-01-02"])[["status", "attempts"]].values.tolist() == [["failed", 3]]


@pytest.fixture(scope="module")
def large_layout1(tmp_path_factory) -> Path:
    """A previous-layout warehouse large enough that migrating it takes seconds."""
    path = tmp_path_factory.mktemp("layout1") / "large.duckdb"
    build(path, days=50, stocks=1000)
    return path


def test_the_file_gives_its_payload_space_back(tmp_path, large_layout1):
    """Measured beyond each layout's empty schema (DuckDB gives every table its blocks),
    the data the file holds shrinks by what the payloads took."""
    path, archive = tmp_path / "old.duckdb", Archive(tmp_path / "archive")
    shutil.copyfile(large_layout1, path)
    Layout1Writer(tmp_path / "empty-old.duckdb").close()
    WarehouseWriter(tmp_path / "empty-new.duckdb").close()
    before = path.stat().st_size - (tmp_path / "empty-old.duckdb").stat().st_size
    migrate_warehouse(path, archive)
    after = path.stat().st_size - (tmp_path / "empty-new.duckdb").stat().st_size
    assert after < before * 0.6
    assert not path.with_name(path.name + ".migrating").exists()


def _stage(path: Path) -> str:
    """Where an interrupted migration stopped: before, archiving, rewriting, or done."""
    if path.with_name(path.name + ".migrating").exists():
        return "rewriting"
    # Read-write, as the rerun will: DuckDB 1.5 cannot replay a killed writer's WAL into
    # a read-only connection (an internal error), and readers never open the live file.
    conn = duckdb.connect(str(path))
    try:
        columns = {r[0] for r in conn.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'raw_responses'").fetchall()}
        if "payload" not in columns:
            return "done"
        if "archive_path" not in columns:
            return "before"
        left = conn.execute("SELECT count(*) FROM raw_responses WHERE archive_path IS NULL AND pages > 0").fetchall()
        return "archiving" if left[0][0] else "archived"
    finally:
        conn.close()


KILL_AT = (0.35, 0.45, 0.55, 0.62, 0.7, 0.78, 0.86, 0.94)
"""When each trial's kill lands, as a share of an uninterrupted `twilight migrate` of the same
warehouse timed first on this machine (fixed delays missed it on a quiet machine)."""


def _migrate_cmd(path: Path, archive_dir: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "TWILIGHT_ARCHIVE": str(archive_dir), "TWILIGHT_WAREHOUSE": str(path)}
    return [sys.executable, "-m", "twilight_assets.cli", "migrate"], env


@pytest.mark.slow
def test_kill_9_during_migrate_loses_nothing_and_a_rerun_finishes(tmp_path, large_layout1):
    before = snapshot_of(large_layout1)
    shutil.copyfile(large_layout1, tmp_path / "timed.duckdb")
    cmd, env = _migrate_cmd(tmp_path / "timed.duckdb", tmp_path / "timed-archive")
    started = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    whole = time.monotonic() - started
    stages = []
    for trial, share in enumerate(KILL_AT):
        path, archive_dir = tmp_path / f"t{trial}.duckdb", tmp_path / f"archive{trial}"
        shutil.copyfile(large_layout1, path)
        cmd, env = _migrate_cmd(path, archive_dir)
        child = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(share * whole)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        stages.append(_stage(path))
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert snapshot_of(path) == before, f"trial {trial} (killed while {stages[-1]})"
        again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert "nothing to do" in again.stdout
        archive = Archive(archive_dir)
        conn = duckdb.connect(str(path), read_only=True)
        try:
            refs = conn.execute("SELECT archive_path, archive_sha256 FROM raw_responses WHERE pages > 0").fetchall()
        finally:
            conn.close()
        assert all(hashlib.sha256(archive.read_bytes(p)).hexdigest() == sha for p, sha in refs)
    # The kills must have landed inside the migration, not only before or after it.
    assert {"archiving", "archived", "rewriting"} & set(stages), (stages, whole)
