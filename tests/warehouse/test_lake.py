"""The DuckLake backend on a real PostgreSQL catalog: many writer processes at once, commit
conflicts retried, snapshots as verified versions that readers on any host attach at,
maintenance that keeps the published versions readable, and kill -9 mid-commit."""

from __future__ import annotations

import importlib.metadata
import os
import queue
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import duckdb
import pytest

from twilight_assets.errors import NoSnapshotError, WarehouseError
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse import extensions, ledger as ledger_module, writer as writer_module
from twilight_assets.warehouse.backend import Backend, open_backend
from twilight_assets.warehouse.lake_snapshots import maintain
from twilight_assets.warehouse.reader import WarehouseReader
from twilight_assets.warehouse.snapshots import publish_snapshot
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.services import drop_database
from tests.backends import lake_copy
from tests.warehouse.conftest import stdout_lines, write_daily
from tests.warehouse.lake_children import weekdays

ROOT = Path(__file__).resolve().parents[2]
DAILY = REGISTRY["daily"]


@pytest.fixture
def lake(template_lake, request) -> Iterator[Backend]:
    database = lake_copy(template_lake, request.node.name)
    try:
        yield open_backend(f"ducklake:postgres:{database.conninfo}")
    finally:
        drop_database(database)


def test_the_extensions_come_from_wheels_of_duckdbs_own_version():
    for name, package in extensions.WHEELS.items():
        assert importlib.metadata.version(package.replace("_", "-")) == duckdb.__version__, name
        assert extensions.extension_file(name).parent.name == f"v{duckdb.__version__}"


def test_the_warehouse_label_never_shows_a_password():
    backend = open_backend("ducklake:postgres:host=db port=5432 dbname=lake user=u password=s3cret")
    assert backend.is_lake and backend.concurrent_writers
    assert "s3cret" not in backend.location.label and "password=***" in backend.location.label


def test_a_published_version_is_what_readers_see_while_writers_go_on(lake, tmp_path):
    with lake.writer() as writer:
        write_daily(writer, "2024-01-02", n=3)
        first = publish_snapshot(writer, tmp_path / "unused")
        write_daily(writer, "2024-01-03", n=3)
        assert first.version is not None and first.path is None
        assert first.table_rows["normalized_daily"] == 3
        with WarehouseReader(backend=lake) as reader:  # the newest publication, not the live lake
            assert reader.info.snapshot_id == first.snapshot_id
            assert reader.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 3
            write_daily(writer, "2024-01-04", n=3)  # a reader never blocks a writer
            assert reader.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 3
            with pytest.raises(duckdb.Error):
                reader.query("DELETE FROM normalized_daily")
        second = publish_snapshot(writer, tmp_path / "unused")
    with WarehouseReader(backend=lake) as reader:
        assert reader.info.version == second.version > first.version
        assert reader.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 9
    with WarehouseReader(backend=lake, snapshot_id=first.snapshot_id) as older:
        assert older.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 3
    with pytest.raises(NoSnapshotError, match="no snapshot 'nope'"):
        WarehouseReader(backend=lake, snapshot_id="nope")


def test_no_publication_yet_is_a_clear_error(lake):
    with pytest.raises(NoSnapshotError, match="no snapshot has been published in ducklake:postgres"):
        WarehouseReader(backend=lake)


def test_maintenance_keeps_the_last_published_versions_readable(lake, tmp_path):
    infos = []
    with lake.writer() as writer:
        for i in range(4):
            write_daily(writer, f"2024-01-0{i + 2}", n=400)
            write_daily(writer, f"2024-01-0{i + 2}", n=400, close=11.0)  # a rewrite leaves old files
            infos.append(publish_snapshot(writer, tmp_path))
        report = maintain(writer, keep=2)
    assert report.kept_versions == [infos[3].version, infos[2].version] and report.expired > 0
    for info, rows in ((infos[3], 1600), (infos[2], 1200)):
        with WarehouseReader(backend=lake, snapshot_id=info.snapshot_id) as reader:
            assert reader.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == rows
    with pytest.raises(WarehouseError):  # expired: its files are gone
        with WarehouseReader(backend=lake, snapshot_id=infos[0].snapshot_id) as reader:
            reader.query("SELECT count(*) FROM normalized_daily")


def _children(url: str, plans: list[tuple[str, int, int, int]], *extra: str) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "tests.warehouse.lake_children", "write", url, first, str(count),
             str(rows), "--repeat", str(repeat), *extra],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )
        for first, count, rows, repeat in plans
    ]


def _next(lines: queue.Queue, proc: subprocess.Popen) -> str:
    line = lines.get(timeout=120)
    if line is None:
        pytest.fail(f"the child ended early (status {proc.wait()}): {proc.stderr.read()[-3000:]}")
    return line


