"""Our writer vs the loaders a user would pick instead, on the same daily batches.

Every loader gets the same deterministic 5,000-row daily-shaped batches (saved once as
Parquet): one batch per trading day, then a few days again with revised prices, as a
re-run after a correction would. Each loader is timed per batch, the batch already in
memory, in the way a user would run it:

- ours, the whole job: the response archived as the fetching side does it
  (`Archive.store`: JSON, zstd, sha256, write, fsync) and `WarehouseWriter.write_partition`
  (validation, the partition replaced, raw record and ledger in one transaction).
  "steady": one writer for the whole run, as a batched backfill writes; "cold": archive,
  take the writer lease (`Backend.writer_lease()`), open, write, close, per day, as a
  one-day run does. "archive outside" leaves the archive out of the clock: in ingest a
  fetching thread writes it while the writer writes the previous partition.
- dlt: `pipeline.run(..., write_disposition="merge", primary_key=...)` into DuckDB, one
  pipeline run per day (the peers' venv, in a subprocess).
- dagster-duckdb-pandas: `DuckDBPandasIOManager` storing one partition of a daily
  asset per `dg.materialize` (the peers' venv, in a subprocess). Its store alone and the
  whole materialization are both reported.
- a plain DuckDB `INSERT ... SELECT` of the batch into a keyless table: the ceiling
  (issue 10's target: ours >= 0.5x of it).

Per-batch figures are medians, so the first run's table creation does not decide them.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import benchlib
from benchlib import Figure, log

BENCH = "loaders"
ROWS_PER_DAY = 5_000
FIRST_DAY = dt.date(2024, 1, 2)


# --- the batches ----------------------------------------------------------------------


def trading_days(n: int) -> list[dt.date]:
    days, day = [], FIRST_DAY
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def daily_batch(day: dt.date, stocks: int, revision: int = 0) -> pa.Table:
    """One day of `daily` bars for `stocks` stocks; `revision` shifts the prices."""
    rng = np.random.default_rng([day.toordinal(), revision])
    codes = [f"{600000 + i:06d}.SH" if i % 2 else f"{i:06d}.SZ" for i in range(stocks)]
    pre_close = np.round(rng.uniform(3, 80, stocks), 2)
    pct = np.round(rng.normal(0, 2, stocks).clip(-10, 10), 4)
    close = np.round(pre_close * (1 + pct / 100), 2)
    spread = np.abs(rng.normal(0, 0.01, stocks)) * close
    vol = np.round(rng.lognormal(11, 1, stocks), 2)
    return pa.table(
        {
            "ts_code": codes,
            "trade_date": pa.array([day] * stocks, pa.date32()),
            "open": np.round(pre_close * (1 + rng.normal(0, 0.005, stocks)), 2),
            "high": np.round(close + spread, 2),
            "low": np.round(close - spread, 2),
            "close": close,
            "pre_close": pre_close,
            "change": np.round(close - pre_close, 2),
            "pct_chg": pct,
            "vol": vol,
            "amount": np.round(vol * close / 10, 3),
            "ah_vol": pa.nulls(stocks, pa.float64()),
            "ah_amount": pa.nulls(stocks, pa.float64()),
        }
    )


def write_batches(batch_dir: Path, days: int, revised: int) -> list[dict]:
    """Parquet files plus batches.json: the order every loader runs them in."""
    batch_dir.mkdir(parents=True, exist_ok=True)
    order = []
    plan = [(d, 0) for d in trading_days(days)] + [(d, 1) for d in trading_days(revised)]
    for day, revision in plan:
        name = f"daily_{day.isoformat()}_r{revision}.parquet"
        pq.write_table(daily_batch(day, ROWS_PER_DAY, revision), batch_dir / name)
        order.append({"file": name, "day": day.isoformat(), "revision": revision})
    (batch_dir / "batches.json").write_text(json.dumps(order))
    return order


# --- our writer -----------------------------------------------------------------------


def _as_fetched(table: pa.Table) -> tuple[pd.DataFrame, list[dict]]:
    """The frame and raw pages `TushareSource.fetch` would hand over for this batch."""
    frame = table.to_pandas()
    frame["ts_code"] = frame["ts_code"].astype(object)
    frame["trade_date"] = pd.to_datetime(frame["trade_date"]).astype("datetime64[ns]")
    wire = frame.assign(trade_date=frame["trade_date"].dt.strftime("%Y%m%d"))
    wire = wire.astype(object).where(wire.notna(), None)
    day = wire["trade_date"].iloc[0]
    pages = [{"params": {"trade_date": day, "limit": 6000, "offset": 0},
              "fields": list(frame.columns), "items": wire.values.tolist()}]
    return frame, pages


def run_ours(batch_dir: Path, order: list[dict], db_path: Path, archive_root: Path, *,
             cold: bool, archive_in_clock: bool = True) -> list[float]:
    from twilight_assets.specs import get_spec
    from twilight_assets.warehouse.archive import Archive
    from twilight_assets.warehouse.backend import open_backend
    from twilight_assets.warehouse.raw import RawResponse
    from twilight_assets.warehouse.writer import WarehouseWriter

    spec = get_spec("daily")
    archive = Archive(archive_root)
    backend = open_backend(str(db_path))

    def raw_for(day: str, frame: pd.DataFrame, pages: list[dict]) -> RawResponse:
        # What the fetching side does with a response: archive it durably, describe it.
        return RawResponse(
            api_name="daily", partition_key=day, source="simulator",
            request_params=[p["params"] for p in pages], fields=list(frame.columns),
            row_count=len(frame), pages=len(pages), fetched_at=dt.datetime.now(dt.UTC),
            archive=archive.store("daily", pages),
        )

    batches = [(item["day"], *_as_fetched(pq.read_table(batch_dir / item["file"]))) for item in order]
    WarehouseWriter(backend).close()  # the schema exists before the clock starts

    def one(writer: WarehouseWriter, day: str, frame: pd.DataFrame, pages: list[dict]) -> float:
        if archive_in_clock:
            started = time.perf_counter()
            writer.write_partition(spec, day, frame, raw_for(day, frame, pages))
            return time.perf_counter() - started
        raw = raw_for(day, frame, pages)
        started = time.perf_counter()
        writer.write_partition(spec, day, frame, raw)
        return time.perf_counter() - started

    seconds = []
    if cold:
        for day, frame, pages in batches:
            started = time.perf_counter()
            raw = raw_for(day, frame, pages)
            with backend.writer_lease(), WarehouseWriter(backend) as writer:
                writer.write_partition(spec, day, frame, raw)
            seconds.append(time.perf_counter() - started)
    else:
        with backend.writer_lease(), WarehouseWriter(backend) as writer:
            for day, frame, pages in batches:
                seconds.append(one(writer, day, frame, pages))
    with duckdb.connect(str(db_path), read_only=True) as conn:
        rows = conn.execute("SELECT count(*) FROM normalized_daily").fetchall()[0][0]
    expected = len({i["day"] for i in order}) * ROWS_PER_DAY
    if rows != expected:
        log(f"WARNING: ours left {rows} rows, expected {expected}")
    return seconds


def run_plain_insert(batch_dir: Path, order: list[dict], db_path: Path) -> list[float]:
    """The ceiling: each batch appended by one INSERT ... SELECT into a keyless table (no
    replace, no raw record, no ledger; a re-run of a day would duplicate its rows)."""
    tables = [pq.read_table(batch_dir / item["file"]) for item in order]
    seconds = []
    with duckdb.connect(str(db_path)) as conn:
        conn.execute(
            'CREATE TABLE daily (ts_code VARCHAR, trade_date DATE, "open" DOUBLE, high DOUBLE, '
            "low DOUBLE, close DOUBLE, pre_close DOUBLE, change DOUBLE, pct_chg DOUBLE, "
            "vol DOUBLE, amount DOUBLE, ah_vol DOUBLE, ah_amount DOUBLE)"
        )
        for table in tables:
            started = time.perf_counter()
            conn.register("batch", table)
            conn.execute("INSERT INTO daily SELECT * FROM batch")
            conn.unregister("batch")
            seconds.append(time.perf_counter() - started)
    return seconds


# --- the peers ------------------------------------------------------------------------


def run_peer(script: str, *args: Path) -> dict | str:
    """A peer's figures, or why they could not be measured (the bench goes on)."""
    try:
        python = benchlib.peer_python()
        return benchlib.run_json(
            [python, benchlib.BENCH_DIR / "peers" / script, *args], timeout=3600
        )
    except Exception as exc:  # a missing peer is reported, never fatal
        return f"{type(exc).__name__}: {str(exc)[-500:]}"


