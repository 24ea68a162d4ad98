"""Backfill wall time vs the source's floor, and what Dagster adds per partition.

The simulator runs in its own process with per-API quotas (a rolling minute, as the
client's RateLimiter assumes), scaled down so a run takes about a minute.

1. One API: `ingest_partitions` (the code every asset runs) over N trading days of
   `daily`, configured exactly as a Dagster run configures it (TushareResource's
   defaults for fetch threads, retries and throttle waits; WarehouseResource's writer
   lease), with the API's quota overridden as an account tier would.
   The floor: with Q calls per rolling minute, the first Q calls may go at once and
   call i+Q no earlier than a minute after call i, so N calls cannot end before
   (ceil(N / Q) - 1) minutes. N = kQ + 1 makes that equal to calls / quota (k minutes,
   to 1/Q), so the figure reads the same either way.
2. Several APIs at once: daily, daily_basic and adj_factor, each in its own process (as
   separate Dagster runs would be), with different quotas, all sharing one warehouse
   through the writer lease; wall time of the whole vs the slowest API's floor.
3. Dagster overhead per partition in a batched run: `dagster asset materialize
   --partition-range` of N daily partitions (one run, the project's definitions, a temp
   DAGSTER_HOME; the asset's check step runs too, as it does for a user) vs a plain
   process running `ingest_partitions` over the same N keys, both against an
   unthrottled simulator: (T_dagster - T_plain) / N. A second run of 20 partitions
   splits that into a fixed cost per run and a cost per partition.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import benchlib
from benchlib import Figure, log
from sim_process import SimulatorProcess

BENCH = "backfill"
SMALL_RUN = 20
"""A second, small run size: with it the overhead splits into fixed and per-partition."""
WINDOW_S = 60.0
SIM_START = dt.date(2023, 1, 2)
SIM_AS_OF = dt.date(2024, 12, 31)
STOCKS = 1_000
"""Enough for full pages of real shape; the quota, not the rows, sets the pace here."""


@dataclass(frozen=True)
class Plan:
    api: str
    quota: int  # calls per rolling minute
    keys: list[str]

    @property
    def floor_s(self) -> float:
        return (math.ceil(len(self.keys) / self.quota) - 1) * WINDOW_S

    @property
    def calls_over_quota_s(self) -> float:
        return len(self.keys) / self.quota * WINDOW_S


# --- setup ----------------------------------------------------------------------------


def prepare_warehouse(path: Path, url: str, token: str) -> list[str]:
    """A warehouse with the simulator's calendar loaded; returns its open days."""
    from twilight_assets.ingest import ingest_partitions
    from twilight_assets.resources import WarehouseResource
    from twilight_assets.sources.tushare import RateLimiter, TushareSource
    from twilight_assets.specs import get_spec

    resource = WarehouseResource(warehouse=str(path), snapshot_dir=str(path.parent / "snapshots"),
                                 archive_dir=str(path.parent / "archive"))
    source = TushareSource(token, url, source_name="simulator", rate_limiter=RateLimiter())
    years = [str(y) for y in range(SIM_START.year, SIM_AS_OF.year + 1)]
    report = ingest_partitions(get_spec("trade_cal"), years, source=source, open_writer=resource.writer,
                               archive=resource.archive())
    if report.failures:
        raise RuntimeError(f"trade_cal did not load: {report.failures[0].error}")
    with resource.writer() as writer:
        days = writer.query(
            "SELECT strftime(cal_date, '%Y-%m-%d') AS d FROM normalized_trade_cal "
            "WHERE exchange = 'SSE' AND is_open = 1 AND cal_date BETWEEN ? AND ? ORDER BY cal_date",
            [SIM_START, SIM_AS_OF],
        )["d"].tolist()
    return days


def backfill_process(plan: Plan, warehouse: str, url: str, ready, out) -> None:
    """One run's worth of work in its own process, configured as the Dagster resources
    configure a run (their defaults: fetch threads, retries, throttle waits), with the
    API's quota overridden as an account tier would."""
    os.environ.pop("TUSHARE_TOKEN", None)
    os.environ["TWILIGHT_SOURCE"] = "simulator"
    os.environ["TUSHARE_HTTP_URL"] = url
    from twilight_assets.ingest import ingest_partitions
    from twilight_assets.resources import TushareResource, WarehouseResource
    from twilight_assets.specs import get_spec

    warehouse_resource = WarehouseResource(
        warehouse=warehouse, snapshot_dir=str(Path(warehouse).parent / "snapshots"),
        archive_dir=str(Path(warehouse).parent / "archive"),
    )
    tushare = TushareResource(calls_per_minute={plan.api: plan.quota})
    source = tushare.source()
    ready.wait()  # every process has imported; all start together
    started = time.time()
    report = ingest_partitions(
        get_spec(plan.api), plan.keys, source=source, open_writer=warehouse_resource.writer,
        workers=tushare.workers, archive=warehouse_resource.archive(),
    )
    out.put({
        "api": plan.api, "started": started, "ended": time.time(), **report.summary,
        "write_s": report.write_s,
        "first_error": report.failures[0].error if report.failures else None,
    })


