"""Years of `daily` through the project's ingest path: does the warehouse keep its pace and
its size as history grows, and what does a snapshot of it cost?

The project's simulator serves a market of --stocks stocks from --first-year to
--last-year (its own process, over HTTP; stocks list over the years as in the real
market). Each year is one run of the code every Dagster asset runs, without Dagster:
`ingest_partitions` for the year's `trade_cal`, then for every weekday of the year of
`daily` (holidays recorded market_closed), with TushareSource (4 fetching threads, no
client quota), the raw archive in TWILIGHT_ARCHIVE's place beside the file, and the
writer opened per flush as the asset opens it (writer lease, open, up to 25 partitions,
close: `Backend.writer()`).

Printed per year: seconds, rows, seconds per million rows, the warehouse file's bytes
and the archive's after the year, and the time spent closing the writer (the close
checkpoints the WAL into the file). At the end, each against a baseline measured in
the same run:

- the last year's seconds per million rows against the first year's (target <= 1.2x);
- the warehouse file's bytes against the same normalized rows exported as zstd Parquet
  (`COPY ... (FORMAT parquet, COMPRESSION zstd)`, every column; target <= 1.5x);
- `publish_snapshot` of the warehouse (checkpoint, copy in a child, verify, fsync,
  rename) against `cp` + `sync` of the same file, medians of alternating rounds (target
  <= 1.5x).

    python benchmarks/bench_history.py                      # quick: 2024-2025, 500 stocks
    python benchmarks/bench_history.py --full               # 2005-2025, 5,000 stocks
    python benchmarks/bench_history.py --first-year 2015 --last-year 2025 --stocks 2000

Printed, never asserted.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

import benchlib
from benchlib import Figure, copy_and_sync, log
from sim_process import SimulatorProcess

BENCH = "history"
QUICK = (2024, 2025, 500)
FULL = (2005, 2025, 5000)


def weekdays(year: int) -> list[str]:
    day, out = dt.date(year, 1, 1), []
    while day.year == year:
        if day.isoweekday() <= 5:
            out.append(day.isoformat())
        day += dt.timedelta(days=1)
    return out


def tree_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def file_bytes(path: Path) -> int:
    wal = path.with_name(path.name + ".wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


class TimedWriters:
    """`Backend.writer()`, step for step, with the close (the checkpoint) timed."""

    def __init__(self, backend) -> None:
        self.backend = backend
        self.close_s = 0.0
        self.opens = 0

    @contextmanager
    def __call__(self) -> Iterator[object]:
        from twilight_assets.warehouse.writer import WarehouseWriter

        with self.backend.writer_lease():
            writer = WarehouseWriter(self.backend)
            self.opens += 1
            try:
                yield writer
            finally:
                started = time.perf_counter()
                writer.close()
                self.close_s += time.perf_counter() - started


def parquet_export(db: Path, out_dir: Path) -> tuple[int, dict[str, int]]:
    """Every normalized table that holds rows, as zstd Parquet; (bytes, rows per table)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    with duckdb.connect(str(db), read_only=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'normalized_%' ORDER BY 1").fetchall()]
        for table in tables:
            n = conn.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
            if n:
                rows[table] = n
                conn.execute(f"COPY \"{table}\" TO '{out_dir / (table + '.parquet')}' "
                             "(FORMAT parquet, COMPRESSION zstd)")
    return tree_bytes(out_dir), rows


def database_size(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as conn:
        cursor = conn.execute("PRAGMA database_size")
        names = [d[0] for d in cursor.description]
        return dict(zip(names, cursor.fetchall()[0]))


def main(argv: list[str] | None = None) -> int:
    def extra(parser) -> None:
        parser.add_argument("--first-year", type=int, default=None, help=f"default {QUICK[0]}, full {FULL[0]}")
        parser.add_argument("--last-year", type=int, default=None, help=f"default {QUICK[1]}, full {FULL[1]}")
        parser.add_argument("--stocks", type=int, default=None, help=f"default {QUICK[2]:,}, full {FULL[2]:,}")
        parser.add_argument("--days", type=int, default=None, help="only the first N weekdays of each year (smoke)")
        parser.add_argument("--workers", type=int, default=4, help="fetching threads (TushareResource's default 4)")
        parser.add_argument("--snapshot-rounds", type=int, default=3, help="publish vs cp+sync rounds (default 3)")

    args = benchlib.parse_args(__doc__.splitlines()[0], argv, extra)
    first, last, stocks = FULL if args.full else QUICK
    first, last = args.first_year or first, args.last_year or last
    stocks = args.stocks or stocks
    years = list(range(first, last + 1))

    from twilight_assets.ingest import ingest_partitions
    from twilight_assets.sources.tushare import RateLimiter, TushareSource
    from twilight_assets.specs import get_spec
    from twilight_assets.warehouse.archive import Archive
    from twilight_assets.warehouse.backend import open_backend
    from twilight_assets.warehouse.snapshots import publish_snapshot

    per_year: list[dict] = []
    with benchlib.workdir(args, BENCH) as work, SimulatorProcess(
        n_stocks=stocks, start=dt.date(first, 1, 1), as_of=dt.date(last, 12, 31)
    ) as sim:
        db = work / "warehouse.duckdb"
        archive = Archive(work / "archive")  # where TWILIGHT_ARCHIVE defaults to for this file
        backend = open_backend(str(db))
        writers = TimedWriters(backend)
        source = TushareSource(sim.token, sim.url, source_name="simulator", rate_limiter=RateLimiter({}))
        log(f"{stocks:,} stocks, {first}-{last}; warming the simulator up (it builds its market on first use)")
        started = time.perf_counter()
        for year in (first, last):
            source.fetch(get_spec("trade_cal"), str(year))
            source.fetch(get_spec("daily"), f"{year}-06-03" if dt.date(year, 6, 3).isoweekday() <= 5 else f"{year}-06-05")
        log(f"  warm in {time.perf_counter() - started:.1f}s")

        for year in years:
            keys = weekdays(year)[: args.days] if args.days else weekdays(year)
            cal = ingest_partitions(get_spec("trade_cal"), [str(year)], source=source, open_writer=writers,
                                    workers=args.workers, archive=archive)
            if cal.failures:
                raise RuntimeError(f"trade_cal {year}: {cal.failures[0].error}")
            writers.close_s, writers.opens = 0.0, 0
            started = time.perf_counter()
            report = ingest_partitions(get_spec("daily"), keys, source=source, open_writer=writers,
                                       workers=args.workers, archive=archive)
            seconds = time.perf_counter() - started
            summary = report.summary
            row = {
                "year": year, "seconds": seconds, "rows": report.rows_written,
                "partitions": summary["partitions_done"], "closed": summary["partitions_market_closed"],
                "failed": summary["partitions_failed"],
                "s_per_mrow": seconds / report.rows_written * 1e6 if report.rows_written else None,
                "write_s": report.write_s, "close_s": writers.close_s, "opens": writers.opens,
                "warehouse_bytes": file_bytes(db), "archive_bytes": tree_bytes(work / "archive"),
            }
            per_year.append(row)
            log(f"{year}: {seconds:6.1f}s  {row['rows']:>10,} rows  {benchlib.fmt(row['s_per_mrow'])} s/Mrow  "
                f"warehouse {row['warehouse_bytes'] / 1e6:8.1f} MB  archive {row['archive_bytes'] / 1e6:8.1f} MB  "
                f"close {row['close_s']:5.2f}s over {row['opens']} opens (writing {row['write_s']:.1f}s)"
                + (f"  {row['failed']} FAILED: {report.failures[0].error}" if row["failed"] else ""))

        log("exporting the normalized rows as zstd Parquet")
        started = time.perf_counter()
        parquet_bytes, table_rows = parquet_export(db, work / "parquet")
        export_s = time.perf_counter() - started
        size = database_size(db)
        warehouse_bytes = file_bytes(db)
        from twilight_assets.warehouse.writer import WarehouseWriter

        WarehouseWriter(work / "empty.duckdb").close()
        empty_bytes = file_bytes(work / "empty.duckdb")  # the schema alone: every table, view, comment
        log(f"  warehouse {warehouse_bytes / 1e6:,.1f} MB vs Parquet {parquet_bytes / 1e6:,.1f} MB "
            f"({export_s:.1f}s); {size}")

        log(f"snapshot publish vs cp + sync, {args.snapshot_rounds} rounds")
        baseline, publishes = [], []
        for round_ in range(args.snapshot_rounds):
            subprocess.run(["sync"], check=True)
            baseline.append(copy_and_sync(db, work / "baseline-copy.duckdb"))
            subprocess.run(["sync"], check=True)
            with backend.writer() as writer:
                publishes.append(publish_snapshot(writer, work / "snapshots", keep=1))
            log(f"  round {round_ + 1}: cp+sync {baseline[-1]:.2f}s, publish {publishes[-1].duration_s:.2f}s "
                f"(held {publishes[-1].writers_held_s:.2f}s, verify {publishes[-1].verify_s:.2f}s)")

    firsts, lasts = per_year[0], per_year[-1]
    figures = []
    for row in per_year:
        figures.append(Figure(
            BENCH, f"{row['year']}: daily, a year", row["s_per_mrow"], "s/Mrow", None,
            note=(f"{row['seconds']:.1f} s, {row['rows']:,} rows in {row['partitions']} days; warehouse "
                  f"{row['warehouse_bytes'] / 1e6:,.1f} MB, archive {row['archive_bytes'] / 1e6:,.1f} MB; "
                  f"close {row['close_s']:.2f} s over {row['opens']} opens"),
        ))
    figures += [
        Figure(BENCH, f"s/Mrow, last year vs first ({lasts['year']} vs {firsts['year']})", lasts["s_per_mrow"],
               "s/Mrow", "<= 1.2", f"{firsts['year']}", firsts["s_per_mrow"],
               note=f"{stocks:,}-stock market; {firsts['rows'] // max(1, firsts['partitions']):,} vs "
                    f"{lasts['rows'] // max(1, lasts['partitions']):,} rows per day"),
        Figure(BENCH, "warehouse file vs the rows as zstd Parquet", warehouse_bytes / 1e6, "MB", "<= 1.5",
               "zstd Parquet", parquet_bytes / 1e6,
               note=(f"{sum(table_rows.values()):,} normalized rows; archive beside it "
                     f"{lasts['archive_bytes'] / 1e6:,.1f} MB; file {size.get('used_blocks')} blocks used, "
                     f"{size.get('free_blocks')} free")),
        Figure(BENCH, "warehouse file less an empty one's vs the Parquet", (warehouse_bytes - empty_bytes) / 1e6,
               "MB", None, "zstd Parquet", parquet_bytes / 1e6,
               note=f"an empty warehouse (the schema alone) is {empty_bytes / 1e6:.1f} MB: it decides small runs"),
        Figure(BENCH, "snapshot publish vs cp + fsync", statistics.median(p.duration_s for p in publishes), "s",
               "<= 1.5", "cp + fsync", statistics.median(baseline),
               note=f"{publishes[-1].bytes / 1e6:,.1f} MB file, median of {len(publishes)} rounds"),
    ]
    print()
    print(f"{'year':>6} {'seconds':>9} {'rows':>11} {'s/Mrow':>8} {'warehouse MB':>13} {'archive MB':>11} {'close s':>8}")
    for row in per_year:
        print(f"{row['year']:>6} {row['seconds']:9.1f} {row['rows']:>11,} {benchlib.fmt(row['s_per_mrow']):>8} "
              f"{row['warehouse_bytes'] / 1e6:13.1f} {row['archive_bytes'] / 1e6:11.1f} {row['close_s']:8.2f}")
    benchlib.report(BENCH, figures, args, extra={
        "years": per_year, "parquet_bytes": parquet_bytes, "table_rows": table_rows,
        "database_size": size, "empty_warehouse_bytes": empty_bytes, "snapshot": {"publish_s": [p.duration_s for p in publishes], "cp_sync_s": baseline},
        "stocks": stocks,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
