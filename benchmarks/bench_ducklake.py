"""The DuckLake backend (catalog on PostgreSQL, data as Parquet in a folder) against the
file backend and against itself under concurrency (issue 11, deliverable 7).

Every writer writes the same kind of deterministic 5,000-row `daily` partitions through
`WarehouseWriter.write_partition` (the response archived before the clock starts: the
archive is the same on both backends).

1. Per-partition write: one writer, --partitions days, on a DuckDB file and on a DuckLake;
   medians per partition (the lake commits a Parquet file and its catalog rows in
   PostgreSQL; the file appends to its WAL).
2. Aggregate throughput: one writer process writing --partitions days alone, then
   --writers processes writing --partitions days each at once (disjoint days, all started
   together), on one lake; rows per second from the first write's start to the last one's
   end, each writer opened before (target: 4 processes >= 1.5x one, on 2 cores).
3. A reader's query latency (one day's count and average close, on a connection attached
   to the live lake, in its own process) while the writers of (2) commit, against the
   same reader with no writer.
4. Snapshot publish on the lake (count every table at the latest version, attach at it
   again and verify, record the publication: no copy) when it holds (2)'s first load and
   when it holds 1 + --writers times as much (target: constant time, <= 1.5x), and the
   file backend's publish (a verified copy) of (1)'s file for comparison.

PostgreSQL: the cluster named by TWILIGHT_TEST_PG, else this script runs itself under
`scripts/test_services.sh run`, which starts a throwaway one (as `make test` does). Each
lake is a new database on it, dropped at the end. Printed, never asserted.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import benchlib
from benchlib import Figure, log

BENCH = "ducklake"
ROWS = 5000
PG_ENV = "TWILIGHT_TEST_PG"
FIRST_DAY = dt.date(2023, 1, 2)


# --- batches and writers ---------------------------------------------------------------


def trading_days(n: int, skip: int = 0) -> list[str]:
    day, out = FIRST_DAY, []
    while len(out) < n + skip:
        if day.isoweekday() <= 5:
            out.append(day.isoformat())
        day += dt.timedelta(days=1)
    return out[skip:]


def daily_frame(day: str) -> pd.DataFrame:
    """One day of `daily` for 5,000 stocks, typed as TushareSource hands it over."""
    rng = np.random.default_rng(dt.date.fromisoformat(day).toordinal())
    codes = [f"{600000 + i:06d}.SH" if i % 2 else f"{i:06d}.SZ" for i in range(ROWS)]
    pre = np.round(rng.uniform(3, 80, ROWS), 2)
    close = np.round(pre * (1 + rng.normal(0, 0.02, ROWS)), 2)
    return pd.DataFrame({
        "ts_code": pd.Series(codes, dtype=object),
        "trade_date": pd.Series([pd.Timestamp(day)] * ROWS, dtype="datetime64[us]"),
        "open": np.round(pre * 1.001, 2), "high": np.round(np.maximum(pre, close) * 1.01, 2),
        "low": np.round(np.minimum(pre, close) * 0.99, 2), "close": close, "pre_close": pre,
        "change": np.round(close - pre, 2), "pct_chg": np.round((close - pre) / pre * 100, 4),
        "vol": np.round(rng.lognormal(11, 1, ROWS), 2), "amount": np.round(rng.lognormal(13, 1, ROWS), 3),
        "ah_vol": np.full(ROWS, np.nan), "ah_amount": np.full(ROWS, np.nan),
    })


def prepared(days: list[str], archive_root: Path) -> list[tuple[str, pd.DataFrame, object]]:
    """(day, frame, raw response) per day, the response archived: the fetching side's work."""
    from twilight_assets.warehouse.archive import Archive
    from twilight_assets.warehouse.raw import RawResponse

    archive = Archive(archive_root)
    out = []
    for day in days:
        frame = daily_frame(day)
        wire = frame.assign(trade_date=frame["trade_date"].dt.strftime("%Y%m%d"))
        params = {"trade_date": day.replace("-", ""), "limit": 6000, "offset": 0}
        pages = [{"params": params, "fields": list(frame.columns),
                  "items": wire.astype(object).where(wire.notna(), None).values.tolist()}]
        raw = RawResponse(api_name="daily", partition_key=day, source="simulator", request_params=[params],
                          fields=list(frame.columns), row_count=len(frame), pages=1,
                          fetched_at=dt.datetime.now(dt.UTC), archive=archive.store("daily", pages))
        out.append((day, frame, raw))
    return out


def write_days(url: str, data_path: str | None, batches: list) -> tuple[list[float], int, float, float]:
    """Write each batch with one writer (opened before the clock starts); (seconds per
    partition, commit conflicts, when the first write started, when the last ended)."""
    from twilight_assets.specs import get_spec
    from twilight_assets.warehouse.backend import open_backend

    spec = get_spec("daily")
    seconds, conflicts = [], 0
    with open_backend(url, data_path=data_path).writer() as writer:
        first = time.time()
        for day, frame, raw in batches:
            started = time.perf_counter()
            result = writer.write_partition(spec, day, frame, raw)
            seconds.append(time.perf_counter() - started)
            conflicts += result.commit_conflicts
        last = time.time()
    return seconds, conflicts, first, last