# --- figures --------------------------------------------------------------------------


def rows_per_s(seconds: list[float]) -> float:
    return ROWS_PER_DAY / statistics.median(seconds)


def describe(name: str, seconds: list[float]) -> str:
    return (
        f"{name:<34} median {statistics.median(seconds) * 1000:8.1f} ms/day  "
        f"max {max(seconds) * 1000:8.1f} ms  total {sum(seconds):6.2f} s  "
        f"{rows_per_s(seconds):>9,.0f} rows/s"
    )


def main(argv: list[str] | None = None) -> int:
    def extra(parser) -> None:
        parser.add_argument("--days", type=int, default=None, help="trading days (default 10, full 60)")
        parser.add_argument("--revised", type=int, default=None, help="days re-run revised (default 3, full 10)")
        parser.add_argument("--no-peers", action="store_true", help="skip dlt and the IO manager")

    args = benchlib.parse_args(__doc__.splitlines()[0], argv, extra)
    days, revised = (60, 10) if args.full else (10, 3)
    days, revised = args.days or days, args.revised if args.revised is not None else revised
    with benchlib.workdir(args, BENCH) as work:
        log(f"writing {days} + {revised} batches of {ROWS_PER_DAY:,} rows to {work}")
        order = write_batches(work / "batches", days, revised)
        timings: dict[str, list[float]] = {}
        log("ours, one writer for the run (steady), archiving each response in the clock")
        timings["ours (steady)"] = run_ours(work / "batches", order, work / "ours_steady.duckdb",
                                            work / "archive_steady", cold=False)
        log("ours, the archive written beforehand (as the fetching thread does in ingest)")
        timings["ours (steady, archive outside)"] = run_ours(
            work / "batches", order, work / "ours_noarchive.duckdb", work / "archive_outside",
            cold=False, archive_in_clock=False)
        log("ours, archive + lease + open + write + close per day (cold)")
        timings["ours (cold)"] = run_ours(work / "batches", order, work / "ours_cold.duckdb",
                                          work / "archive_cold", cold=True)
        log("plain DuckDB INSERT into a keyless table")
        timings["keyless plain insert"] = run_plain_insert(work / "batches", order, work / "plain.duckdb")
        if args.no_peers:
            dlt = iom = "skipped (--no-peers)"
        else:
            log("dlt merge, one pipeline run per day (peers' venv)")
            dlt = run_peer("dlt_merge.py", work / "batches", work / "dlt.duckdb", work / "dlt_pipelines")
            log("DuckDBPandasIOManager, one partition per day (peers' venv)")
            iom = run_peer("io_manager.py", work / "batches", work / "iom.duckdb")

    notes = {}
    expected_rows = len({item["day"] for item in order}) * ROWS_PER_DAY
    for name, peer in (("dlt", dlt), ("IO manager", iom)):
        if isinstance(peer, dict) and peer["table_rows"] != expected_rows:
            log(f"WARNING: {name} left {peer['table_rows']} rows, expected {expected_rows}")
    if isinstance(dlt, dict):
        timings["dlt merge (pipeline run)"] = dlt["seconds"]
    else:
        notes["dlt"] = dlt
    if isinstance(iom, dict):
        timings["IO manager (store)"] = iom["store_seconds"]
        timings["IO manager (dg.materialize)"] = iom["seconds"]
    else:
        notes["io manager"] = iom
    print()
    for name, seconds in timings.items():
        print(describe(name, seconds))
    for name, why in notes.items():
        print(f"{name}: not measured: {why}")

    speed = {name: rows_per_s(s) for name, s in timings.items()}
    figures = []

    def vs(ours: str, base: str, target: str | None, note: str = "") -> None:
        figures.append(Figure(
            BENCH, f"{ours} vs {base}", speed[ours], "rows/s", target,
            baseline_name=base, baseline_value=speed.get(base), note=note,
        ))

    for ours in ("ours (steady)", "ours (cold)"):
        vs(ours, "dlt merge (pipeline run)", ">= 10", "per-day merge, 5k rows")
    for ours in ("ours (steady)", "ours (cold)"):
        vs(ours, "IO manager (store)", ">= 2", "per-partition store, 5k rows")
    vs("ours (steady)", "keyless plain insert", ">= 0.5", "whole job, archive included")
    vs("ours (steady, archive outside)", "keyless plain insert", None,
       "reference: the archive on the fetching thread, as in ingest")
    vs("ours (steady, archive outside)", "dlt merge (pipeline run)", None, "reference")
    vs("ours (steady, archive outside)", "IO manager (store)", None, "reference")
    benchlib.report(BENCH, figures, args, extra={
        "median_ms": {k: statistics.median(v) * 1000 for k, v in timings.items()},
        "days": days, "revised_days": revised, "rows_per_batch": ROWS_PER_DAY,
        "peers": {"dlt": dlt.get("version") if isinstance(dlt, dict) else None,
                  "dagster (IO manager)": iom.get("version") if isinstance(iom, dict) else None},
        "not_measured": notes,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
