"""The whole check suite over a full-size warehouse, and one partition's checks.

The warehouse (benchmarks/synth.py, the project's DDL) holds 5,500 stocks with about
19M rows in each per-date table (daily, daily_basic, adj_factor) in the full set and
about 1M in the quick set, plus the calendar, stock list, ledger and freshness rows;
per-stock and index tables are empty, so their checks report "not evaluated". The data
is consistent, so the checks pass, as on a healthy warehouse: the time is that of
checks that scan everything and find nothing.

Timed with the checks runner (pure SQL, no Dagster) on a read-only connection, the way
a sweep reads a snapshot:
- the full suite, every check over the whole warehouse (target <= 60 s);
- one partition: the checks of each per-date dataset scoped to the newest trading day,
  what runs after one day's materialization (target <= 1 s; the slowest dataset counts).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time

import duckdb

import benchlib
import synth
from benchlib import Figure, log

BENCH = "checks"
PARTITION_ROUNDS = 3


def main(argv: list[str] | None = None) -> int:
    args = benchlib.parse_args(__doc__.splitlines()[0], argv)
    from twilight_assets.checks.definitions import CHECK_SPECS, checks_for
    from twilight_assets.checks.runner import evaluate

    last = synth.last_weekday_before(dt.date.today())
    shape = (
        synth.MarketShape(5_500, dt.date(1995, 1, 3), last, 19_000_000)
        if args.full
        else synth.MarketShape(5_500, last - dt.timedelta(days=4 * 365), last, 1_000_000)
    )
    with benchlib.workdir(args, BENCH) as work:
        log(f"building a warehouse: {shape.stocks:,} stocks, ~{shape.rows_per_table:,} rows per per-date table")
        built = synth.build_warehouse(work / "warehouse.duckdb", shape, log=log)
        log(f"built {built.bytes / 1e6:,.0f} MB in {built.seconds:.0f}s: {built.table_rows}")
        with duckdb.connect(str(built.path), read_only=True) as conn:
            newest = conn.execute("SELECT strftime(max(trade_date), '%Y-%m-%d') FROM normalized_daily").fetchall()[0][0]

            log(f"full suite: {len(CHECK_SPECS)} checks")
            started = time.perf_counter()
            outcomes = [evaluate(conn, check) for check in CHECK_SPECS]
            suite_s = time.perf_counter() - started

            partition_s: dict[str, float] = {}
            for api in synth.PER_DATE_TABLES:
                checks = checks_for(api)
                rounds = []
                for _ in range(PARTITION_ROUNDS):
                    started = time.perf_counter()
                    scoped = [evaluate(conn, c, {newest}) for c in checks]
                    rounds.append(time.perf_counter() - started)
                partition_s[api] = statistics.median(rounds)
                failed = [o.check.name for o in scoped if not o.passed]
                log(f"  {api} {newest}: {len(checks)} checks in {partition_s[api]:.3f}s"
                    + (f"; failed: {failed}" if failed else ""))

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
        Figure(BENCH, "full check suite", suite_s, "s", "<= 60",
               note=f"{len(outcomes)} checks ({len(evaluated)} evaluated, {len(failed)} failed), {rows}"),
        Figure(BENCH, "one partition's checks", partition_s[worst_api], "s", "<= 1",
               note=f"slowest per-date dataset: {worst_api}, {len(checks_for(worst_api))} checks on {newest}"),
    ]
    benchlib.report(BENCH, figures, args, extra={
        "table_rows": built.table_rows, "bytes": built.bytes, "build_s": built.seconds,
        "partition_s": partition_s,
        "slowest_checks_s": {o.check.name: o.duration_s for o in slowest},
        "failed_checks": {o.check.name: o.message for o in failed},
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