def writer_process(url: str, data_path: str, days: list[str], archive_root: str, ready, out) -> None:
    batches = prepared(days, Path(archive_root))
    ready.wait()  # every writer has built its batches; all start together
    seconds, conflicts, started, ended = write_days(url, data_path, batches)
    out.put({"started": started, "ended": ended, "rows": ROWS * len(days), "conflicts": conflicts,
             "median_s": statistics.median(seconds)})


def reader_process(url: str, data_path: str, days: list[str], ready, stop, out) -> None:
    """Query the live lake until told to stop; the latency of each query."""
    from twilight_assets.warehouse.backend import open_backend

    conn = open_backend(url, data_path=data_path).connect(read_only=True)
    latencies = []
    ready.wait()
    i = 0
    while not stop.is_set():
        started = time.perf_counter()
        conn.execute("SELECT count(*), avg(close) FROM normalized_daily WHERE trade_date = CAST(? AS DATE)",
                     [days[i % len(days)]]).fetchall()
        latencies.append(time.perf_counter() - started)
        i += 1
        time.sleep(0.02)
    conn.close()
    out.put(latencies)


def concurrent(url: str, data_path: str, plans: list[list[str]], archive_root: Path,
               read_days: list[str] | None) -> tuple[list[dict], list[float] | None]:
    """Run one writer process per plan (and a reader beside them); their results."""
    ctx = mp.get_context("spawn")
    out, reads = ctx.Queue(), ctx.Queue()
    ready = ctx.Barrier(len(plans) + (1 if read_days else 0))
    stop = ctx.Event()
    procs = [ctx.Process(target=writer_process, args=(url, data_path, days, str(archive_root / f"w{i}"), ready, out))
             for i, days in enumerate(plans)]
    reader = (ctx.Process(target=reader_process, args=(url, data_path, read_days, ready, stop, reads))
              if read_days else None)
    for proc in procs + ([reader] if reader else []):
        proc.start()
    results = [out.get(timeout=3600) for _ in procs]
    stop.set()
    latencies = reads.get(timeout=120) if reader else None
    for proc in procs + ([reader] if reader else []):
        proc.join(timeout=60)
    return results, latencies


def idle_reads(url: str, data_path: str, days: list[str], seconds: float) -> list[float]:
    ctx = mp.get_context("spawn")
    reads = ctx.Queue()
    ready, stop = ctx.Barrier(1), ctx.Event()
    reader = ctx.Process(target=reader_process, args=(url, data_path, days, ready, stop, reads))
    reader.start()
    time.sleep(seconds)
    stop.set()
    latencies = reads.get(timeout=120)
    reader.join(timeout=60)
    return latencies


# --- PostgreSQL ------------------------------------------------------------------------


