"""kill -9 of an ingest at random moments: no partial partition, the file opens, the
earlier data is intact, the ledger tells the truth and the writer lease is free.

Each trial copies the template (calendar + earlier data), starts a child ingesting two
months of daily bars (3 pages a day, written in bursts under the writer lease, the
warehouse opened and closed, so checkpointed, each burst) and kills it -9 at a random
moment of a run's length, measured by an unkilled reference run of the same ingest.
"""

from __future__ import annotations

import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.checks import ledger, ledger_problems, partition_fingerprints
from tests.faults.children import make_source, open_writer, weekdays
from tests.faults.conftest import Child, read_only, start_child
from twilight_assets.ingest import ingest_partitions
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.writer import WarehouseWriter
from twilight_assets.warehouse.backend import open_backend

API = "daily"
FIRST, LAST = "2024-04-01", "2024-05-31"
TRIALS = 20
RESUME_EVERY = 5
"""Every fifth trial also resumes the ingest afterwards and checks it completes."""


@dataclass(frozen=True)
class Reference:
    fingerprints: dict[str, tuple[int, int]]
    ledger: dict[str, tuple]
    first_write_s: float
    """When the first write burst had ended (the first `progress` line)."""
    run_s: float

    def kill_delay(self, trial: int) -> float:
        # From a little before the first write ends to the end of the run: kills before
        # anything is written prove little, so few trials spend themselves there.
        return random.Random(trial).uniform(0.6 * self.first_write_s, self.run_s)


def run_ingest_child(path: Path, sim) -> Child:
    return start_child("ingest", path, sim.url, sim.token, API, FIRST, LAST)


@pytest.fixture(scope="module")
def reference(template: Path, fault_sim, tmp_path_factory) -> Reference:
    """The same ingest, not killed: the rows each partition must hold, and how long the
    child takes from `ready` to exit (kills are spread over that span)."""
    path = tmp_path_factory.mktemp("kill-reference") / "warehouse.duckdb"
    shutil.copyfile(template, path)
    child = run_ingest_child(path, fault_sim)
    child.wait_for("ready")
    started = time.monotonic()
    child.wait_for("progress")
    first_write_s = time.monotonic() - started
    code, _, err = child.finish()
    run_s = time.monotonic() - started
    assert code == 0, err[-3000:]
    with read_only(path) as conn:
        assert ledger_problems(conn, API) == []
        return Reference(partition_fingerprints(conn, API), ledger(conn, API), first_write_s, run_s)


@pytest.fixture(scope="module")
def baseline(template: Path) -> tuple[dict, dict]:
    with read_only(template) as conn:
        return partition_fingerprints(conn, API), ledger(conn, API)


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(TRIALS))
def test_kill_9_during_ingest_leaves_whole_partitions_and_a_truthful_ledger(
    trial, warehouse, fault_sim, reference, baseline
):
    days = set(weekdays(FIRST, LAST))
    delay = reference.kill_delay(trial)
    child = run_ingest_child(warehouse, fault_sim)
    child.wait_for("ready")
    time.sleep(delay)
    child.kill()

    # The lease is free at once (timeout 0), and the file opens read-write.
    with open_backend(str(warehouse), lease_timeout_s=0.0).writer() as writer:
        with writer.quiesced() as conn:
            problems = ledger_problems(conn, API)
            prints = partition_fingerprints(conn, API)
            marks = ledger(conn, API)
    assert problems == []
    base_prints, base_marks = baseline
    # Earlier data intact: its rows and its ledger rows exactly as before.
    assert {p: prints.get(p) for p in base_prints} == base_prints
    assert {p: marks.get(p) for p in base_marks} == base_marks
    # Every partition present holds exactly the reference rows: whole, never partial.
    landed = {p: v for p, v in prints.items() if p in days}
    assert landed == {p: reference.fingerprints[p] for p in landed}
    assert set(prints) <= set(base_prints) | days
    # The ledger: written partitions say done; nothing outside the run was touched.
    assert {p for p, m in marks.items() if m[0] == "done" and p in days} == set(landed)
    assert set(marks) <= set(base_marks) | days
    print(
        f"trial {trial}: killed {delay:.2f}s into a {reference.run_s:.2f}s run; "
        f"{len(landed)} of {len(reference.fingerprints) - len(base_prints)} trading days had landed"
    )

    if trial % RESUME_EVERY == RESUME_EVERY - 1:
        report = ingest_partitions(
            REGISTRY[API], sorted(days), source=make_source(fault_sim.url, fault_sim.token),
            open_writer=lambda: open_writer(warehouse),
        )
        assert not report.failures
        with read_only(warehouse) as conn:
            assert ledger_problems(conn, API) == []
            assert partition_fingerprints(conn, API) == reference.fingerprints
            assert {p: m[:2] for p, m in ledger(conn, API).items()} == {
                p: m[:2] for p, m in reference.ledger.items()
            }


CREATE_TRIALS = 4


@pytest.fixture(scope="module")
def create_s(fault_sim, tmp_path_factory) -> float:
    """How long a child takes to create a warehouse and load a year's calendar."""
    path = tmp_path_factory.mktemp("create-reference") / "warehouse.duckdb"
    child = start_child("create", path, fault_sim.url, fault_sim.token)
    child.wait_for("ready")
    started = time.monotonic()
    code, _, err = child.finish()
    assert code == 0, err[-3000:]
    return time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(CREATE_TRIALS))
def test_kill_9_while_a_new_warehouse_is_created_leaves_one_that_opens_whole(trial, fault_sim, create_s, tmp_path):
    """Every writer open applies the schema; the first one creates it, file by file."""
    from twilight_assets.warehouse.schema import VERSION_FILE, base_files

    path = tmp_path / "warehouse.duckdb"
    child = start_child("create", path, fault_sim.url, fault_sim.token)
    child.wait_for("ready")
    time.sleep(random.Random(100 + trial).uniform(0.0, create_s))
    child.kill()

    with open_backend(str(path), lease_timeout_s=0.0).writer() as writer:
        applied = set(writer.query("SELECT name FROM schema_version")["name"])
        cal = writer.query("SELECT count(*) AS n FROM normalized_trade_cal")["n"][0]
        marks = writer.progress("trade_cal")
        raws = writer.query("SELECT count(*) AS n FROM raw_responses")["n"][0]
    assert applied >= {f.name for f in base_files() if f.name != VERSION_FILE}
    if len(marks):
        assert list(marks["status"]) == ["done"] and int(marks["rows"][0]) == cal > 0 and raws == 1
    else:
        assert cal == 0 and raws == 0
    report = ingest_partitions(
        REGISTRY["trade_cal"], ["2024"], source=make_source(fault_sim.url, fault_sim.token),
        open_writer=lambda: open_writer(path),
    )
    assert not report.failures
    print(f"create trial {trial}: {'calendar landed' if len(marks) else 'no calendar yet'} when killed")