def run_concurrently(plans: list[Plan], warehouse: Path, sim: SimulatorProcess) -> list[dict]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    ready = ctx.Barrier(len(plans))
    procs = [
        ctx.Process(target=backfill_process, args=(p, str(warehouse), sim.url, ready, out))
        for p in plans
    ]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=3600) for _ in procs]
    for proc in procs:
        proc.join()
    return results


# --- Dagster overhead -----------------------------------------------------------------

_PLAIN_RUN = """
import json, sys, time
from twilight_assets.ingest import ingest_partitions
from twilight_assets.resources import TushareResource, WarehouseResource
from twilight_assets.specs import get_spec
keys = json.loads(sys.argv[1])
report = ingest_partitions(get_spec("daily"), keys, source=TushareResource().source(),
                           open_writer=WarehouseResource().writer, workers=TushareResource().workers)
print(json.dumps(report.summary))
"""


def weekdays(first: str, n: int) -> list[str]:
    day, out = dt.date.fromisoformat(first), []
    while len(out) < n:
        if day.isoweekday() <= 5:
            out.append(day.isoformat())
        day += dt.timedelta(days=1)
    return out


def dagster_overhead(work: Path, template: Path, sim: SimulatorProcess, n: int) -> dict:
    """One batched run of n partitions with Dagster and without, both fresh processes."""
    keys = weekdays("2024-01-02", n)
    env_base = {
        **os.environ, **benchlib.QUIET_ENV, "TWILIGHT_SOURCE": "simulator",
        "TUSHARE_HTTP_URL": sim.url, "PYTHONUNBUFFERED": "1",
    }
    env_base.pop("TUSHARE_TOKEN", None)
    bin_dir = Path(sys.executable).parent

    def env_for(name: str) -> dict:
        name = f"{name}_{n}"
        home = work / f"{name}_home"
        home.mkdir(exist_ok=True)
        shutil.copy(benchlib.PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
        warehouse = work / f"{name}.duckdb"
        shutil.copy(template, warehouse)
        return {**env_base, "DAGSTER_HOME": str(home), "TWILIGHT_WAREHOUSE": str(warehouse),
                "TWILIGHT_SNAPSHOT_DIR": str(work / f"{name}_snapshots")}

    env = env_for("plain")
    started = time.perf_counter()
    plain = subprocess.run(
        [sys.executable, "-c", _PLAIN_RUN, json.dumps(keys)], env=env, capture_output=True, text=True,
        cwd=benchlib.PROJECT,
    )
    plain_s = time.perf_counter() - started
    if plain.returncode != 0:
        raise RuntimeError(f"plain ingest failed: {plain.stderr[-2000:]}")
    plain_summary = json.loads(plain.stdout.strip().splitlines()[-1])

    env = env_for("dagster")
    started = time.perf_counter()
    run = subprocess.run(
        [str(bin_dir / "dagster"), "asset", "materialize", "-m", "twilight_assets.definitions",
         "--select", "daily", "--partition-range", f"{keys[0]}...{keys[-1]}"],
        env=env, capture_output=True, text=True, cwd=benchlib.PROJECT,
    )
    dagster_s = time.perf_counter() - started
    ok = run.returncode == 0 and "RUN_SUCCESS" in (run.stdout + run.stderr)
    if not ok:
        log(f"dagster run did not succeed ({run.returncode}): {(run.stdout + run.stderr)[-1500:]}")
    import duckdb

    with duckdb.connect(env["TWILIGHT_WAREHOUSE"], read_only=True) as conn:
        done = conn.execute(
            "SELECT count(*) FROM ingest_progress WHERE api_name = 'daily' AND status IN ('done', 'market_closed')"
        ).fetchall()[0][0]
    # The import alone, for the breakdown: what every run pays before its first step.
    started = time.perf_counter()
    imported = subprocess.run([sys.executable, "-c", "import twilight_assets.definitions"], env=env,
                              capture_output=True)
    import_s = time.perf_counter() - started if imported.returncode == 0 else None
    return {
        "partitions": n, "plain_s": plain_s, "dagster_s": dagster_s, "dagster_ok": ok,
        "dagster_partitions_recorded": done, "plain_partitions": plain_summary["partitions"],
        "import_definitions_s": import_s,
    }


def _overhead_note(overhead: dict, n: int, split: dict | None) -> str:
    if "error" in overhead:
        return f"not measured: {overhead['error']}"
    if not overhead["dagster_ok"]:
        return f"not measured: the dagster run failed (plain run of {n} took {overhead['plain_s']:.1f}s)"
    note = (f"one --partition-range run of {n} (with the asset's check step): "
            f"{overhead['dagster_s']:.1f}s vs {overhead['plain_s']:.1f}s plain")
    if split:
        note += f"; = {split['fixed_per_run_s']:.1f}s per run + {split['per_partition_s']:.3f}s per partition"
    return note


# --- main -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = benchlib.parse_args(__doc__.splitlines()[0], argv)
    k = 3 if args.full else 1  # minutes of floor per API
    quotas = {"daily": 120, "daily_basic": 90, "adj_factor": 150}
    overhead_n = 250 if args.full else 100
    figures: list[Figure] = []
    extra: dict = {"stocks": STOCKS}
    with benchlib.workdir(args, BENCH) as work:
        template = work / "template.duckdb"
        with SimulatorProcess(n_stocks=STOCKS, start=SIM_START, as_of=SIM_AS_OF) as free_sim:
            log(f"loading the simulator's calendar into a template warehouse ({STOCKS:,} stocks)")
            days = prepare_warehouse(template, free_sim.url, free_sim.token)
            runs = {}
            for n in (SMALL_RUN, overhead_n):
                log(f"Dagster overhead: {n} daily partitions, one run vs plain ingest")
                try:
                    runs[n] = dagster_overhead(work, template, free_sim, n)
                except Exception as exc:  # reported as not measured; the rest goes on
                    runs[n] = {"error": f"{type(exc).__name__}: {str(exc)[-300:]}"}
                if runs[n].get("dagster_ok"):
                    log(f"  dagster {runs[n]['dagster_s']:.1f}s vs plain {runs[n]['plain_s']:.1f}s "
                        f"(importing the definitions alone: {benchlib.fmt(runs[n]['import_definitions_s'])}s)")
        overhead = runs[overhead_n]
        extra["dagster"] = runs
        per_partition = None
        if overhead.get("dagster_ok"):
            per_partition = (overhead["dagster_s"] - overhead["plain_s"]) / overhead_n
            small = runs[SMALL_RUN]
            if small.get("dagster_ok"):
                # Two run sizes split the overhead into a fixed part per run and a part
                # that grows with the partitions (events, metadata, logs).
                extra_small = small["dagster_s"] - small["plain_s"]
                extra_big = overhead["dagster_s"] - overhead["plain_s"]
                marginal = (extra_big - extra_small) / (overhead_n - SMALL_RUN)
                fixed = extra_small - SMALL_RUN * marginal
                extra["dagster_split"] = {"fixed_per_run_s": fixed, "per_partition_s": marginal}
                log(f"  overhead: {per_partition:.3f}s per partition at {overhead_n} per run = "
                    f"{fixed:.1f}s fixed per run + {marginal:.3f}s per partition")

        with SimulatorProcess(n_stocks=STOCKS, start=SIM_START, as_of=SIM_AS_OF, calls_per_minute=quotas) as sim:
            single = Plan("daily", quotas["daily"], days[: k * quotas["daily"] + 1])
            warehouse = work / "single.duckdb"
            shutil.copy(template, warehouse)
            log(f"one API: {len(single.keys)} calls of daily at {single.quota}/min (floor {single.floor_s:.0f}s)")
            [one] = run_concurrently([single], warehouse, sim)
            one_wall = one["ended"] - one["started"]
            log(f"  {one_wall:.1f}s; {json.dumps({x: one[x] for x in ('calls', 'partitions_failed', 'throttle_waits', 'lease_wait_s')})}")

            plans = [Plan(api, q, days[: k * q + 1]) for api, q in quotas.items()]
            warehouse = work / "shared.duckdb"
            shutil.copy(template, warehouse)
            slowest = max(plans, key=lambda p: p.floor_s)
            log(f"{len(plans)} APIs in {len(plans)} processes, one warehouse: floors "
                + ", ".join(f"{p.api} {len(p.keys)} calls at {p.quota}/min = {p.floor_s:.0f}s" for p in plans))
            many = run_concurrently(plans, warehouse, sim)
            many_wall = max(r["ended"] for r in many) - min(r["started"] for r in many)
            for r in many:
                log(f"  {r['api']}: {r['ended'] - r['started']:.1f}s, {r['calls']} calls, "
                    f"{r['partitions_failed']} failed, {r['throttle_waits']} throttled, "
                    f"lease wait {r['lease_wait_s']:.2f}s, write {r['write_s']:.2f}s")

    extra["single"] = {**one, "wall_s": one_wall, "floor_s": single.floor_s}
    extra["several"] = {"wall_s": many_wall, "floor_s": slowest.floor_s, "runs": many}
    failed = one["partitions_failed"] + sum(r["partitions_failed"] for r in many)
    figures += [
        Figure(BENCH, "one API backfill (daily)", one_wall, "s", "<= 1.1",
               baseline_name="source floor", baseline_value=single.floor_s,
               note=f"{len(single.keys)} calls at {single.quota}/min; {one['partitions_failed']} failed, "
                    f"{one['throttle_waits']} throttled"),
        Figure(BENCH, f"{len(plans)} APIs at once, 3 processes", many_wall, "s", "<= 1.1",
               baseline_name="slowest API's floor", baseline_value=slowest.floor_s,
               note=f"shared warehouse via the writer lease; {failed} failed, "
                    f"{sum(r['throttle_waits'] for r in many)} throttled"),
        Figure(BENCH, "Dagster overhead per partition", per_partition, "s", "<= 0.2",
               note=_overhead_note(overhead, overhead_n, extra.get("dagster_split"))),
    ]
    benchlib.report(BENCH, figures, args, extra=extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
