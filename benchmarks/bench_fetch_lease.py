"""How one Tushare API's fetching is held to one process at a time, measured (issue 11,
deliverable 2: choose, measure, document).

The file backend serializes fetches with a kernel lease (flock on data/leases/fetch-<api>.lock),
which works on one host; a DuckLake on PostgreSQL uses a PostgreSQL session advisory lock,
which holds across hosts. Both are released by their holder's death: the kernel drops the
flock, PostgreSQL ends the session when its socket closes. The alternative, a Dagster pool,
gives a killed run's slot back only after run monitoring marks the run failed and
`free_slots_after_run_end_seconds` passes (dagster_home/dagster.yaml: 15 s polls + 60 s).

1. Uncontended acquire + release, median of --rounds, advisory lock vs flock.
2. Hand-off: a child holds the lease and releases it; the time until the waiting parent
   holds it (both poll every 50 ms).
3. Death: a child holds the lease and is killed with SIGKILL; the time until the waiting
   parent holds it, against the pool's configured bound.

PostgreSQL: the cluster named by TWILIGHT_TEST_PG, else a throwaway one started by
`scripts/test_services.sh run`. Printed, never asserted.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

import benchlib
from benchlib import Figure, log

BENCH = "fetch_lease"
PG_ENV = "TWILIGHT_TEST_PG"
API = "daily"


def _backend(kind: str, root: Path):
    from twilight_assets.warehouse.backend import open_backend

    if kind == "flock":
        return open_backend(str(root / "warehouse.duckdb"))
    return open_backend(f"ducklake:postgres:{os.environ[PG_ENV]}")


def _hold(kind: str, root: str, ready, release, released_at) -> None:
    with _backend(kind, Path(root)).fetch_lease(API, timeout_s=60):
        ready.set()
        release.wait(60)
        released_at.value = time.time()


def _uncontended(kind: str, root: Path, rounds: int) -> float:
    backend = _backend(kind, root)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        with backend.fetch_lease(API, timeout_s=10):
            pass
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _handoff(kind: str, root: Path, *, kill: bool) -> float:
    ctx = mp.get_context("spawn")
    ready, release, released_at = ctx.Event(), ctx.Event(), ctx.Value("d", 0.0)
    child = ctx.Process(target=_hold, args=(kind, str(root), ready, release, released_at))
    child.start()
    assert ready.wait(60), "the child never took the lease"
    backend = _backend(kind, root)
    if kill:
        os.kill(child.pid, signal.SIGKILL)
        gone = time.time()
    else:
        release.set()
    with backend.fetch_lease(API, timeout_s=120):
        held = time.time()
    child.join(30)
    return held - (gone if kill else released_at.value or held)


def _pool_bound_s() -> float:
    config = yaml.safe_load((benchlib.PROJECT / "dagster_home" / "dagster.yaml").read_text())
    monitoring = config.get("run_monitoring", {})
    return float(monitoring.get("poll_interval_seconds", 120)) + float(
        monitoring.get("free_slots_after_run_end_seconds", 0))


def measure(root: Path, rounds: int, trials: int) -> list[Figure]:
    figures = []
    found = {}
    for kind in ("flock", "advisory"):
        found[kind] = {
            "uncontended": _uncontended(kind, root, rounds),
            "handoff": statistics.median(_handoff(kind, root, kill=False) for _ in range(trials)),
            "death": statistics.median(_handoff(kind, root, kill=True) for _ in range(trials)),
        }
        log(f"{kind}: " + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in found[kind].items()))
    for what, label in (("uncontended", "acquire + release, uncontended"),
                        ("handoff", "hand-off to a waiting process"),
                        ("death", "free after its holder's kill -9")):
        figures.append(Figure(BENCH, f"advisory lock: {label}", found["advisory"][what] * 1000, "ms", None,
                              f"flock: {label}", found["flock"][what] * 1000,
                              note="cross-host vs one host; both poll every 50 ms while waiting"))
    bound = _pool_bound_s()
    figures.append(Figure(BENCH, "advisory lock freed after a kill -9", found["advisory"]["death"], "s", "<= 0.01",
                          "a Dagster pool slot's configured bound", bound,
                          note="pool: run monitoring's poll plus free_slots_after_run_end_seconds"))
    return figures


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)

    def extra(parser) -> None:
        parser.add_argument("--rounds", type=int, default=200, help="uncontended acquisitions per kind")
        parser.add_argument("--trials", type=int, default=5, help="hand-offs and kills per kind")

    args = benchlib.parse_args(__doc__.splitlines()[0], argv, extra)
    if not os.environ.get(PG_ENV, "").strip():
        script = benchlib.PROJECT / "scripts" / "test_services.sh"
        log(f"{PG_ENV} is not set: starting a throwaway PostgreSQL (scripts/test_services.sh run)")
        return subprocess.run(["bash", str(script), "run", sys.executable, str(Path(__file__).resolve()),
                               *argv]).returncode
    with benchlib.workdir(args, BENCH) as root:
        figures = measure(root, args.rounds, args.trials)
    benchlib.report(BENCH, figures, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
