"""Upsert throughput: the seed's row-wise upsert vs our writer vs a keyless insert.

Every contender writes the same deterministic 5,000-row daily batches (one per trading
day) into the real normalized_daily DDL:

- (a) the seed's `WarehouseWriter.upsert`: `executemany(INSERT ... VALUES (?, ...) ON
  CONFLICT ... DO UPDATE SET ...)`, one row at a time. It runs ~100 rows/s, so it is
  time-boxed to the first --seed-rows rows of the first batch: enough for its rate.
- (b) ours: `WarehouseWriter.write_partition`, the whole job: raw payload archived,
  values validated, in-batch duplicates resolved, bulk upsert, ledger and freshness
  marked, in one transaction per batch.
- (c) the ceiling: a plain bulk `INSERT ... SELECT` of the same batch into a copy of the
  table without a key (no conflict check, no index to maintain).
- (u) for context: our upsert statement alone on the keyed table (what (b) adds to it
  is the raw payload and the bookkeeping).

Rates are medians over batches (chunks of 50 rows for (a)), so a burst of load from
another process on this 2-core machine moves them less. Targets (issue 2): b/a >= 500,
b/c >= 0.5. Printed, never asserted.

    python benchmarks/bench_upsert.py [--batches N] [--seed-rows N] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from benchlib import Figure, log  # noqa: E402

from twilight_assets.specs import REGISTRY  # noqa: E402
from twilight_assets.warehouse.schema import quote  # noqa: E402
from twilight_assets.warehouse.writer import (  # noqa: E402
    BOOKKEEPING,
    RawResponse,
    WarehouseWriter,
    upsert_sql,
)

BENCH = "upsert"
ROWS = 5000
DAILY = REGISTRY["daily"]
SEED_TIME_BOX_S = 20.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20, help="5,000-row daily batches per contender (default 20)")
    parser.add_argument("--seed-rows", type=int, default=300, help="rows the row-wise upsert writes (default 300)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--full", action="store_true", help="200 batches instead of --batches")
    args = parser.parse_args(argv)
    if args.full:
        args.batches = 200
    return args


def batches(n: int) -> list[tuple[str, pd.DataFrame]]:
    """n trading days of 5,000 stocks, deterministic, typed as the writer's contract says."""
    rng = np.random.default_rng(20240102)
    codes = [f"{600000 + i:06d}.SH" if i % 2 else f"{i:06d}.SZ" for i in range(ROWS)]
    days = pd.bdate_range("2023-01-02", periods=n)
    out = []
    for day in days:
        close = np.round(rng.uniform(2, 200, ROWS), 2)
        pre = np.round(close * rng.uniform(0.9, 1.1, ROWS), 2)
        frame = pd.DataFrame(
            {
                "ts_code": pd.Series(codes, dtype=object),
                "trade_date": pd.Series([day] * ROWS, dtype="datetime64[us]"),
                "open": np.round(pre * rng.uniform(0.95, 1.05, ROWS), 2),
                "high": np.round(close * 1.05, 2),
                "low": np.round(close * 0.95, 2),
                "close": close,
                "pre_close": pre,
                "change": np.round(close - pre, 2),
                "pct_chg": np.round((close - pre) / pre * 100, 4),
                "vol": np.round(rng.uniform(100, 1e6, ROWS), 0),
                "amount": np.round(rng.uniform(1e3, 1e7, ROWS), 3),
                "ah_vol": np.full(ROWS, np.nan),
                "ah_amount": np.full(ROWS, np.nan),
            }
        )[list(DAILY.field_names)]
        out.append((day.date().isoformat(), frame))
    return out


def raw_for(day: str, frame: pd.DataFrame) -> RawResponse:
    """The response as the source hands it over: Tushare's fields and items."""
    wire = frame.assign(trade_date=frame["trade_date"].dt.strftime("%Y%m%d"))
    items = wire.astype(object).where(wire.notna(), None).values.tolist()
    params = {"trade_date": day.replace("-", ""), "limit": 6000, "offset": 0}
    return RawResponse(
        api_name="daily", partition_key=day, source="simulator", request_params=[params],
        fields=list(DAILY.field_names), pages=[{"params": params, "fields": list(DAILY.field_names), "items": items}],
        row_count=len(frame), fetched_at=dt.datetime.now(dt.UTC),
    )


SEED_CHUNK = 50


