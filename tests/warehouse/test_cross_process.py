"""Readers in other processes, while this one writes and publishes; publishers killed -9.
On both backends: a warehouse file (snapshots are copies) and a DuckLake on PostgreSQL
(snapshots are published catalog versions)."""

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

import pytest

from twilight_assets.warehouse.backend import Backend
from twilight_assets.warehouse.reader import WarehouseReader
from twilight_assets.warehouse.snapshots import (
    current_snapshot,
    list_snapshots,
    publish_snapshot,
    published,
    table_row_counts,
)
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.warehouse.conftest import stdout_lines, write_daily
from tests.warehouse.snapshot_children import ROWS_PER_DAY, invariant_violation

ROOT = Path(__file__).resolve().parents[2]
LINE_TIMEOUT_S = 60


def child(backend: Backend, *args: str) -> tuple[subprocess.Popen, queue.Queue]:
    """A child process of snapshot_children, its TWILIGHT_WAREHOUSE `backend`."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.warehouse.snapshot_children", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TWILIGHT_WAREHOUSE": url(backend)},
    )
    return proc, stdout_lines(proc)


def url(backend: Backend) -> str:
    return f"ducklake:{backend.location.target}" if backend.is_lake else backend.location.target


def wait_for(lines: queue.Queue, prefix: str) -> str:
    while True:
        line = lines.get(timeout=LINE_TIMEOUT_S)
        if line is None:
            raise AssertionError(f"child exited before printing {prefix!r}")
        if line.startswith(prefix):
            return line


def test_a_reader_in_another_process_reads_while_we_write_and_publish(backend, tmp_path):
    snaps, stop = tmp_path / "snapshots", tmp_path / "stop"
    with WarehouseWriter(backend) as writer:
        day = iter(f"2024-{1 + i // 28:02d}-{1 + i % 28:02d}" for i in range(1000))
        write_daily(writer, next(day), n=ROWS_PER_DAY)
        first = publish_snapshot(writer, snaps, keep=2)
        proc, lines = child(backend, "read", str(snaps), str(stop))
        try:
            wait_for(lines, f"seen {first.snapshot_id}")
            if not backend.is_lake:
                # The live file is ours: the other process can only read snapshots.
                probe = subprocess.run(
                    [sys.executable, "-c",
                     f"import duckdb; duckdb.connect({backend.location.target!r}, read_only=True)"],
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
def test_a_publisher_killed_at_any_moment_leaves_a_readable_current_snapshot(backend, tmp_path):
    snaps = tmp_path / "snapshots"
    rng = random.Random(7)
    for _ in range(4):
        proc, lines = child(backend, "publish", url(backend), str(snaps))
        try:
            wait_for(lines, "published")
            threading.Event().wait(rng.uniform(0.0, 0.4))
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=LINE_TIMEOUT_S)
        current = published(backend, snaps)[0]
        with WarehouseReader(snaps, backend=backend) as reader:
            assert reader.info.snapshot_id == current.snapshot_id
            assert table_row_counts(reader._conn) == current.table_rows
            assert invariant_violation(reader._conn) is None
        if not backend.is_lake:
            assert all(s.path.exists() for s in list_snapshots(snaps))

    with WarehouseWriter(backend) as writer:  # the dead writer's lock (or session) is gone
        with writer.quiesced() as conn:
            assert invariant_violation(conn) is None
        latest = publish_snapshot(writer, snaps, keep=2)
    assert published(backend, snaps)[0].snapshot_id == latest.snapshot_id
    if not backend.is_lake:
        assert [p.name for p in snaps.iterdir() if p.name.startswith(".tmp-")] == []
        assert current_snapshot(snaps) == latest
