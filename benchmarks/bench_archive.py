"""The raw archive's format, measured: `.json.zst` (what warehouse/archive.py writes) vs
Parquet with zstd, one row per item, on realistic pages.

The pages are real responses: `TushareSource.fetch` against the project's simulator
(its own process, over HTTP) for `daily` on a day of a 5,600-stock market (about 5,000
rows, one page) and `income` of --stocks stocks (about 80 statements each since 2005,
revisions included), exactly the token-free `{"params", "fields", "items"}` pages the
fetching thread hands to `Archive.store`.

For each page set, the median over --rounds of:

- json.zst: `archive.encode` (compact JSON, zstd level 1 through Arrow's codec), what the
  archive stores today; decode is `archive.decode`;
- parquet: the items as an Arrow table (one column per field, types inferred from the
  cells, a column of mixed types kept as text; the page's params and fields in the
  schema's metadata) written with zstd into memory; decode reads it back to pages;
- store: the whole `Archive.store` of the json.zst form (encode, sha256, write, fsync of
  the file and its folders), each round into a new folder (a response archived already
  is only touched), to show what the encoding is of the fetching thread's cost.

Reported: bytes and encode time of Parquet as a ratio of json.zst's (the issue's
"your measured choice"), the compression against the JSON text, and the store's split.
Printed, never asserted.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa
import pyarrow.parquet as pq

import benchlib
from benchlib import Figure, log
from sim_process import SimulatorProcess

BENCH = "archive"
DAY = "2025-06-03"


# --- the two encodings -----------------------------------------------------------------


def json_zst(pages: list[dict]) -> bytes:
    from twilight_assets.warehouse.archive import encode

    return encode(pages)


def json_zst_decode(data: bytes) -> list[dict]:
    from twilight_assets.warehouse.archive import decode

    return decode(data)


def _column(values: list[Any]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # loosely typed cells: keep them as text
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def parquet_zst(pages: list[dict]) -> bytes:
    """One row per item, a column per field, every page in one file (a `_page` column
    says which); params and fields of each page in the schema's metadata."""
    fields = pages[0]["fields"]
    items = [item for page in pages for item in page["items"]]
    page_of = [i for i, page in enumerate(pages) for _ in page["items"]]
    if any(page["fields"] != fields for page in pages):
        raise ValueError("pages with different fields need a file each")
    columns = [_column(list(col)) for col in zip(*items)] if items else [pa.array([], pa.null())] * len(fields)
    table = pa.Table.from_arrays([pa.array(page_of, pa.int32()), *columns], names=["_page", *fields])
    meta = {b"twilight.pages": json.dumps([{"params": p["params"], "fields": p["fields"]} for p in pages]).encode()}
    table = table.replace_schema_metadata(meta)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def parquet_zst_decode(data: bytes) -> list[dict]:
    table = pq.read_table(io.BytesIO(data))
    pages = json.loads(table.schema.metadata[b"twilight.pages"])
    fields = pages[0]["fields"]
    for page in pages:
        page["items"] = []
    columns = [table.column(name).to_pylist() for name in ["_page", *fields]]
    for row in zip(*columns):
        pages[row[0]]["items"].append(list(row[1:]))
    return pages