def seed_rowwise(path: Path, day: str, frame: pd.DataFrame, rows: int) -> tuple[int, float, float]:
    """The seed's upsert (src/service/db.py:172-207, A0.1): executemany, row by row."""
    with WarehouseWriter(path) as writer, writer.quiesced() as conn:
        cols = list(DAILY.field_names) + [c for c, _ in BOOKKEEPING]
        keys = DAILY.conflict_columns
        updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in cols if c not in keys)
        sql = (
            f"INSERT INTO {DAILY.table} ({', '.join(map(quote, cols))}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT ({', '.join(map(quote, keys))}) DO UPDATE SET {updates}"
        )
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        values = [
            [None if pd.isna(v) else v for v in row] + ["simulator", now, 1]
            for row in frame.astype(object).head(rows).values.tolist()
        ]
        chunk_s: list[float] = []
        started = time.perf_counter()
        for chunk in range(0, len(values), SEED_CHUNK):
            t0 = time.perf_counter()
            conn.executemany(sql, values[chunk : chunk + SEED_CHUNK])
            chunk_s.append(time.perf_counter() - t0)
            if time.perf_counter() - started > SEED_TIME_BOX_S:
                break
        return len(chunk_s) * SEED_CHUNK, time.perf_counter() - started, SEED_CHUNK / statistics.median(chunk_s)


def ours(path: Path, data: list[tuple[str, pd.DataFrame]]) -> float:
    raws = [raw_for(day, frame) for day, frame in data]  # built before timing: the source's work
    with WarehouseWriter(path) as writer:
        batch_s = []
        for (day, frame), raw in zip(data, raws):
            started = time.perf_counter()
            writer.write_partition(DAILY, day, frame, raw)
            batch_s.append(time.perf_counter() - started)
        rows = writer.query(f"SELECT count(*) AS n FROM {DAILY.table}")["n"].item()
    assert rows == ROWS * len(data), rows  # the run is only a measurement if every row landed
    return ROWS / statistics.median(batch_s)


def bulk(path: Path, data: list[tuple[str, pd.DataFrame]], *, keyed: bool) -> float:
    """One bulk statement per batch: our upsert alone (keyed) or a plain insert (keyless)."""
    with WarehouseWriter(path) as writer, writer.quiesced() as conn:
        table = DAILY.table
        if not keyed:
            table = "daily_without_key"
            conn.execute(f"CREATE TABLE {table} AS SELECT * FROM {DAILY.table} LIMIT 0").fetchall()
        cols = list(DAILY.field_names)
        insert = (
            f"INSERT INTO {table} SELECT "
            + ", ".join(f"CAST({quote(c)} AS {f.sql_type})" for c, f in zip(cols, DAILY.fields))
            + ", CAST(? AS VARCHAR), CAST(? AS TIMESTAMP), CAST(? AS BIGINT) FROM batch"
        )
        batch_s = []
        for i, (_, frame) in enumerate(data):
            started = time.perf_counter()
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            if keyed:
                conn.register("batch", frame.assign(__twilight_received=np.arange(len(frame))))
                conn.execute(upsert_sql(DAILY, "batch"), ["simulator", now, i]).fetchall()
            else:
                conn.register("batch", frame)
                conn.execute(insert, ["simulator", now, i]).fetchall()
            conn.unregister("batch")
            batch_s.append(time.perf_counter() - started)
        rows = conn.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    assert rows == ROWS * len(data), rows
    return ROWS / statistics.median(batch_s)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log(f"building {args.batches} batches of {ROWS:,} daily rows")
    data = batches(args.batches)
    with tempfile.TemporaryDirectory(prefix="twilight-bench-upsert-") as tmp:
        work = Path(tmp)
        log(f"(a) seed row-wise upsert: up to {args.seed_rows} rows, time-boxed to {SEED_TIME_BOX_S:.0f} s")
        a_rows, a_s, a = seed_rowwise(work / "seed.duckdb", *data[0], rows=args.seed_rows)
        log("(b) our writer")
        b = ours(work / "ours.duckdb", data)
        log("(u) our upsert statement alone")
        u = bulk(work / "upsert.duckdb", data, keyed=True)
        log("(c) plain insert, no key")
        c = bulk(work / "nokey.duckdb", data, keyed=False)
    note = f"median of {args.batches} batches of {ROWS:,} rows"
    figures = [
        Figure(BENCH, "(a) seed row-wise upsert", a, "rows/s", None, note=f"{a_rows} rows in {a_s:.1f} s"),
        Figure(BENCH, "(b) our writer, whole job", b, "rows/s", ">= 500", "(a) seed row-wise", a, note=note),
        Figure(BENCH, "(b) our writer vs keyless insert", b, "rows/s", ">= 0.5", "(c) keyless insert", c, note=note),
        Figure(BENCH, "(u) our upsert statement alone", u, "rows/s", None, "(c) keyless insert", c,
               note="no raw payload, validation or ledger"),
        Figure(BENCH, "(c) keyless plain insert", c, "rows/s", None, note=note),
    ]
    print(f"\n(a) seed row-wise upsert   {a:>12,.0f} rows/s")
    print(f"(b) our writer             {b:>12,.0f} rows/s   b/a = {b / a:,.0f}  (target >= 500)")
    print(f"(c) keyless plain insert   {c:>12,.0f} rows/s   b/c = {b / c:.2f}  (target >= 0.5)")
    print(f"(u) our upsert alone       {u:>12,.0f} rows/s   u/c = {u / c:.2f}")
    benchlib.report(BENCH, figures, args, extra={"machine": benchlib.machine()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
