"""The whole check suite over a full-size warehouse, and one partition's checks.

The warehouse (benchmarks/synth.py, the project's DDL) holds 5,500 stocks with about
19M rows in each per-date table (daily, daily_basic, adj_factor) in the full set and
about 1M in the quick set, plus the calendar, stock list, ledger and freshness rows;
per-stock and index tables are empty, so their checks report "not evaluated". The data
is consistent, so the checks pass, as on a healthy warehouse: the time is that of
checks that scan everything and find nothing.

Timed three ways (targets: the suite <= 60 s, one partition <= 1 s):
- the full suite with the checks runner alone (pure SQL, no Dagster) on a read-only
  connection (memory_limit 4GB; a check running past 120 s, 600 s in the full set, is
  interrupted and named, so the suite's time is then a lower bound): what the queries
  cost;
- the full suite as users run it: `dagster job execute -j quality_sweep` in a fresh
  process with a temp DAGSTER_HOME (one step per asset, each opening the warehouse
  under the writer lease and appending to quality_log; its processes capped at 8 GiB of
  address space so a runaway query fails instead of swapping the shared machine): what
  a sweep costs end to end;
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
CHECK_TIMEOUT_S = {"quick": 120, "full": 600}
"""A check still running after this is interrupted and reported: one pathological query
(pre_close_daily's self-join on DuckDB 1.5.5 grew to 20 GB at 1M rows) must not take
the machine, or the rest of the run, with it."""
MEMORY_LIMIT = "4GB"
"""DuckDB's memory_limit on the runner's connection (it spills past it)."""
SWEEP_ADDRESS_SPACE = 8 * 2**30
"""RLIMIT_AS of the quality_sweep job's processes: a query that runs away fails there
with DuckDB's out-of-memory error instead of swapping the shared machine."""
SWEEP_TIMEOUT_S = {"quick": 600, "full": 1800}


def evaluate_guarded(conn: duckdb.DuckDBPyConnection, check, timeout_s: float):
    """evaluate(conn, check), interrupted after timeout_s: (outcome or None, seconds)."""
    import threading

    from twilight_assets.checks.runner import evaluate

    timer = threading.Timer(timeout_s, conn.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        return evaluate(conn, check), time.perf_counter() - started
    except Exception as exc:  # the runner wraps DuckDB's interrupt in a WarehouseError
        if time.perf_counter() - started < timeout_s:
            raise
        log(f"  {check.name}: interrupted after {timeout_s:.0f}s ({type(exc).__name__})")
        return None, time.perf_counter() - started
    finally:
        timer.cancel()


def _cap_address_space() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (SWEEP_ADDRESS_SPACE, SWEEP_ADDRESS_SPACE))


def sweep_job(work: Path, warehouse: Path, timeout_s: float) -> dict:
    """`dagster job execute -j quality_sweep` on `warehouse`; wall time and outcome."""
    home = work / "dagster_home"
    home.mkdir(exist_ok=True)
    shutil.copy(benchlib.PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, **benchlib.QUIET_ENV, "DAGSTER_HOME": str(home),
           "TWILIGHT_WAREHOUSE": str(warehouse), "TWILIGHT_SNAPSHOT_DIR": str(work / "snapshots")}
    env.pop("TUSHARE_TOKEN", None)
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "dagster"), "job", "execute",
             "-m", "twilight_assets.definitions", "-j", "quality_sweep"],
            env=env, capture_output=True, text=True, cwd=work, timeout=timeout_s,
            preexec_fn=_cap_address_space,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": time.perf_counter() - started, "ok": False,
                "tail": f"timed out after {timeout_s:.0f}s"}
    seconds = time.perf_counter() - started
    output = proc.stdout + proc.stderr
    ok = proc.returncode == 0 and "RUN_SUCCESS" in output
    return {"seconds": seconds, "ok": ok, "tail": "" if ok else output[-3000:]}