def test_four_processes_write_one_dataset_at_once_and_every_partition_lands_once(lake):
    """Disjoint partitions of one table, first loads then rewrites: first loads insert
    only and never conflict; rewrites delete, so they conflict and are retried."""
    url = f"ducklake:{lake.location.target}"
    plans = [(f"2024-0{m}-01", 6, 300, 2) for m in (1, 3, 5, 7)]
    procs = _children(url, plans)
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-3000:]
    done = [line.split() for out, _ in outputs for line in out.splitlines() if line.startswith("done")]
    assert len(done) == 4 * 6 * 2
    days = sorted({d for first, count, _, _ in plans for d in weekdays(first, count)})
    with lake.writer() as writer:
        got = writer.query("SELECT count(*) AS n, count(DISTINCT (ts_code, trade_date)) AS k, "
                           "count(DISTINCT trade_date) AS days, min(close) AS lo FROM normalized_daily").iloc[0]
        assert (got["n"], got["k"], got["days"]) == (300 * len(days), 300 * len(days), len(days))
        assert got["lo"] >= 11.0  # the second pass replaced every partition
        ledger = writer.progress("daily")
        assert len(ledger) == len(days) and set(ledger["status"]) == {"done"}
        assert set(ledger["attempts"]) == {2}  # no lost update: both passes recorded
        last = {d: int(raw) for _, d, _, raw in done}
        assert dict(zip(ledger["partition_key"], ledger["raw_id"].astype(int))) == last
    # The rewrites race for the same table, so commits do conflict (23 in a probe run),
    # and each was retried to success: what the counts above prove nothing was lost in.
    conflicts = sum(int(c) for _, _, c, _ in done)
    assert conflicts > 0, "no commit conflicted: the retry path went untested"


def test_kill_9_mid_commit_leaves_no_partial_partition(lake):
    """20 writers killed mid-run: each after its k-th commit (k drawn at random) and a
    random fraction of a commit's time more, so the kill lands inside the next write, at a
    random point of it, never after the child is done. Every partition is whole or absent,
    the catalog opens, and the ledger says exactly what landed."""
    url = f"ducklake:{lake.location.target}"
    rng = random.Random(20)
    days, passes = 3, 4  # 12 writes a child, rewrites of its days included
    killed_mid_run = 0
    for trial in range(20):
        (proc,) = _children(url, [(f"2025-{1 + trial % 12:02d}-01", days, 800, passes)])
        lines = stdout_lines(proc)
        assert _next(lines, proc) == "ready"
        k = rng.randint(1, days * passes - 4)
        started = time.monotonic()
        for _ in range(k):
            assert _next(lines, proc).startswith("done")
        per_commit = (time.monotonic() - started) / k
        time.sleep(rng.uniform(0.0, per_commit))
        alive = proc.poll() is None
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        seen = []
        while (line := lines.get(timeout=30)) is not None:
            seen.append(line)
        if alive and "finished" not in seen:
            killed_mid_run += 1
    assert killed_mid_run == 20
    with lake.writer() as writer:
        per_day = writer.query(
            "SELECT strftime(trade_date, '%Y-%m-%d') AS day, count(*) AS n, count(DISTINCT raw_id) AS r "
            "FROM normalized_daily GROUP BY 1").set_index("day")
        ledger = writer.progress("daily").set_index("partition_key")
        done = ledger[ledger["status"] == "done"]
        assert set(per_day.index) == set(done.index)  # nothing landed without its ledger row
        assert (per_day["n"] == 800).all() and (per_day["r"] == 1).all()  # whole, from one write
        assert (per_day["n"] == done.loc[per_day.index, "rows"]).all()
        rows_raw = writer.query(
            "SELECT strftime(trade_date, '%Y-%m-%d') AS day, any_value(raw_id) AS raw_id "
            "FROM normalized_daily GROUP BY 1").set_index("day")["raw_id"].astype(int)
        assert (rows_raw == done.loc[rows_raw.index, "raw_id"].astype(int)).all()  # the ledger names the rows' write
        raw = writer.query("SELECT raw_id FROM raw_responses")["raw_id"]
        assert set(done["raw_id"].astype(int)) <= set(raw.astype(int))


