"""kill -9 during snapshot publishing: the previous snapshot stays published and
readable, no partial file is ever published, and the next publish succeeds and cleans up.

The child alternates: ingest one more day, then publish (keep 2). Each trial kills it -9
at a random moment of a random publish, and only the publisher: a `cp` it started may
outlive it, as it would in production (it can only ever write a `.tmp-` file, which
readers never open and the next publish deletes).
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

import pytest

from tests.faults.checks import ledger_problems
from tests.faults.conftest import read_only, start_child, wait_for_group
from twilight_assets.warehouse.reader import WarehouseReader
from twilight_assets.warehouse.snapshots import (
    CURRENT,
    INFO_SUFFIX,
    SUFFIX,
    TMP_PREFIX,
    current_snapshot,
    list_snapshots,
    publish_snapshot,
    table_row_counts,
)
from twilight_assets.warehouse.writer import WarehouseWriter
from twilight_assets.warehouse.backend import open_backend

API = "daily"
FIRST = "2024-04-01"
TRIALS = 10


def publisher(warehouse: Path, snaps: Path, sim):
    return start_child("publish-loop", warehouse, snaps, sim.url, sim.token, API, FIRST, new_session=True)


def published_ids(lines: list[str]) -> list[str]:
    return [line.split()[1] for line in lines if line.startswith("published ")]


def snapshot_problems(path: Path, table_rows: dict[str, int]) -> list[str]:
    try:
        conn = read_only(path)
    except Exception as exc:  # a published file that does not open is the failure itself
        return [f"{path.name} does not open: {exc}"]
    with conn:
        counts = table_row_counts(conn)
        problems = [] if counts == table_rows else [f"{path.name}: rows {counts} != info {table_rows}"]
        return problems + [f"{path.name}: {p}" for p in ledger_problems(conn, API)]


@pytest.fixture(scope="module")
def publish_s(template, fault_sim, tmp_path_factory) -> float:
    """How long one publish takes in the child (its median over a few), to aim kills."""
    import shutil

    base = tmp_path_factory.mktemp("publish-reference")
    shutil.copyfile(template, base / "warehouse.duckdb")
    child = publisher(base / "warehouse.duckdb", base / "snapshots", fault_sim)
    durations = [float(child.wait_for("published ").split()[2]) for _ in range(4)]
    child.kill()
    return statistics.median(durations)


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(TRIALS))
def test_kill_9_while_publishing_keeps_the_previous_snapshot(trial, warehouse, fault_sim, publish_s, tmp_path):
    rng = random.Random(1000 + trial)
    snaps = tmp_path / "snapshots"
    child = publisher(warehouse, snaps, fault_sim)
    # The first publish always completes, so there is a previous snapshot to keep.
    child.wait_for("published ")
    nth = 1 + rng.randint(1, 2)
    for _ in range(nth - 1):
        child.wait_for("publishing")
    delay = rng.uniform(0.0, 1.2 * publish_s)
    time.sleep(delay)
    child.kill()
    # The lease is free at once and the live file opens, even while a `cp` the dead
    # publisher started may still be reading it.
    with open_backend(str(warehouse), lease_timeout_s=0.0).writer() as writer:
        with writer.quiesced() as conn:
            assert ledger_problems(conn, API) == []
    # Only the publisher was killed: a `cp` it started (or a fork about to become one)
    # may still create its .tmp- copy. Let it end, so that copy is not mistaken for a
    # leftover of the next publish.
    wait_for_group(child.proc.pid)
    published = published_ids(child.seen)
    assert published, child.stderr

    current = current_snapshot(snaps)
    assert current is not None, sorted(p.name for p in snaps.iterdir())
    # CURRENT names the last snapshot the child saw published, or the one it was
    # publishing if the kill came after CURRENT moved: never an older one.
    assert current.snapshot_id >= published[-1]
    assert snapshot_problems(current.path, current.table_rows) == []
    with WarehouseReader(snaps) as reader:
        assert reader.info.snapshot_id == current.snapshot_id
        assert int(reader.query("SELECT count(*) AS n FROM normalized_daily")["n"][0]) == (
            current.table_rows["normalized_daily"]
        )
    # Nothing partial published: every visible snapshot file has its info and is whole.
    listed = {s.path.name: s for s in list_snapshots(snaps)}
    visible = {p.name for p in snaps.glob(f"*{SUFFIX}") if not p.name.startswith(".")}
    assert visible == set(listed)
    for snapshot in listed.values():
        assert snapshot_problems(snapshot.path, snapshot.table_rows) == []

    # The next publish succeeds and cleans up after the dead one.
    with open_backend(str(warehouse), lease_timeout_s=0.0).writer() as writer:
        latest = publish_snapshot(writer, snaps, keep=2)
    assert current_snapshot(snaps) == latest
    assert latest.snapshot_id > current.snapshot_id
    assert [p.name for p in snaps.iterdir() if p.name.startswith(TMP_PREFIX)] == []
    infos = {p.stem for p in snaps.glob(f"*{INFO_SUFFIX}")}
    assert infos == {p.stem for p in snaps.glob(f"*{SUFFIX}") if not p.name.startswith(".")}
    assert (snaps / CURRENT).read_text().strip() == latest.snapshot_id
    assert snapshot_problems(latest.path, latest.table_rows) == []
    print(
        f"trial {trial}: killed {delay:.3f}s after publish #{nth} began "
        f"(a publish takes ~{publish_s:.3f}s); current stayed {current.snapshot_id}"
        f"{' (the one in flight)' if current.snapshot_id not in published else ''}"
    )
