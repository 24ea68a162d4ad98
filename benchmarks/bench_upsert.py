"""Partition writes: the seed's row-wise upsert vs our writer vs a keyless insert, and the
measured choice between an upsert on a keyed table and replacing the partition.

Part 1, the writer (issue 2's targets, issue 10's "whole job, archive included"). Every
contender writes the same deterministic 5,000-row daily batches (one per trading day):

- (a) the seed's `WarehouseWriter.upsert`: `executemany(INSERT ... VALUES (?, ...) ON
  CONFLICT ... DO UPDATE SET ...)`, one row at a time, into normalized_daily with its old
  primary key. It runs ~100 rows/s, so it is time-boxed to the first --seed-rows rows
  of the first batch: enough for its rate.
- (b) ours, the whole job: the response archived (`Archive.store`: JSON, zstd, sha256,
  write, fsync; in ingest the fetching thread does this) and
  `WarehouseWriter.write_partition` (values validated, rows of another partition
  refused, the partition replaced, raw record and ledger appended, one transaction).
  (b') is the same without the archive, which in ingest overlaps the writer.
- (c) the ceiling: a plain bulk `INSERT ... SELECT` of the same batch (handed to DuckDB
  as Arrow, as the writer does) into the keyless normalized_daily (no census, no
  delete, no raw record, no ledger).
- (r) for context: our replace statements alone (census, DELETE when there is
  something to replace, INSERT), what (b') adds to (c) being the rest.

Part 2, the decision of issue 10 item 4, measured: a partition write as an upsert
(`INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE SET ...` into a table WITH a primary
key, as before) vs the current census + DELETE + INSERT in one transaction on a keyless
table (warehouse/write_sql.py's statements). Both in a transaction per partition, the
same Arrow batches, first load and then a rewrite of the same partitions with revised
values, in two shapes:

- per date: 5,000-row daily partitions (partition = trade_date);
- per entity: income statements, 94 columns, --periods rows per stock (partition =
  ts_code), rewrites of a sample of the stocks in a table holding all of them.

Rates are medians over partitions, so a burst of load from another process on this
2-core machine moves them less. Targets (issues 2 and 10): b/a >= 500, b/c >= 0.5.
Printed, never asserted.

    python benchmarks/bench_upsert.py [--batches N] [--seed-rows N] [--entities N] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from benchlib import Figure, log  # noqa: E402

from twilight_assets.specs import REGISTRY, DatasetSpec  # noqa: E402
from twilight_assets.warehouse import write_sql  # noqa: E402
from twilight_assets.warehouse.archive import Archive  # noqa: E402
from twilight_assets.warehouse.backend import CHECKPOINT_THRESHOLD  # noqa: E402
from twilight_assets.warehouse.batch import as_batch  # noqa: E402
from twilight_assets.warehouse.raw import RawResponse  # noqa: E402
from twilight_assets.warehouse.values import BOOKKEEPING, quote, transaction  # noqa: E402
from twilight_assets.warehouse.writer import WarehouseWriter  # noqa: E402

BENCH = "upsert"
ROWS = 5000
DAILY = REGISTRY["daily"]
INCOME = REGISTRY["income"]
SEED_TIME_BOX_S = 20.0
SOURCE = "simulator"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20, help="5,000-row daily batches per contender (default 20)")
    parser.add_argument("--seed-rows", type=int, default=300, help="rows the row-wise upsert writes (default 300)")
    parser.add_argument("--entities", type=int, default=400, help="stocks in the per-entity decision (default 400)")
    parser.add_argument("--periods", type=int, default=80, help="income rows per stock (default 80: 20 years)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--workdir", type=Path, default=None, help="where the warehouses go (default: a temp dir)")
    parser.add_argument("--full", action="store_true", help="200 batches and 5,000 stocks")
    args = parser.parse_args(argv)
    if args.full:
        args.batches, args.entities = 200, 5000
    return args


# --- batches ---------------------------------------------------------------------------


def batches(n: int, revision: int = 0) -> list[tuple[str, pd.DataFrame]]:
    """n trading days of 5,000 stocks, deterministic, typed as the writer's contract says;
    `revision` changes the prices (a re-run after a correction)."""
    rng = np.random.default_rng([20240102, revision])
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


def entity_batches(spec: DatasetSpec, entities: int, periods: int, revision: int = 0,
                   only: int | None = None) -> list[tuple[str, pd.DataFrame]]:
    """`periods` quarterly statements per stock with every field of `spec` (86 numbers, a
    fifth of them null, as in real statements), deterministic; `revision` changes the
    numbers and flags the rows updated. `only` keeps the first stocks."""
    out = []
    ends = pd.date_range(end="2025-12-31", periods=periods, freq="QE").astype("datetime64[us]")
    for i in range(entities if only is None else min(only, entities)):
        code = f"{600000 + i:06d}.SH" if i % 2 else f"{i:06d}.SZ"
        rng = np.random.default_rng([i, revision])
        columns: dict[str, object] = {}
        for f in spec.fields:
            if f.name == "ts_code":
                columns[f.name] = pd.Series([code] * periods, dtype=object)
            elif f.name == "end_date":
                columns[f.name] = pd.Series(ends)
            elif f.sql_type == "DATE":
                columns[f.name] = pd.Series(ends + pd.Timedelta(days=30 + int(rng.integers(0, 60))))
            elif f.name == "update_flag":
                columns[f.name] = pd.Series([str(revision % 2)] * periods, dtype=object)
            elif f.sql_type == "VARCHAR":
                columns[f.name] = pd.Series(["1"] * periods, dtype=object)
            else:
                values = np.round(rng.lognormal(18, 2, periods), 2)
                values[rng.random(periods) < 0.2] = np.nan
                columns[f.name] = values
        out.append((code, pd.DataFrame(columns)[list(spec.field_names)]))
    return out


def pages_for(spec: DatasetSpec, partition: str, frame: pd.DataFrame) -> list[dict]:
    """The response as the source hands it over: Tushare's fields and items."""
    wire = frame.copy()
    for f in spec.fields:
        if f.sql_type == "DATE":
            wire[f.name] = wire[f.name].dt.strftime("%Y%m%d")
    items = wire.astype(object).where(wire.notna(), None).values.tolist()
    key = "trade_date" if spec.partition_column == "trade_date" else "ts_code"
    params = {key: partition.replace("-", "") if key == "trade_date" else partition,
              "limit": spec.page_limit, "offset": 0}
    return [{"params": params, "fields": list(spec.field_names), "items": items}]


