"""Real Dagster runs under one DAGSTER_HOME, with a recognisable token.

Four backfills launched at once as `dagster asset materialize` subprocesses (three
datasets, and one of them twice over overlapping ranges): none fails on DuckDB's lock,
every partition lands. Then a run that fails on a source fault, and a snapshot. Last,
a run killed -9 mid-step (its whole process group) must not stop the next run of its API.

All of it runs with TUSHARE_TOKEN set to a canary value that a simulator started with
that token accepts (so every call really carried it), and afterwards the canary appears
nowhere: not in the runs' output, the Python logs, any file under DAGSTER_HOME (event
log and run storage sqlite files, compute logs), the warehouse file (bytes and every
cell of every table), the snapshots, or the text of any exception.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.faults.checks import duckdb_cells_containing, files_containing, ledger, ledger_problems
from tests.faults.children import weekdays
from tests.faults.conftest import ROOT, read_only
from tushare_sim import TRANSPORT_KINDS, SimulatorConfig, SimulatorServer
from twilight_assets.specs import REGISTRY

CANARY = "tok-SECRET-canary-1234"
RUN_TIMEOUT_S = 600
BACKFILLS = (
    ("daily", "2024-06-03", "2024-06-14"),
    ("daily_basic", "2024-06-03", "2024-06-14"),
    ("adj_factor", "2024-06-03", "2024-06-14"),
    ("daily", "2024-06-10", "2024-06-21"),  # overlaps the first: the two take turns fetching
)
FAILING = ("adj_factor", "2024-06-24")
LOCK_ERROR = "Could not set lock"


@dataclass
class Runs:
    env: dict[str, str]
    home: Path
    data: Path
    sim: SimulatorServer
    backfills: list[tuple[int, str]]
    failing: tuple[int, str]
    in_process_failure: str
    logs: "LogCollector"


class LogCollector(logging.Handler):
    """Every log record of this process, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def cli(env: dict, *args: str, start_new_session: bool = False) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "twilight_assets.definitions",
         "-a", "defs", *args],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=start_new_session,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Runs:
    import dagster as dg

    from twilight_assets.assets.datasets import build_dataset_asset
    from twilight_assets.assets.snapshot import warehouse_snapshot
    from twilight_assets.resources import TushareResource, WarehouseResource

    home = tmp_path_factory.mktemp("canary-dagster-home")
    shutil.copy(ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    data = tmp_path_factory.mktemp("canary-data")
    config = SimulatorConfig(seed=5, n_stocks=24, n_indexes=4, start=dt.date(2024, 1, 2),
                             as_of=dt.date(2024, 6, 28), token=CANARY)
    logs = LogCollector()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(logs)
    root.setLevel(logging.DEBUG)
    with SimulatorServer(config) as sim, pytest.MonkeyPatch.context() as mp:
        env = {
            "DAGSTER_HOME": str(home),
            "TWILIGHT_WAREHOUSE": str(data / "warehouse.duckdb"),
            "TWILIGHT_SNAPSHOT_DIR": str(data / "snapshots"),
            "TUSHARE_TOKEN": CANARY,
            "TUSHARE_HTTP_URL": sim.url,
        }
        mp.delenv("TWILIGHT_SOURCE", raising=False)  # the canary token makes this "tushare"
        for key, value in env.items():
            mp.setenv(key, value)
        resources = {
            # Explicit paths: the resource's defaults were read when it was first imported.
            "warehouse": WarehouseResource(warehouse=env["TWILIGHT_WAREHOUSE"],
                                           snapshot_dir=env["TWILIGHT_SNAPSHOT_DIR"]),
            "tushare": TushareResource(max_retries=1),
        }
        # Initialise the instance once (creating its storage races if runs start together),
        # and load the calendar the per-date assets need, through a Dagster run too.
        with dg.DagsterInstance.get() as instance:
            assert dg.materialize([build_dataset_asset(REGISTRY["trade_cal"])], instance=instance,
                                  resources=resources, partition_key="2024").success

        procs = [cli(env, "--select", api, "--partition-range", f"{first}...{last}")
                 for api, first, last in BACKFILLS]
        backfills = [(p.wait(timeout=RUN_TIMEOUT_S), p.stdout.read()) for p in procs]

        # A run that fails on a source fault: every call for that day answers 500, and a
        # single retry (run config) makes it give up quickly.
        api, day = FAILING
        sim.add_fault("http_500", api_name=api, match={"trade_date": day.replace("-", "")})
        retries = json.dumps({"resources": {"tushare": {"config": {"max_retries": 1}}}})
        proc = cli(env, "--select", api, "--partition", day, "--config-json", retries)
        failing = (proc.wait(timeout=RUN_TIMEOUT_S), proc.stdout.read())
        # The same failure in this process, where its exception and logs can be read.
        with dg.DagsterInstance.get() as instance:
            result = dg.materialize([build_dataset_asset(REGISTRY[api])], instance=instance,
                                    resources=resources, partition_key=day, raise_on_error=False)
            assert not result.success
            failure = "\n".join(
                e.step_failure_data.error.to_string() + (e.step_failure_data.user_failure_data.description or "")
                for e in result.get_step_failure_events()
            )
            sim.clear_faults()
            assert dg.materialize([warehouse_snapshot], instance=instance, resources=resources).success
        yield Runs(env, home, data, sim, backfills, failing, failure, logs)
    root.removeHandler(logs)
    root.setLevel(old_level)


@pytest.mark.slow
def test_four_backfills_at_once_none_fails_on_the_lock_and_every_partition_lands(runs):
    for (code, out), (api, first, last) in zip(runs.backfills, BACKFILLS):
        assert LOCK_ERROR not in out
        assert code == 0, f"{api} {first}...{last}:\n{out[-4000:]}"
    with read_only(Path(runs.env["TWILIGHT_WAREHOUSE"])) as conn:
        for api in {b[0] for b in BACKFILLS}:
            assert ledger_problems(conn, api) == []
            marks = ledger(conn, api)
            wanted = {d for a, first, last in BACKFILLS if a == api for d in weekdays(first, last)}
            assert {d: marks.get(d, (None,))[0] for d in wanted} == {
                d: ("market_closed" if marks.get(d, (None,))[0] == "market_closed" else "done") for d in wanted
            }
            assert sum(m[1] for d, m in marks.items() if d in wanted) > 0


@pytest.mark.slow
def test_the_failing_run_says_which_partition_and_why(runs):
    code, out = runs.failing
    api, day = FAILING
    assert code != 0
    assert f"{api} partition {day}" in out and "HTTP 500" in out
    assert LOCK_ERROR not in out
    with read_only(Path(runs.env["TWILIGHT_WAREHOUSE"])) as conn:
        status, rows, raw_id, last_error, _ = ledger(conn, api)[day]
    assert (status, rows, raw_id) == ("failed", None, None) and "HTTP 500" in last_error


def exception_texts(sim: SimulatorServer) -> list[str]:
    """What every kind of source failure says, raised through the real client: str,
    repr and the formatted traceback (chained causes included)."""
    from twilight_assets.sources.ratelimit import RateLimiter
    from twilight_assets.sources.tushare import TushareSource

    texts = []
    kinds = [*sorted(TRANSPORT_KINDS), "missing_field", "null_key", "wrong_type"]
    source = TushareSource(CANARY, sim.url, rate_limiter=RateLimiter(), timeout_s=0.5, max_retries=0,
                           max_throttle_waits=0, throttle_wait_s=0.01)
    for kind in kinds:
        sim.add_fault(kind, api_name="daily", delay=1.0)
        try:
            source.fetch(REGISTRY["daily"], "2024-06-14")
        except Exception as exc:  # noqa: BLE001 - the text of any failure is what matters
            texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
        else:
            raise AssertionError(f"fault {kind} raised nothing")
        finally:
            sim.clear_faults()
    # A token Tushare rejects: its message must not echo the one sent.
    wrong = TushareSource(CANARY + "-wrong", sim.url, rate_limiter=RateLimiter(), max_retries=0)
    with pytest.raises(Exception) as caught:
        wrong.fetch(REGISTRY["daily"], "2024-06-14")
    texts += [str(caught.value), "".join(traceback.format_exception(caught.value))]
    return texts


@pytest.mark.slow
def test_the_token_appears_nowhere(runs, tmp_path):
    # The runs really sent the canary: the simulator answers nothing else.
    assert any(e["code"] == 0 for e in runs.sim.call_log)
    assert not any(e["outcome"] == "bad_token" for e in runs.sim.call_log)
    needle = CANARY.encode()
    # The search itself finds a planted canary (else "found nowhere" would prove nothing).
    planted = tmp_path / "planted.duckdb"
    with duckdb.connect(str(planted)) as conn:
        conn.execute("CREATE TABLE t AS SELECT 'x' || ? || 'y' AS s FROM range(3000)", [CANARY])
    assert duckdb_cells_containing(planted, CANARY)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "planted.log").write_bytes(b"..." + needle + b"...")
    assert files_containing([tmp_path / "logs"], needle) == [str(tmp_path / "logs" / "planted.log")]

    texts = exception_texts(runs.sim)
    assert [t for t in texts if CANARY in t] == []
    assert CANARY not in runs.in_process_failure
    for _, out in [*runs.backfills, runs.failing]:
        assert CANARY not in out
    assert CANARY not in runs.logs.text
    assert files_containing([runs.home, runs.data], needle) == []
    warehouse = Path(runs.env["TWILIGHT_WAREHOUSE"])
    snapshots = sorted(Path(runs.env["TWILIGHT_SNAPSHOT_DIR"]).glob("*.duckdb"))
    assert snapshots, "no snapshot was published"
    for db in [warehouse, *snapshots]:
        assert duckdb_cells_containing(db, CANARY) == []
    # And the places it must not be were really written: storage, compute logs, raw rows.
    stored = [p for p in runs.home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in stored) and any("compute_logs" in str(p) or p.suffix in (".out", ".err") for p in stored)
    with read_only(warehouse) as conn:
        assert conn.execute("SELECT count(*) FROM raw_responses").fetchall()[0][0] > 0


