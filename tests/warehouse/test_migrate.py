"""`twilight migrate` upgrades both variants of the seed's backfill_progress, twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from twilight_assets.migrate import migrate_warehouse
from twilight_assets.warehouse.schema import SchemaPendingError
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.warehouse.conftest import SEED_LEDGER_DDL, write_daily

ROOT = Path(__file__).resolve().parents[2]

# The production variant the seed suspects (A0.7): the same table with its key and
# trade_date NOT NULL relaxed, so markers and duplicate rows could be written.
RELAXED_LEDGER_DDL = (
    SEED_LEDGER_DDL.replace("trade_date DATE NOT NULL", "trade_date DATE")
    .replace(",\nPRIMARY KEY (api_name, trade_date)", "")
) + "CREATE INDEX backfill_progress_api ON backfill_progress (api_name);"  # lookups by marker

STRICT_ROWS = [
    ("daily", "2024-01-02", "done", 11, 1, None, "2024-01-02 18:00"),
    ("daily", "2024-01-03", "failed", None, 3, "HTTP 502", "2024-01-03 18:00"),
    ("adj_factor", "2024-01-02", "done", 12, 1, None, "2024-01-02 18:05"),
    ("trade_cal", "2024-01-02", "done", 13, 1, None, "2024-01-02 18:06"),
    # The sentinel workaround the seed considered for markers under NOT NULL.
    ("t3:income:000001.SZ", "1970-01-01", "done", None, 2, None, "2024-01-04 10:00"),
]

RELAXED_ROWS = [
    ("daily", "2024-01-02", "done", 11, 1, None, "2024-01-02 18:00"),
    ("t3:income:000001.SZ", None, "done", None, 1, None, "2024-01-04 10:00"),
    ("t3:income:000001.SZ", None, "failed", None, 2, "timeout", "2024-01-05 10:00"),  # duplicate marker
    ("t3:income:600000.SH", "1970-01-01", "failed", None, 4, "40203 quota", "2024-01-04 11:00"),
    ("t3:index_daily:000300.SH", None, "done", None, 1, None, "2024-01-04 12:00"),
    ("t3:stock_basic", None, "done", None, 1, None, "2024-01-04 13:00"),
    ("t3:weird:marker", None, "done", None, 1, None, "2024-01-04 14:00"),
    ("daily", None, "done", None, 1, None, "2024-01-04 15:00"),
]

EXPECTED_STRICT = [
    ("adj_factor:2024-01-02", "adj_factor", "2024-01-02", "done", 1, None),
    ("daily:2024-01-02", "daily", "2024-01-02", "done", 1, None),
    ("daily:2024-01-03", "daily", "2024-01-03", "failed", 3, "HTTP 502"),
    ("income:000001.SZ", "income", "000001.SZ", "done", 2, None),
    ("legacy:trade_cal@2024-01-02", "legacy", "trade_cal@2024-01-02", "done", 1, None),
]

EXPECTED_RELAXED = [
    ("daily:2024-01-02", "daily", "2024-01-02", "done", 1, None),
    ("income:000001.SZ", "income", "000001.SZ", "done", 3, None),  # done wins; attempts add up
    ("income:600000.SH", "income", "600000.SH", "failed", 4, "40203 quota"),
    ("index_daily:000300.SH", "index_daily", "000300.SH", "done", 1, None),
    ("legacy:daily", "legacy", "daily", "done", 1, None),
    ("legacy:t3:weird:marker", "legacy", "t3:weird:marker", "done", 1, None),
    ("stock_basic:once", "stock_basic", "once", "done", 1, None),
]


def build_legacy(path: Path, ddl: str, rows: list[tuple]) -> None:
    conn = duckdb.connect(str(path))
    conn.execute(ddl).fetchall()
    conn.executemany("INSERT INTO backfill_progress VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()


def ledger(path: Path) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(
            "SELECT progress_key, api_name, partition_key, status, attempts, last_error "
            "FROM ingest_progress ORDER BY progress_key"
        ).fetchall()
    finally:
        conn.close()


def kept(path: Path) -> pd.DataFrame:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert "backfill_progress" not in tables
        return conn.execute("SELECT * FROM backfill_progress_legacy ORDER BY ALL").df()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "ddl, rows, expected",
    [(SEED_LEDGER_DDL, STRICT_ROWS, EXPECTED_STRICT), (RELAXED_LEDGER_DDL, RELAXED_ROWS, EXPECTED_RELAXED)],
    ids=["seed-ddl", "relaxed-production"],
)
def test_both_legacy_variants_migrate_once_keeping_every_row(tmp_path, ddl, rows, expected):
    path = tmp_path / "legacy.duckdb"
    build_legacy(path, ddl, rows)

    report = migrate_warehouse(path)
    assert "applied migrations/0001_legacy_backfill_progress.sql" in report
    assert any(f"backfill_progress: {len(rows)} rows -> {len(expected)} ingest_progress keys" in line for line in report)
    assert ledger(path) == expected
    old = kept(path)
    assert len(old) == len(rows)  # nothing dropped, and each row says where it went
    assert set(old["progress_key"]) == {e[0] for e in expected}

    again = migrate_warehouse(path)
    assert again[1:] == ["nothing to do: schema and migrations are up to date"]
    assert ledger(path) == expected
    pd.testing.assert_frame_equal(kept(path), old)


def test_the_cli_migrates_and_then_has_nothing_to_do(tmp_path):
    path = tmp_path / "legacy.duckdb"
    build_legacy(path, RELAXED_LEDGER_DDL, RELAXED_ROWS)
    cmd = [sys.executable, "-m", "twilight_assets.cli", "migrate", "--warehouse", str(path)]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "kept under legacy:<api_name> keys" in first.stdout
    assert "the old table is kept as backfill_progress_legacy" in first.stdout
    second = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "nothing to do" in second.stdout
    assert ledger(path) == EXPECTED_RELAXED


def test_a_writer_refuses_a_legacy_warehouse_and_continues_the_ledger_once_migrated(tmp_path):
    path = tmp_path / "legacy.duckdb"
    build_legacy(path, SEED_LEDGER_DDL, STRICT_ROWS)
    with pytest.raises(SchemaPendingError, match="legacy code.*twilight migrate"):
        WarehouseWriter(path)
    migrate_warehouse(path)
    with WarehouseWriter(path) as writer:
        write_daily(writer, "2024-01-03", n=2)  # the partition that had failed
        row = writer.progress("daily", ["2024-01-03"]).iloc[0]
        assert (row["status"], row["attempts"], row["last_error"]) == ("done", 4, None)


def test_rows_the_new_ledger_already_has_are_kept(tmp_path):
    path = tmp_path / "mixed.duckdb"
    with WarehouseWriter(path) as writer:
        write_daily(writer, "2024-01-02", n=2)
    build_legacy(path, SEED_LEDGER_DDL, [("daily", "2024-01-02", "failed", None, 7, "old", "2020-01-01 00:00")])
    migrate_warehouse(path)
    assert ledger(path) == [("daily:2024-01-02", "daily", "2024-01-02", "done", 1, None)]
    assert kept(path)["progress_key"].tolist() == ["daily:2024-01-02"]