def raw_for(spec: DatasetSpec, partition: str, pages: list[dict], archive: Archive) -> RawResponse:
    """Archive the pages (what the fetching thread does) and describe them."""
    ref = archive.store(spec.api_name, pages)
    return RawResponse(
        api_name=spec.api_name, partition_key=partition, source=SOURCE,
        request_params=[p["params"] for p in pages], fields=list(spec.field_names),
        row_count=sum(len(p["items"]) for p in pages), pages=len(pages),
        fetched_at=dt.datetime.now(dt.UTC), archive=ref,
    )


# --- tables ----------------------------------------------------------------------------


def table_ddl(spec: DatasetSpec, *, keyed: bool) -> str:
    """spec.table's columns, with the primary key it had before issue 10 (`keyed`) or, as
    now, without."""
    cols = [f"{quote(f.name)} {f.sql_type}" for f in spec.fields]
    cols += [f"{quote(name)} {sql_type}" for name, sql_type in BOOKKEEPING]
    if keyed:
        cols.append(f"PRIMARY KEY ({', '.join(quote(k) for k in spec.key_fields)})")
    return f"CREATE TABLE {quote(spec.table)} ({', '.join(cols)})"


def upsert_sql(spec: DatasetSpec, view: str) -> str:
    """The batch upserted into the keyed table: what the writer did before issue 10."""
    keys = set(spec.key_fields)
    target = [f.name for f in spec.fields] + [name for name, _ in BOOKKEEPING]
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in target if c not in keys)
    return (write_sql.insert_sql(spec, view, dedupe=False)
            + f" ON CONFLICT ({', '.join(quote(k) for k in spec.key_fields)}) DO UPDATE SET {updates}")


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection configured as the file backend's writer is."""
    return duckdb.connect(str(path), config={"checkpoint_threshold": CHECKPOINT_THRESHOLD})


