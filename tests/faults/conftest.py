"""Fixtures of the fault-injection suite: a simulator of its own (bigger partitions that
take several pages, so faults can strike mid-partition), a template warehouse holding
the calendar and some earlier data, and children started as real processes."""

from __future__ import annotations

import datetime as dt
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import pytest

from tests.faults.children import make_source, open_writer, weekdays
from twilight_assets.ingest import ingest_partitions
from tushare_sim import SimulatorConfig, SimulatorServer
from twilight_assets.specs import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
FAULT_SIM_CONFIG = SimulatorConfig(
    seed=11,
    n_stocks=240,
    n_indexes=4,
    start=dt.date(2024, 1, 2),
    as_of=dt.date(2024, 6, 28),
    # 240 stocks in pages of 100: every trading day takes three calls.
    page_limits={"daily": 100, "daily_basic": 100, "adj_factor": 100},
)
BASELINE_DAYS = ("2024-03-01", "2024-03-15")
"""Earlier data in the template: what no later failure may touch."""
LINE_TIMEOUT_S = 120


@pytest.fixture(scope="session")
def fault_sim() -> Iterator[SimulatorServer]:
    with SimulatorServer(FAULT_SIM_CONFIG) as server:
        yield server


@pytest.fixture(autouse=True)
def _clear_fault_sim(request: pytest.FixtureRequest):
    yield
    if "fault_sim" in request.fixturenames:
        server = request.getfixturevalue("fault_sim")
        server.clear_faults()
        server.reset_logs()


@pytest.fixture(scope="session")
def template(fault_sim: SimulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2024 calendar and daily bars for BASELINE_DAYS, ingested once and closed;
    trials copy it."""
    path = tmp_path_factory.mktemp("fault-template") / "warehouse.duckdb"
    source = make_source(fault_sim.url, fault_sim.token)
    for api, keys in (("trade_cal", ["2024"]), ("daily", weekdays(*BASELINE_DAYS))):
        report = ingest_partitions(REGISTRY[api], keys, source=source, open_writer=lambda: open_writer(path))
        assert not report.failures, report.failures
    return path


@pytest.fixture
def warehouse(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(template, path)
    return path


def read_only(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


@dataclass
class Child:
    """A child process and the lines it prints, pumped by a thread so waiting for one
    never blocks on the pipe."""

    proc: subprocess.Popen
    lines: queue.Queue
    seen: list[str]
    errors: list[str]

    @property
    def stderr(self) -> str:
        return "".join(self.errors)

    def wait_for(self, prefix: str, timeout: float = LINE_TIMEOUT_S) -> str:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"child printed no {prefix!r} in {timeout}s; saw {self.seen[-5:]}") from None
            if line is None:
                raise AssertionError(
                    f"child exited ({self.proc.wait()}) before printing {prefix!r}; "
                    f"stdout {self.seen[-5:]}, stderr {self.stderr[-3000:]}"
                )
            if line.startswith(prefix):
                return line

    def kill(self) -> int:
        self.proc.kill()  # SIGKILL
        return self.proc.wait(timeout=LINE_TIMEOUT_S)

    def finish(self, timeout: float = LINE_TIMEOUT_S) -> tuple[int, list[str], str]:
        code = self.proc.wait(timeout=timeout)
        rest = []
        while (line := self.lines.get(timeout=timeout)) is not None:
            rest.append(line)
        return code, rest, self.stderr


def start_child(*args: str, new_session: bool = False) -> Child:
    """`new_session`: the child leads a process group of its own, which every process it
    starts joins, so a test can wait for what outlives it (see wait_for_group)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.children", *map(str, args)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=new_session,
    )
    lines: queue.Queue = queue.Queue()
    seen: list[str] = []
    errors: list[str] = []

    def pump() -> None:
        for line in proc.stdout:
            seen.append(line.strip())
            lines.put(line.strip())
        lines.put(None)

    def drain() -> None:  # a child logging retries must never block on a full pipe
        for line in proc.stderr:
            errors.append(line)

    threading.Thread(target=pump, daemon=True).start()
    threading.Thread(target=drain, daemon=True).start()
    return Child(proc, lines, seen, errors)


def wait_for_group(pgid: int, timeout: float = LINE_TIMEOUT_S) -> None:
    """Until no live process is left in process group `pgid`: what a killed child had
    started (a `cp`, or a fork about to exec one) may outlive it. A zombie has ended
    (where PID 1 does not reap orphans, it stays one)."""
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for proc in psutil.process_iter(["status"]):
            try:
                if os.getpgid(proc.pid) == pgid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                    alive.append(proc.pid)
            except (ProcessLookupError, psutil.Error):
                continue
        if not alive:
            return
        time.sleep(0.05)
    raise AssertionError(f"processes {alive} of group {pgid} still run after {timeout}s")
