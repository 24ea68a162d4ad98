"""The whole check suite over a full-size warehouse, and one partition's checks.

The warehouse (benchmarks/synth.py, the project's DDL) holds 5,500 stocks with about
19M rows in each per-date table (daily, daily_basic, adj_factor) in the full set and
about 1M in the quick set, plus the calendar, stock list, ledger and freshness rows;
per-stock and index tables are empty, so their checks report "not evaluated". The data
is consistent, so the checks pass, as on a healthy warehouse: the time is that of
checks that scan everything and find nothing.

Timed three ways (targets: the suite <= 60 s, one partition <= 1 s):
- the full suite with the checks runner alone (pure SQL, no Dagster) on a read-only
  connection: what the queries cost;
- the full suite as users run it: `dagster job execute -j quality_sweep` in a fresh
  process with a temp DAGSTER_HOME (one step per asset, each opening the warehouse
  under the writer lease and appending to quality_log): what a sweep costs end to end;
- one partition: the checks of each per-date dataset scoped to the newest trading day
  through `evaluate_checks` (writer lease, open, evaluate, record), as the check step
  after one day's materialization runs them; the slowest dataset counts.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

import benchlib
import synth
from benchlib import Figure, log

BENCH = "checks"
PARTITION_ROUNDS = 3


def sweep_job(work: Path, warehouse: Path) -> dict:
    """`dagster job execute -j quality_sweep` on `warehouse`; wall time and outcome."""
    home = work / "dagster_home"
    home.mkdir(exist_ok=True)
    shutil.copy(benchlib.PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, **benchlib.QUIET_ENV, "DAGSTER_HOME": str(home),
           "TWILIGHT_WAREHOUSE": str(warehouse), "TWILIGHT_SNAPSHOT_DIR": str(work / "snapshots")}
    env.pop("TUSHARE_TOKEN", None)
    started = time.perf_counter()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "job", "execute",
         "-m", "twilight_assets.definitions", "-j", "quality_sweep"],
        env=env, capture_output=True, text=True, cwd=work,
    )
    seconds = time.perf_counter() - started
    output = proc.stdout + proc.stderr
    ok = proc.returncode == 0 and "RUN_SUCCESS" in output
    return {"seconds": seconds, "ok": ok, "tail": "" if ok else output[-600:]}


def main(argv: list[str] | None = None) -> int:
    args = benchlib.parse_args(__doc__.splitlines()[0], argv)
    from twilight_assets.checks.definitions import CHECK_SPECS, checks_for
    from twilight_assets.checks.factories import evaluate_checks
    from twilight_assets.checks.runner import evaluate
    from twilight_assets.resources import WarehouseResource

    with benchlib.workdir(args, BENCH) as work:
        shape, built = synth.build_market_warehouse(work, full=args.full, full_rows=19_000_000, log=log)
        with duckdb.connect(str(built.path), read_only=True) as conn:
            conn.execute("SET enable_progress_bar = false")
            newest = conn.execute("SELECT strftime(max(trade_date), '%Y-%m-%d') FROM normalized_daily").fetchall()[0][0]
            log(f"full suite, runner only: {len(CHECK_SPECS)} checks")
            started = time.perf_counter()
            outcomes = [evaluate(conn, check) for check in CHECK_SPECS]
            suite_s = time.perf_counter() - started

        warehouse = WarehouseResource(warehouse=str(built.path), snapshot_dir=str(work / "snapshots"))
        partition_s: dict[str, float] = {}
        for api in synth.PER_DATE_TABLES:
            checks = list(checks_for(api))
            rounds = []
            for _ in range(PARTITION_ROUNDS):
                started = time.perf_counter()
                scoped = evaluate_checks(warehouse, checks, {newest}, run_id="bench")
                rounds.append(time.perf_counter() - started)
            partition_s[api] = statistics.median(rounds)
            failed = [o.check.name for o in scoped if not o.passed]
            log(f"  {api} {newest}: {len(checks)} checks in {partition_s[api]:.3f}s"
                + (f"; failed: {failed}" if failed else ""))

        log("full suite as users run it: dagster job execute -j quality_sweep")
        sweep = sweep_job(work, built.path)
        log(f"  {sweep['seconds']:.1f}s" + ("" if sweep["ok"] else f"; FAILED: {sweep['tail']}"))

    evaluated = [o for o in outcomes if o.evaluated]
    failed = [o for o in outcomes if not o.passed]
    slowest = sorted(outcomes, key=lambda o: o.duration_s, reverse=True)[:8]
    print()
    print(f"full suite: {suite_s:.1f}s for {len(outcomes)} checks ({len(evaluated)} evaluated, "
          f"{len(failed)} failed); the slowest:")
    for o in slowest:
        print(f"  {o.duration_s:7.2f}s  {o.check.name}")
    for o in failed:
        print(f"  FAILED {o.check.name}: {o.message[:200]}")
    worst_api = max(partition_s, key=partition_s.get)
    rows = f"{built.table_rows['daily']:,} rows per per-date table"
    figures = [
        Figure(BENCH, "full check suite, runner (SQL only)", suite_s, "s", "<= 60",
               note=f"{len(outcomes)} checks ({len(evaluated)} evaluated, {len(failed)} failed), {rows}"),
        Figure(BENCH, "full check suite, quality_sweep job", sweep["seconds"] if sweep["ok"] else None,
               "s", "<= 60",
               note="dagster job execute in a fresh process, steps under the writer lease"
               if sweep["ok"] else f"not measured: the job failed: {sweep['tail'][-200:]}"),
        Figure(BENCH, "one partition's checks", partition_s[worst_api], "s", "<= 1",
               note=f"slowest per-date dataset: {worst_api}, {len(checks_for(worst_api))} checks on "
                    f"{newest}, evaluate_checks under the writer lease"),
    ]
    benchlib.report(BENCH, figures, args, extra={
        "table_rows": built.table_rows, "bytes": built.bytes, "build_s": built.seconds,
        "partition_s": partition_s, "sweep": sweep,
        "slowest_checks_s": {o.check.name: o.duration_s for o in slowest},
        "failed_checks": {o.check.name: o.message for o in failed},
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