KILLED_API = "daily_basic"
BLOCKED = ("Step blocked by limit for pool", "waiting for its lease")


def _read_until(proc: subprocess.Popen, *markers: str, timeout: float = RUN_TIMEOUT_S) -> str:
    """Lines of `proc` until one holds a marker (returned) or it ends ("")."""
    import selectors

    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not sel.select(timeout=1.0):
                continue
            line = proc.stdout.readline()
            if not line:
                return ""
            if any(m in line for m in markers):
                return line
    raise AssertionError(f"no {markers} within {timeout}s")


@pytest.mark.slow
def test_after_a_run_is_killed_9_the_next_run_of_its_api_is_not_blocked(runs):
    """Finding F2 (fixed): a run dies with its machine (the whole process group, -9)
    while its step fetches, holding what makes runs of one API take turns (it was a
    Dagster pool slot, which leaked; now a kernel lease). The next run of that API must
    still get to run, without anyone freeing anything."""
    # Every call hangs, so the step is surely running (slot claimed) when it dies.
    runs.sim.add_fault("timeout", api_name=KILLED_API, delay=20)
    doomed = cli(runs.env, "--select", KILLED_API, "--partition", "2024-06-17", start_new_session=True)
    try:
        assert _read_until(doomed, "partition(s) to fetch"), "the doomed run ended before its step began"
    finally:
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=60)
        runs.sim.clear_faults()
    nxt = cli(runs.env, "--select", KILLED_API, "--partition", "2024-06-18", start_new_session=True)
    line = ""
    try:
        line = _read_until(nxt, *BLOCKED, "RUN_SUCCESS", "RUN_FAILURE")
    finally:
        if nxt.poll() is None and "RUN_SUCCESS" not in line and "RUN_FAILURE" not in line:
            os.killpg(nxt.pid, signal.SIGKILL)  # stuck: fail now, not after the lease timeout
        nxt.wait(timeout=RUN_TIMEOUT_S)
    assert not any(m in line for m in BLOCKED), f"the next {KILLED_API} run is stuck: {line.strip()}"
    assert "RUN_SUCCESS" in line and nxt.returncode == 0