def main(argv: list[str] | None = None) -> int:
    def extra(parser) -> None:
        parser.add_argument("--rows", type=int, default=None, help="rows per per-date table, quick set (default 1M)")
        parser.add_argument("--stocks", type=int, default=None, help="stocks in the market (default 5,500)")
        parser.add_argument("--no-job", action="store_true", help="skip the quality_sweep job (the smoke test)")

    args = benchlib.parse_args(__doc__.splitlines()[0], argv, extra)
    from twilight_assets.checks.definitions import CHECK_SPECS, checks_for
    from twilight_assets.checks.factories import evaluate_checks
    from twilight_assets.checks.runner import evaluate
    from twilight_assets.resources import WarehouseResource

    with benchlib.workdir(args, BENCH) as work:
        shape, built = synth.build_market_warehouse(work, full=args.full, full_rows=19_000_000, log=log,
                                                    quick_rows=args.rows, stocks=args.stocks)
        scale = "full" if args.full else "quick"
        with duckdb.connect(str(built.path), read_only=True, config={"memory_limit": MEMORY_LIMIT}) as conn:
            conn.execute("SET enable_progress_bar = false")
            newest = conn.execute("SELECT strftime(max(trade_date), '%Y-%m-%d') FROM normalized_daily").fetchall()[0][0]
            log(f"full suite, runner only: {len(CHECK_SPECS)} checks")
            started = time.perf_counter()
            outcomes, interrupted = [], {}
            for check in CHECK_SPECS:
                outcome, seconds = evaluate_guarded(conn, check, CHECK_TIMEOUT_S[scale])
                if outcome is None:
                    interrupted[check.name] = seconds
                else:
                    outcomes.append(outcome)
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

        if args.no_job:
            sweep = {"seconds": None, "ok": False, "tail": "skipped (--no-job)"}
        else:
            log("full suite as users run it: dagster job execute -j quality_sweep")
            sweep = sweep_job(work, built.path, SWEEP_TIMEOUT_S[scale])
        if sweep["ok"]:
            # A check the job could not evaluate is recorded (failed), and the run succeeds.
            with duckdb.connect(str(built.path), read_only=True) as conn:
                sweep["not_evaluated"] = dict(conn.execute(
                    "SELECT check_name, left(message, 160) FROM quality_log "
                    "WHERE message LIKE 'could not evaluate%' ORDER BY check_name").fetchall())
            for name, message in sweep["not_evaluated"].items():
                log(f"  the job could not evaluate {name}: {message}")
        if not args.no_job:
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
    for name, seconds in interrupted.items():
        print(f"  INTERRUPTED {name} after {seconds:.0f}s")
    cut = (f"; at least: {', '.join(interrupted)} interrupted after {CHECK_TIMEOUT_S[scale]} s"
           if interrupted else "")
    worst_api = max(partition_s, key=partition_s.get)
    rows = f"{built.table_rows['daily']:,} rows per per-date table"
    figures = [
        Figure(BENCH, "full check suite, runner (SQL only)", suite_s, "s", "<= 60",
               note=f"{len(outcomes)} checks ({len(evaluated)} evaluated, {len(failed)} failed), {rows}{cut}"),
        Figure(BENCH, "full check suite, quality_sweep job", sweep["seconds"] if sweep["ok"] else None,
               # A sweep that could not evaluate a check did not do the whole job: no verdict.
               "s", None if sweep.get("not_evaluated") else "<= 60",
               note=("dagster job execute in a fresh process, steps under the writer lease"
                     + (f"; INCOMPLETE, could not evaluate (8 GiB cap): {', '.join(sweep['not_evaluated'])}"
                        if sweep.get("not_evaluated") else ""))
               if sweep["ok"] else f"not measured: the job failed: {sweep['tail'][-200:]}"),
        Figure(BENCH, "one partition's checks", partition_s[worst_api], "s", "<= 1",
               note=f"slowest per-date dataset: {worst_api}, {len(checks_for(worst_api))} checks on "
                    f"{newest}, evaluate_checks under the writer lease"),
    ]
    if args.no_job:
        figures = [f for f in figures if "quality_sweep" not in f.name]
    benchlib.report(BENCH, figures, args, extra={
        "table_rows": built.table_rows, "bytes": built.bytes, "build_s": built.seconds,
        "partition_s": partition_s, "sweep": sweep,
        "slowest_checks_s": {o.check.name: o.duration_s for o in slowest},
        "failed_checks": {o.check.name: o.message for o in failed},
        "interrupted_checks_s": interrupted,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