def median_s(fn: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    seconds, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


# --- the pages -------------------------------------------------------------------------


def fetch_pages(stocks: int, market: int) -> dict[str, list[list[dict]]]:
    """Real responses from the simulator: one day of daily, and income of `stocks` stocks."""
    from twilight_assets.sources.tushare import RateLimiter, TushareSource
    from twilight_assets.specs import get_spec

    with SimulatorProcess(n_stocks=market, start=dt.date(2005, 1, 4), as_of=dt.date(2025, 12, 31)) as sim:
        source = TushareSource(sim.token, sim.url, source_name="simulator", rate_limiter=RateLimiter({}))
        daily = source.fetch(get_spec("daily"), DAY)
        codes = [item[0] for item in daily.pages[0]["items"][:: max(1, daily.row_count // stocks)]][:stocks]
        income = [source.fetch(get_spec("income"), code) for code in codes]
    return {"daily": [daily.pages], "income": [r.pages for r in income]}


def measure(name: str, responses: list[list[dict]], rounds: int, archive_root: Path) -> dict:
    from twilight_assets.warehouse.archive import Archive
    from twilight_assets.warehouse.values import to_json

    totals: dict[str, float] = {}

    def add(key: str, value: float) -> None:
        totals[key] = totals.get(key, 0.0) + value

    for pages in responses:
        s, text = median_s(lambda: to_json(pages).encode(), rounds)
        add("json_text_s", s)
        add("json_bytes", len(text))
        s, data = median_s(lambda: json_zst(pages), rounds)
        add("json_zst_encode_s", s)
        add("json_zst_bytes", len(data))
        s, back = median_s(lambda: json_zst_decode(data), rounds)
        add("json_zst_decode_s", s)
        assert back == json.loads(text), "json.zst did not round-trip"
        s, data = median_s(lambda: parquet_zst(pages), rounds)
        add("parquet_encode_s", s)
        add("parquet_bytes", len(data))
        s, back = median_s(lambda: parquet_zst_decode(data), rounds)
        add("parquet_decode_s", s)
        assert [p["items"] for p in back] == [p["items"] for p in json.loads(text)], "parquet did not round-trip"
        # The fetching thread's whole cost: the first store of a response (a store of one
        # already archived only touches it), so each round stores into a new folder.
        stores = iter(range(rounds))
        s, _ = median_s(lambda: Archive(archive_root / name / str(next(stores))).store(name, pages), rounds)
        add("store_s", s)
    totals["responses"] = len(responses)
    totals["rows"] = sum(len(p["items"]) for pages in responses for p in pages)
    return totals


def main(argv: list[str] | None = None) -> int:
    def extra(parser) -> None:
        parser.add_argument("--stocks", type=int, default=None, help="income responses (default 50, full 200)")
        parser.add_argument("--market", type=int, default=5600, help="stocks the simulator serves (default 5,600)")
        parser.add_argument("--rounds", type=int, default=None, help="timings per encoding (default 5, full 9)")

    args = benchlib.parse_args(__doc__.splitlines()[0], argv, extra)
    stocks = args.stocks or (200 if args.full else 50)
    rounds = args.rounds or (9 if args.full else 5)
    log(f"fetching daily {DAY} of a {args.market:,}-stock market and income of {stocks} stocks from the simulator")
    samples = fetch_pages(stocks, args.market)
    results = {}
    with benchlib.workdir(args, BENCH) as work:
        for name, responses in samples.items():
            results[name] = measure(name, responses, rounds, work / "archive")
            r = results[name]
            log(f"{name}: {int(r['responses'])} responses, {int(r['rows']):,} rows: JSON {r['json_bytes'] / 1e3:,.0f} KB, "
                f"json.zst {r['json_zst_bytes'] / 1e3:,.0f} KB in {r['json_zst_encode_s'] * 1000:.1f} ms, "
                f"parquet {r['parquet_bytes'] / 1e3:,.0f} KB in {r['parquet_encode_s'] * 1000:.1f} ms; "
                f"store {r['store_s'] * 1000:.1f} ms")

    figures = []
    for name, r in results.items():
        what = (f"1 response, {int(r['rows']):,} rows" if r["responses"] == 1
                else f"{int(r['responses'])} responses, {int(r['rows']):,} rows")
        figures += [
            Figure(BENCH, f"{name}: parquet bytes vs json.zst", r["parquet_bytes"] / 1e3, "KB", None,
                   "json.zst", r["json_zst_bytes"] / 1e3, note=what),
            Figure(BENCH, f"{name}: parquet encode vs json.zst", r["parquet_encode_s"] * 1000, "ms", None,
                   "json.zst", r["json_zst_encode_s"] * 1000, note=f"median of {rounds}, summed over responses"),
            Figure(BENCH, f"{name}: parquet decode vs json.zst", r["parquet_decode_s"] * 1000, "ms", None,
                   "json.zst", r["json_zst_decode_s"] * 1000, note="back to pages"),
            Figure(BENCH, f"{name}: json.zst bytes vs the JSON text", r["json_zst_bytes"] / 1e3, "KB", None,
                   "JSON text", r["json_bytes"] / 1e3, note="zstd level 1"),
            Figure(BENCH, f"{name}: JSON text alone vs json.zst encode", r["json_text_s"] * 1000, "ms", None,
                   "json.zst encode", r["json_zst_encode_s"] * 1000, note="to_json before zstd"),
            Figure(BENCH, f"{name}: json.zst encode vs Archive.store", r["json_zst_encode_s"] * 1000, "ms", None,
                   "Archive.store", r["store_s"] * 1000,
                   note="the rest of the store: sha256, write, fsync of file and folder"),
        ]
    benchlib.report(BENCH, figures, args, extra={"results": results, "rounds": rounds, "day": DAY})
    return 0


if __name__ == "__main__":
    sys.exit(main())