def pg_query(conninfo: str, sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(conninfo)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def new_database(cluster: str, label: str) -> tuple[str, str]:
    """(conninfo of a new database on the cluster, its name)."""
    name = f"bench_{label}_{secrets.token_hex(4)}"
    pg_query(cluster, f'CREATE DATABASE "{name}"')
    parts = [p for p in cluster.split() if not p.startswith("dbname=")]
    return " ".join(parts + [f"dbname={name}"]), name


def rerun_with_postgres(argv: list[str]) -> int:
    script = benchlib.PROJECT / "scripts" / "test_services.sh"
    log("TWILIGHT_TEST_PG is not set: starting a throwaway PostgreSQL (scripts/test_services.sh run)")
    return subprocess.run(["bash", str(script), "run", sys.executable, str(Path(__file__).resolve()), *argv]).returncode


# --- main ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)

    def extra(parser) -> None:
        parser.add_argument("--partitions", type=int, default=None, help="days per writer (default 8, full 30)")
        parser.add_argument("--writers", type=int, default=4, help="concurrent writer processes (default 4)")
        parser.add_argument("--publish-rounds", type=int, default=3, help="publishes per size (default 3)")

    args = benchlib.parse_args(__doc__.splitlines()[0], argv, extra)
    cluster = os.environ.get(PG_ENV, "").strip()
    if not cluster:
        return rerun_with_postgres(argv)
    n = args.partitions or (30 if args.full else 8)
    from twilight_assets.warehouse.backend import open_backend
    from twilight_assets.warehouse.snapshots import publish_snapshot
    from twilight_assets.warehouse.writer import WarehouseWriter

    databases = []
    try:
        with benchlib.workdir(args, BENCH) as work:
            # 1. one writer, file vs lake
            batches = prepared(trading_days(n), work / "archive")
            log(f"1. one writer, {n} partitions of {ROWS:,} rows: DuckDB file")
            file_url = str(work / "file.duckdb")
            WarehouseWriter(open_backend(file_url)).close()
            file_s, *_ = write_days(file_url, None, batches)
            conninfo, name = new_database(cluster, "single")
            databases.append(name)
            lake_url, lake_data = f"ducklake:postgres:{conninfo}", str(work / "lake-single")
            WarehouseWriter(open_backend(lake_url, data_path=lake_data)).close()
            log("   DuckLake")
            lake_s, *_ = write_days(lake_url, lake_data, batches)
            log(f"   file {statistics.median(file_s) * 1000:.0f} ms, lake {statistics.median(lake_s) * 1000:.0f} ms "
                "per partition")

            # 2. and 3. one writer process vs several, a reader beside them
            conninfo, name = new_database(cluster, "many")
            databases.append(name)
            url, data = f"ducklake:postgres:{conninfo}", str(work / "lake-many")
            WarehouseWriter(open_backend(url, data_path=data)).close()
            log(f"2. one writer process, {n} partitions")
            (one,), _ = concurrent(url, data, [trading_days(n)], work / "archive-1", None)
            one_rate = one["rows"] / (one["ended"] - one["started"])
            log(f"   {one_rate:,.0f} rows/s")
            log("3. a reader, no writer")
            idle = idle_reads(url, data, trading_days(n), 5.0)
            lake_backend = open_backend(url, data_path=data)
            publish_small = []
            for i in range(args.publish_rounds):
                with lake_backend.writer() as writer:
                    publish_small.append(publish_snapshot(writer, work / "snapshots-lake", keep=args.publish_rounds * 2))
            log(f"2. {args.writers} writer processes at once, {n} partitions each, a reader beside them")
            plans = [trading_days(n, skip=n * (1 + i)) for i in range(args.writers)]
            many, busy = concurrent(url, data, plans, work / "archive-many", trading_days(n))
            wall = max(r["ended"] for r in many) - min(r["started"] for r in many)
            many_rate = sum(r["rows"] for r in many) / wall
            conflicts = sum(r["conflicts"] for r in many)
            log(f"   {many_rate:,.0f} rows/s over {wall:.1f}s, {conflicts} conflicting commits retried; "
                f"reader {statistics.median(busy) * 1000:.0f} ms busy vs {statistics.median(idle) * 1000:.0f} ms idle")

            # 4. publish at (1 + writers) times the size, and the file's
            publish_big = []
            for i in range(args.publish_rounds):
                with lake_backend.writer() as writer:
                    publish_big.append(publish_snapshot(writer, work / "snapshots-lake", keep=args.publish_rounds * 2))
            rows_big = publish_big[-1].table_rows.get("normalized_daily", 0)
            rows_small = publish_small[-1].table_rows.get("normalized_daily", 0)
            publish_file = []
            for i in range(args.publish_rounds):
                with open_backend(file_url).writer() as writer:
                    publish_file.append(publish_snapshot(writer, work / "snapshots-file", keep=1))
            log(f"4. lake publish {statistics.median(p.duration_s for p in publish_small):.2f}s at {rows_small:,} rows, "
                f"{statistics.median(p.duration_s for p in publish_big):.2f}s at {rows_big:,}; file publish "
                f"{statistics.median(p.duration_s for p in publish_file):.2f}s ({publish_file[-1].bytes / 1e6:.0f} MB)")
    finally:
        for name in databases:
            try:
                pg_query(cluster, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:  # noqa: BLE001 - a leftover database is only reported
                log(f"could not drop {name}: {exc}")

    med = statistics.median
    figures = [
        Figure(BENCH, "per-partition write, lake vs file", med(lake_s) * 1000, "ms", None,
               "file backend", med(file_s) * 1000, note=f"one writer, {n} partitions of {ROWS:,} rows, medians"),
        Figure(BENCH, f"{args.writers} writer processes vs 1, aggregate", many_rate, "rows/s", ">= 1.5",
               "1 writer process", one_rate,
               note=f"{args.writers} x {n} partitions at once; {conflicts} conflicting commits retried"),
        Figure(BENCH, f"reader latency while {args.writers} writers commit", med(busy) * 1000, "ms", None,
               "no writer", med(idle) * 1000,
               note=f"{len(busy)} vs {len(idle)} queries of one day's count and average close"),
        Figure(BENCH, "lake snapshot publish, bigger vs smaller", med(p.duration_s for p in publish_big), "s",
               "<= 1.5", f"at {rows_small:,} rows", med(p.duration_s for p in publish_small),
               note=f"at {rows_big:,} rows ({rows_big / max(1, rows_small):.0f}x); constant time is the target"),
        Figure(BENCH, "lake snapshot publish vs the file's copy", med(p.duration_s for p in publish_big), "s", None,
               "file publish", med(p.duration_s for p in publish_file),
               note=f"file {publish_file[-1].bytes / 1e6:.0f} MB holding {n * ROWS:,} daily rows; "
                    f"lake {rows_big:,}"),
    ]
    benchlib.report(BENCH, figures, args, extra={
        "file_ms": [s * 1000 for s in file_s], "lake_ms": [s * 1000 for s in lake_s],
        "one_writer": one, "writers": many, "reader_idle_ms": [s * 1000 for s in idle],
        "reader_busy_ms": [s * 1000 for s in busy],
        "publish_small_s": [p.duration_s for p in publish_small],
        "publish_big_s": [p.duration_s for p in publish_big],
        "publish_file_s": [p.duration_s for p in publish_file],
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