def keyless_warehouse(path: Path) -> None:
    WarehouseWriter(path).close()  # the project's DDL: normalized tables without keys


def bare_warehouse(path: Path, spec: DatasetSpec, *, keyed: bool) -> None:
    """A file holding only spec.table, so its bytes are the table's."""
    with connect(path) as conn:
        conn.execute(table_ddl(spec, keyed=keyed))


# --- part 1: the writer ----------------------------------------------------------------

SEED_CHUNK = 50


def seed_rowwise(path: Path, day: str, frame: pd.DataFrame, rows: int) -> tuple[int, float, float]:
    """The seed's upsert (src/service/db.py:172-207, A0.1): executemany, row by row, into
    the keyed table it wrote to."""
    bare_warehouse(path, DAILY, keyed=True)
    with connect(path) as conn:
        cols = list(DAILY.field_names) + [c for c, _ in BOOKKEEPING]
        keys = DAILY.key_fields
        updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in cols if c not in keys)
        sql = (
            f"INSERT INTO {DAILY.table} ({', '.join(map(quote, cols))}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT ({', '.join(map(quote, keys))}) DO UPDATE SET {updates}"
        )
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        values = [
            [None if pd.isna(v) else v for v in row] + [SOURCE, now, 1]
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


def ours(path: Path, archive_root: Path, data: list[tuple[str, pd.DataFrame]], *,
         with_archive: bool) -> tuple[float, dict]:
    """Our writer per batch; `with_archive` puts archiving the response in the clock."""
    archive = Archive(archive_root)
    pages = [pages_for(DAILY, day, frame) for day, frame in data]  # the source's work
    batch_s, archive_s = [], []
    with WarehouseWriter(path) as writer:
        for (day, frame), page in zip(data, pages):
            started = time.perf_counter()
            if with_archive:
                raw = raw_for(DAILY, day, page, archive)
                archive_s.append(time.perf_counter() - started)
            else:
                raw = raw_for(DAILY, day, page, archive)
                started = time.perf_counter()
            writer.write_partition(DAILY, day, frame, raw)
            batch_s.append(time.perf_counter() - started)
        rows = writer.query(f"SELECT count(*) AS n FROM {DAILY.table}")["n"].item()
    assert rows == ROWS * len(data), rows  # the run is only a measurement if every row landed
    detail = {"archive_ms_median": statistics.median(archive_s) * 1000 if archive_s else None,
              "archive_bytes_per_batch": sum(f.stat().st_size for f in archive_root.rglob("*.zst")) / len(data)}
    return ROWS / statistics.median(batch_s), detail


def bulk(path: Path, data: list[tuple[str, pd.DataFrame]], *, replace: bool) -> float:
    """One statement per batch into the keyless table: a plain INSERT, or (`replace`) our
    census + DELETE + INSERT in a transaction."""
    keyless_warehouse(path)
    insert = write_sql.insert_sql(DAILY, "batch", dedupe=False)
    batch_s = []
    with connect(path) as conn:
        for i, (day, frame) in enumerate(data):
            started = time.perf_counter()
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            conn.register("batch", as_batch(frame))
            if replace:
                with transaction(conn):
                    replace_partition(conn, DAILY, "batch", day, now, i)
            else:
                conn.execute(insert, [SOURCE, now, i]).fetchall()
            conn.unregister("batch")
            batch_s.append(time.perf_counter() - started)
        rows = conn.execute(f"SELECT count(*) FROM {DAILY.table}").fetchall()[0][0]
    assert rows == ROWS * len(data), rows
    return ROWS / statistics.median(batch_s)


# --- part 2: upsert on a keyed table vs replace on a keyless one -------------------------


def replace_partition(conn: duckdb.DuckDBPyConnection, spec: DatasetSpec, view: str, partition: str,
                      now: dt.datetime, raw_id: int) -> None:
    """The writer's _replace: census, DELETE if the partition holds rows, INSERT."""
    sql, params = write_sql.census_sql(spec, view, partition, SOURCE)
    replaced, _removed = conn.execute(sql, params).fetchall()[0]
    if replaced:
        sql, params = write_sql.delete_sql(spec, partition, SOURCE)
        conn.execute(sql, params).fetchall()
    conn.execute(write_sql.insert_sql(spec, view, dedupe=False), [SOURCE, now, raw_id]).fetchall()


def upsert_partition(conn: duckdb.DuckDBPyConnection, spec: DatasetSpec, view: str, partition: str,
                     now: dt.datetime, raw_id: int) -> None:
    conn.execute(upsert_sql(spec, view), [SOURCE, now, raw_id]).fetchall()


def timed_writes(conn: duckdb.DuckDBPyConnection, spec: DatasetSpec, data: list[tuple[str, pd.DataFrame]],
                 write: Callable, first_id: int) -> list[float]:
    arrow = [(key, as_batch(frame)) for key, frame in data]  # converted before the clock
    seconds = []
    for i, (key, batch) in enumerate(arrow):
        started = time.perf_counter()
        conn.register("batch", batch)
        with transaction(conn):
            write(conn, spec, "batch", key, dt.datetime.now(dt.UTC).replace(tzinfo=None), first_id + i)
        conn.unregister("batch")
        seconds.append(time.perf_counter() - started)
    return seconds


def decide(work: Path, spec: DatasetSpec, first: list[tuple[str, pd.DataFrame]],
           rewrite: list[tuple[str, pd.DataFrame]]) -> dict[str, dict]:
    """First load, then the rewrite, for both ways; medians per partition, file bytes."""
    out: dict[str, dict] = {}
    rows_first = sum(len(f) for _, f in first)
    for name, keyed, write in (("replace (keyless)", False, replace_partition),
                               ("upsert (keyed)", True, upsert_partition)):
        path = work / f"decide-{spec.api_name}-{name.split()[0]}.duckdb"
        bare_warehouse(path, spec, keyed=keyed)
        with connect(path) as conn:
            load = timed_writes(conn, spec, first, write, 0)
            again = timed_writes(conn, spec, rewrite, write, len(first))
            rows = conn.execute(f"SELECT count(*) FROM {quote(spec.table)}").fetchall()[0][0]
            conn.execute("CHECKPOINT")
        assert rows == rows_first, (name, rows, rows_first)
        out[name] = {
            "first_ms": statistics.median(load) * 1000, "rewrite_ms": statistics.median(again) * 1000,
            "first_total_s": sum(load), "rewrite_total_s": sum(again), "bytes": path.stat().st_size,
        }
        log(f"  {spec.api_name} {name}: first load {out[name]['first_ms']:.1f} ms, "
            f"rewrite {out[name]['rewrite_ms']:.1f} ms per partition; file {out[name]['bytes'] / 1e6:.1f} MB")
    return out


# --- main ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log(f"building {args.batches} batches of {ROWS:,} daily rows")
    data = batches(args.batches)
    with tempfile.TemporaryDirectory(prefix="twilight-bench-upsert-", dir=args.workdir) as tmp:
        work = Path(tmp)
        log(f"(a) seed row-wise upsert: up to {args.seed_rows} rows, time-boxed to {SEED_TIME_BOX_S:.0f} s")
        a_rows, a_s, a = seed_rowwise(work / "seed.duckdb", *data[0], rows=args.seed_rows)
        log("(b) our writer, the whole job (archive included)")
        b, b_detail = ours(work / "ours.duckdb", work / "archive", data, with_archive=True)
        log("(b') our writer, the archive written beforehand")
        b2, _ = ours(work / "ours-noarchive.duckdb", work / "archive2", data, with_archive=False)
        log("(r) our replace statements alone")
        r = bulk(work / "replace.duckdb", data, replace=True)
        log("(c) plain insert into the keyless table")
        c = bulk(work / "plain.duckdb", data, replace=False)

        log(f"decision, per date: {args.batches} daily partitions, then rewritten")
        per_date = decide(work, DAILY, data, batches(args.batches, revision=1))
        rewritten = max(1, args.entities // 4)
        log(f"decision, per entity: {args.entities} stocks x {args.periods} income rows, "
            f"then {rewritten} rewritten")
        per_entity = decide(work, INCOME, entity_batches(INCOME, args.entities, args.periods),
                            entity_batches(INCOME, args.entities, args.periods, revision=1, only=rewritten))

    note = f"median of {args.batches} batches of {ROWS:,} rows"
    archive_ms = b_detail["archive_ms_median"]
    figures = [
        Figure(BENCH, "(a) seed row-wise upsert", a, "rows/s", None, note=f"{a_rows} rows in {a_s:.1f} s, keyed table"),
        Figure(BENCH, "(b) our writer, whole job", b, "rows/s", ">= 500", "(a) seed row-wise", a, note=note),
        Figure(BENCH, "(b) our writer vs keyless insert", b, "rows/s", ">= 0.5", "(c) keyless insert", c,
               note=f"{note}; archive included ({archive_ms:.0f} ms, "
                    f"{b_detail['archive_bytes_per_batch'] / 1e3:.0f} KB per batch)"),
        Figure(BENCH, "(b') our writer without the archive", b2, "rows/s", None, "(c) keyless insert", c,
               note="archive written beforehand (in ingest: on the fetching thread)"),
        Figure(BENCH, "(r) our replace statements alone", r, "rows/s", None, "(c) keyless insert", c,
               note="census + INSERT (first load: nothing to delete); no validation, raw record or ledger"),
        Figure(BENCH, "(c) keyless plain insert", c, "rows/s", None, note=note),
    ]
    for shape, results, unit_rows in (("per date", per_date, ROWS), ("per entity", per_entity, args.periods)):
        rep, ups = results["replace (keyless)"], results["upsert (keyed)"]
        for phase in ("first", "rewrite"):
            figures.append(Figure(
                BENCH, f"replace vs upsert, {shape}, {'first load' if phase == 'first' else 'rewrite'}",
                rep[f"{phase}_ms"], "ms/partition", None, "upsert (keyed)", ups[f"{phase}_ms"],
                note=f"{unit_rows:,} rows per partition; ratio < 1: replace is faster",
            ))
        figures.append(Figure(
            BENCH, f"replace vs upsert, {shape}, file bytes", rep["bytes"] / 1e6, "MB", None,
            "upsert (keyed)", ups["bytes"] / 1e6, note="after the rewrite and a CHECKPOINT",
        ))
    print(f"\n(a) seed row-wise upsert      {a:>12,.0f} rows/s")
    print(f"(b) our writer, whole job     {b:>12,.0f} rows/s   b/a = {b / a:,.0f}  (target >= 500)"
          f"   b/c = {b / c:.2f}  (target >= 0.5)")
    print(f"(b') without the archive      {b2:>12,.0f} rows/s   b'/c = {b2 / c:.2f}")
    print(f"(r) replace statements alone {r:>12,.0f} rows/s   r/c = {r / c:.2f}")
    print(f"(c) keyless plain insert      {c:>12,.0f} rows/s")
    for shape, results in (("per date", per_date), ("per entity", per_entity)):
        rep, ups = results["replace (keyless)"], results["upsert (keyed)"]
        print(f"{shape:<10} replace: first {rep['first_ms']:7.1f} ms  rewrite {rep['rewrite_ms']:7.1f} ms  "
              f"{rep['bytes'] / 1e6:7.1f} MB | upsert: first {ups['first_ms']:7.1f} ms  "
              f"rewrite {ups['rewrite_ms']:7.1f} ms  {ups['bytes'] / 1e6:7.1f} MB")
    benchlib.report(BENCH, figures, args, extra={
        "machine": benchlib.machine(), "decision": {"per_date": per_date, "per_entity": per_entity},
        "archive": b_detail,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
