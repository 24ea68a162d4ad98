"""Snapshots of a warehouse file: copies published atomically, verified, pruned; readers
only ever see them. (A DuckLake publishes catalog versions: tests/warehouse/test_lake.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from twilight_assets.errors import NoSnapshotError, WarehouseError
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.reader import WarehouseReader
from twilight_assets.warehouse.snapshots import (
    CURRENT,
    current_snapshot,
    list_snapshots,
    publish_snapshot,
    table_row_counts,
)
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.warehouse.conftest import income_row, make_frame, make_raw, write_daily

ROOT = Path(__file__).resolve().parents[2]
ROWS_PER_DAY = 40


def committed_state_holds(conn: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """The invariants every committed state of the concurrent writer below satisfies;
    returns (days written, income rows)."""
    daily, days, raw, done, income = conn.execute(
        "SELECT (SELECT count(*) FROM normalized_daily), (SELECT count(DISTINCT trade_date) FROM normalized_daily), "
        "(SELECT count(*) FROM raw_responses), (SELECT count(*) FROM ingest_progress WHERE status = 'done'), "
        "(SELECT count(*) FROM normalized_income)"
    ).fetchall()[0]
    assert daily == ROWS_PER_DAY * days
    assert raw == done == days + income  # each partition written once, with its raw row
    return days, income


def test_publish_list_and_read(file_writer, tmp_path):
    writer = file_writer
    write_daily(writer, "2024-01-02", n=3)
    snaps = tmp_path / "snapshots"
    info = publish_snapshot(writer, snaps)

    assert info.path.exists() and info.path.parent == snaps
    assert info.bytes == info.path.stat().st_size > 0
    assert info.table_rows["normalized_daily"] == 3 and info.table_rows["raw_responses"] == 1
    assert min(info.duration_s, info.writers_held_s, info.copy_s, info.verify_s, info.checkpoint_s) >= 0
    assert (snaps / CURRENT).read_text().strip() == info.snapshot_id
    assert [s.snapshot_id for s in list_snapshots(snaps)] == [info.snapshot_id]
    assert current_snapshot(snaps) == info

    with WarehouseReader(snaps) as reader:
        assert reader.info == info
        assert sorted(reader.table("normalized_daily")["ts_code"]) == ["600000.SH", "600001.SH", "600002.SH"]
        assert reader.query("SELECT done FROM ingest_progress_summary WHERE api_name = ?", ["daily"])["done"].item() == 1
        with pytest.raises(WarehouseError, match="has no table or view 'nope'"):
            reader.table("nope")
        with pytest.raises(duckdb.Error):  # read-only
            reader.query("DELETE FROM normalized_daily")


def test_keep_prunes_old_snapshots_and_older_ones_stay_readable(file_writer, tmp_path):
    writer = file_writer
    snaps = tmp_path / "snapshots"
    infos = []
    for i in range(4):
        write_daily(writer, f"2024-01-0{i + 2}", n=2)
        infos.append(publish_snapshot(writer, snaps, keep=2))
    listed = list_snapshots(snaps)
    assert [s.snapshot_id for s in listed] == [infos[3].snapshot_id, infos[2].snapshot_id]
    assert not infos[0].path.exists() and not infos[1].path.exists()
    assert sorted(p.name for p in snaps.iterdir() if not p.name.startswith(".")) == sorted(
        [CURRENT] + [f"{i.snapshot_id}{ext}" for i in infos[2:] for ext in (".duckdb", ".json")]
    )
    with WarehouseReader(snaps, snapshot_id=infos[2].snapshot_id) as older:
        assert older.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 6
    with WarehouseReader(snaps) as newest:
        assert newest.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 8
    with pytest.raises(NoSnapshotError, match=f"no snapshot '{infos[0].snapshot_id}'.*published: {infos[3].snapshot_id}"):
        WarehouseReader(snaps, snapshot_id=infos[0].snapshot_id)


def test_no_snapshot_is_a_clear_error(tmp_path):
    with pytest.raises(NoSnapshotError, match="no snapshot has been published in .*twilight snapshot publish"):
        WarehouseReader(tmp_path / "empty")


def test_leftovers_of_a_crashed_publish_are_never_read_and_are_cleaned_next_time(file_writer, tmp_path):
    writer = file_writer
    snaps = tmp_path / "snapshots"
    write_daily(writer, "2024-01-02", n=2)
    first = publish_snapshot(writer, snaps)
    # What a publish killed at each step leaves behind: a half-written copy, a verified
    # copy not yet renamed with its info file, and a pointer that was being written.
    (snaps / ".tmp-20990101T000000000000Z.duckdb").write_bytes(b"half a copy")
    (snaps / "20990101T000000000001Z.json").write_text(json.dumps(first.to_json()))
    (snaps / f".tmp-{CURRENT}.4242").write_text("20990101T000000000000Z\n")

    assert [s.snapshot_id for s in list_snapshots(snaps)] == [first.snapshot_id]
    with WarehouseReader(snaps) as reader:
        assert reader.info.snapshot_id == first.snapshot_id

    write_daily(writer, "2024-01-03", n=2)
    second = publish_snapshot(writer, snaps)
    leftovers = [p.name for p in snaps.iterdir() if p.name.startswith(".tmp-") or p.name.startswith("2099")]
    assert leftovers == []
    assert current_snapshot(snaps).snapshot_id == second.snapshot_id


def test_a_snapshot_taken_while_a_thread_writes_matches_a_committed_state(file_writer, tmp_path):
    writer = file_writer
    snaps = tmp_path / "snapshots"
    stop = threading.Event()
    errors: list[BaseException] = []
    income = REGISTRY["income"]
    written = threading.Semaphore(0)  # released once per partition the thread commits

    def keep_writing() -> None:
        try:
            for i in range(10_000):
                if stop.is_set():
                    return
                day = f"2030-{1 + i // 28:02d}-{1 + i % 28:02d}"
                write_daily(writer, day, n=ROWS_PER_DAY)
                written.release()
                if i % 3 == 0:
                    code = f"{i:06d}.SZ"
                    frame = make_frame(income, [income_row(code, "2023-12-31", update_flag="0", f_ann_date="2024-03-01", revenue=1.0)])
                    writer.write_partition(income, code, frame, make_raw(income, code, frame))
        except BaseException as exc:  # surfaced by the main thread
            errors.append(exc)

    thread = threading.Thread(target=keep_writing)
    thread.start()
    seen = []
    try:
        for _ in range(6):
            assert written.acquire(timeout=60), errors  # the writer moved on since the last snapshot
            info = publish_snapshot(writer, snaps, keep=10)
            conn = duckdb.connect(str(info.path), read_only=True)
            try:
                assert table_row_counts(conn) == info.table_rows
                seen.append(committed_state_holds(conn))
            finally:
                conn.close()
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not errors, errors
    assert seen == sorted(seen) and seen[-1][0] >= seen[0][0] + 5  # each snapshot saw more


def test_snapshot_cli_publishes_and_lists(warehouse_path, tmp_path):
    with WarehouseWriter(warehouse_path) as writer:
        write_daily(writer, "2024-01-02", n=4)
    snaps = tmp_path / "snapshots"
    base = [sys.executable, "-m", "twilight_assets.cli", "snapshot"]
    published = subprocess.run(
        base + ["publish", "--warehouse", str(warehouse_path), "--snapshot-dir", str(snaps), "--keep", "2", "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert published.returncode == 0, published.stderr
    [info] = json.loads(published.stdout)
    assert info["current"] is True and info["table_rows"]["normalized_daily"] == 4
    listed = subprocess.run(base + ["list", "--snapshot-dir", str(snaps)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert f"* {info['snapshot_id']}" in listed.stdout


def test_the_snapshot_cli_holds_to_the_publication_gate(warehouse_path, tmp_path):
    import datetime as dt

    from twilight_assets.warehouse.quality import CheckRecord

    with WarehouseWriter(warehouse_path) as writer:
        write_daily(writer, "2024-01-02", n=4)
        writer.record_check_results([CheckRecord(
            run_id=None, asset="daily", check_name="ohlc_daily", partition="2024-01-02", severity="ERROR",
            passed=False, metric=1.0, threshold=0.0, failed_rows=1, samples=[], message="1 row with high < low",
            evaluated_at=dt.datetime.now(dt.UTC))])
    snaps = tmp_path / "snapshots"
    base = [sys.executable, "-m", "twilight_assets.cli", "snapshot", "publish", "--warehouse", str(warehouse_path),
            "--snapshot-dir", str(snaps)]
    held = subprocess.run(base, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert held.returncode == 1 and "not published: 1 blocking check" in held.stderr and "ohlc_daily" in held.stderr
    assert list_snapshots(snaps) == []
    forced = subprocess.run(base + ["--force"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert forced.returncode == 0, forced.stderr
    assert len(list_snapshots(snaps)) == 1
