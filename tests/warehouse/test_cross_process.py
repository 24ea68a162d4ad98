"""Readers in other processes, while this one writes and publishes; publishers killed -9."""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from twilight_assets.warehouse.snapshots import current_snapshot, list_snapshots, publish_snapshot, table_row_counts
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.warehouse.conftest import write_daily
from tests.warehouse.snapshot_children import ROWS_PER_DAY, invariant_violation

ROOT = Path(__file__).resolve().parents[2]
LINE_TIMEOUT_S = 60


def child(*args: str) -> tuple[subprocess.Popen, queue.Queue]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.warehouse.snapshot_children", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            lines.put(line.strip())
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return proc, lines


def wait_for(lines: queue.Queue, prefix: str) -> str:
    while True:
        line = lines.get(timeout=LINE_TIMEOUT_S)
        if line is None:
            raise AssertionError(f"child exited before printing {prefix!r}")
        if line.startswith(prefix):
            return line


def test_a_reader_in_another_process_reads_while_we_write_and_publish(warehouse_path, tmp_path):
    snaps, stop = tmp_path / "snapshots", tmp_path / "stop"
    with WarehouseWriter(warehouse_path) as writer:
        day = iter(f"2024-{1 + i // 28:02d}-{1 + i % 28:02d}" for i in range(1000))
        write_daily(writer, next(day), n=ROWS_PER_DAY)
        first = publish_snapshot(writer, snaps, keep=2)
        proc, lines = child("read", str(snaps), str(stop))
        try:
            wait_for(lines, f"seen {first.snapshot_id}")
            # The live file is ours: the other process can only read snapshots.
            probe = subprocess.run(
                [sys.executable, "-c", f"import duckdb; duckdb.connect({str(warehouse_path)!r}, read_only=True)"],
                capture_output=True, text=True, timeout=60,
            )
            assert probe.returncode != 0 and "lock" in probe.stderr.lower()
            published = [first.snapshot_id]
            for _ in range(5):
                for _ in range(3):
                    write_daily(writer, next(day), n=ROWS_PER_DAY)
                info = publish_snapshot(writer, snaps, keep=2)  # prunes what the reader may hold open
                published.append(info.snapshot_id)
                wait_for(lines, f"seen {info.snapshot_id}")
        finally:
            stop.touch()
            proc.wait(timeout=LINE_TIMEOUT_S)
    summary = json.loads(wait_for(lines, "{"))
    assert proc.returncode == 0, proc.stderr.read()
    assert summary["errors"] == []
    assert summary["seen"] == published
    assert summary["reads"] >= len(published)


@pytest.mark.slow
def test_a_publisher_killed_at_any_moment_leaves_a_readable_current_snapshot(warehouse_path, tmp_path):
    snaps = tmp_path / "snapshots"
    rng = random.Random(7)
    for _ in range(4):
        proc, lines = child("publish", str(warehouse_path), str(snaps))
        try:
            wait_for(lines, "published")
            threading.Event().wait(rng.uniform(0.0, 0.4))
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=LINE_TIMEOUT_S)
        current = current_snapshot(snaps)
        assert current is not None
        conn = duckdb.connect(str(current.path), read_only=True)
        try:
            assert table_row_counts(conn) == current.table_rows
            assert invariant_violation(conn) is None
        finally:
            conn.close()
        assert all(s.path.exists() for s in list_snapshots(snaps))

    with WarehouseWriter(warehouse_path) as writer:  # the kernel released the dead writer's lock
        with writer.quiesced() as conn:
            assert invariant_violation(conn) is None
        latest = publish_snapshot(writer, snaps, keep=2)
    assert [p.name for p in snaps.iterdir() if p.name.startswith(".tmp-")] == []
    assert current_snapshot(snaps) == latest