def test_a_restart_of_postgres_during_a_run_and_a_retry_land_everything(lake):
    """The catalog's server restarts while a write is certainly in flight (the child stops
    inside the third partition's transaction until the restart is over): that write fails
    with an error that says the catalog connection was lost and a retry is safe, names the
    dataset and partition, and leaves nothing of itself; re-running the range lands it all."""
    from tests.services import restart_postgres

    url = f"ducklake:{lake.location.target}"
    days = weekdays("2024-02-01", 6)
    (proc,) = _children(url, [("2024-02-01", len(days), 500, 1)], "--pause-at", "3")
    lines = stdout_lines(proc)
    assert _next(lines, proc) == "ready"
    assert [_next(lines, proc).split()[1] for _ in range(2)] == days[:2]
    assert _next(lines, proc) == f"paused {days[2]}"
    restart_postgres()
    proc.stdin.write("go\n")
    proc.stdin.flush()
    _, err = proc.communicate(timeout=600)
    assert proc.returncode != 0, "the restart caught no write"
    assert (f"CatalogConnectionLost: dataset daily, partition {days[2]}: the connection to the lake's "
            "catalog (ducklake:postgres:") in err, err[-3000:]
    assert "PostgreSQL restarted or is unreachable" in err and "retrying is safe" in err, err[-3000:]
    with lake.writer() as writer:  # the two before it landed; it, and what came after, did not
        landed = writer.query("SELECT DISTINCT strftime(trade_date, '%Y-%m-%d') AS d FROM normalized_daily")
        assert sorted(landed["d"]) == days[:2]
    (retry,) = _children(url, [("2024-02-01", len(days), 500, 1)])
    out, err = retry.communicate(timeout=600)
    assert retry.returncode == 0, err[-2000:]
    with lake.writer() as writer:
        assert writer.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == len(days) * 500
        ledger = writer.progress("daily")
        assert sorted(ledger["partition_key"]) == days and set(ledger["status"]) == {"done"}


def _meddle_before_every_commit(monkeypatch, lake: Backend, times: int) -> list[int]:
    """Make the next `times` partition writes of this process lose their commit: inside
    each one's transaction, another connection deletes a row of the same table and commits
    first (a real DuckLake conflict, not a simulated one). Returns the meddling count."""
    other = lake.connect()
    real, meddled = ledger_module.append, [0]

    def append(conn, attempt):
        if attempt.status != "failed" and meddled[0] < times:
            meddled[0] += 1
            other.execute("DELETE FROM normalized_daily WHERE trade_date = DATE '2024-01-03' AND ts_code = ?",
                          [f"{600000 + meddled[0]:06d}.SH"]).fetchall()
        return real(conn, attempt)

    monkeypatch.setattr(ledger_module, "append", append)
    monkeypatch.setattr(writer_module, "CONFLICT_BACKOFF_S", 0.001)
    return meddled


def test_a_commit_that_keeps_losing_gives_up_after_commit_attempts_with_a_clear_error(lake, monkeypatch):
    with lake.writer() as writer:
        write_daily(writer, "2024-01-02", n=50)
        write_daily(writer, "2024-01-03", n=50)
        meddled = _meddle_before_every_commit(monkeypatch, lake, times=10 * writer_module.COMMIT_ATTEMPTS)
        with pytest.raises(writer_module.CommitConflictError,
                           match=rf"dataset daily, partition 2024-01-02: gave up after "
                                 rf"{writer_module.COMMIT_ATTEMPTS} commit attempts"):
            write_daily(writer, "2024-01-02", n=50, close=11.0)
        assert meddled[0] == writer_module.COMMIT_ATTEMPTS  # tried exactly that often, then stopped
        got = writer.query("SELECT min(close) AS lo, count(*) AS n FROM normalized_daily "
                           "WHERE trade_date = DATE '2024-01-02'").iloc[0]
        assert got["lo"] < 11.0 and got["n"] == 50  # nothing of the lost write
        last = writer.progress("daily", ["2024-01-02"]).iloc[0]
        assert last["status"] == "failed" and "gave up after" in last["last_error"]


def test_conflicts_that_end_are_retried_and_counted(lake, monkeypatch):
    with lake.writer() as writer:
        write_daily(writer, "2024-01-02", n=50)
        write_daily(writer, "2024-01-03", n=50)
        _meddle_before_every_commit(monkeypatch, lake, times=3)
        result = write_daily(writer, "2024-01-02", n=50, close=11.0)
        assert result.commit_conflicts == 3 and result.rows_written == 50
        assert writer.query("SELECT min(close) AS lo FROM normalized_daily "
                            "WHERE trade_date = DATE '2024-01-02'")["lo"].item() >= 11.0


def test_the_fetch_lease_is_one_process_at_a_time_across_hosts_and_dies_with_its_holder(lake):
    """A PostgreSQL advisory lock: a second process waits (or times out) while the first
    holds it, and PostgreSQL frees it when the holder is killed, as the kernel does a flock."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from twilight_assets.warehouse.backend import open_backend\n"
         "with open_backend(sys.argv[1]).fetch_lease('daily', timeout_s=30):\n"
         "    print('held', flush=True); time.sleep(600)\n",
         f"ducklake:{lake.location.target}"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(WarehouseError, match="waited 0s for the daily fetch lease"):
        with lake.fetch_lease("daily", timeout_s=0.3):
            pass
    with lake.fetch_lease("income", timeout_s=0.3) as waited:  # another API is free
        assert waited < 0.3
    os.killpg(holder.pid, signal.SIGKILL)
    holder.wait()
    with lake.fetch_lease("daily", timeout_s=30) as waited:
        assert waited < 30
