"""Fixtures for the warehouse tests: real DuckDB files under tmp_path, and small frames
built from the registry's specs (so every column and type is the spec's own)."""

from __future__ import annotations

import datetime as dt
import queue
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest

from twilight_assets import config
from twilight_assets.specs import REGISTRY, DatasetSpec
from twilight_assets.warehouse.archive import Archive
from twilight_assets.warehouse.backend import Backend
from twilight_assets.warehouse.raw import RawResponse
from twilight_assets.warehouse.writer import WarehouseWriter

SEED_LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS backfill_progress (
api_name VARCHAR NOT NULL,
trade_date DATE NOT NULL,
status VARCHAR NOT NULL,
raw_id BIGINT,
attempts INTEGER NOT NULL DEFAULT 0,
last_error VARCHAR,
updated_at TIMESTAMP NOT NULL,
PRIMARY KEY (api_name, trade_date)
);
"""
"""The seed's ledger DDL, verbatim from its Task 0 notes (A0.7)."""


@pytest.fixture
def writer(backend: Backend) -> Iterator[WarehouseWriter]:
    with WarehouseWriter(backend) as w:
        yield w


@pytest.fixture
def file_writer(warehouse_path: Path) -> Iterator[WarehouseWriter]:
    """A writer on a warehouse file, for what only that backend does (copies as snapshots)."""
    with WarehouseWriter(warehouse_path) as w:
        yield w


def make_frame(spec: DatasetSpec, rows: list[dict]) -> pd.DataFrame:
    """A frame with exactly spec.field_names, typed as the writer's contract says:
    str -> object, date -> datetime64, float -> float64, int -> Int64. Unset fields are null."""
    data = {}
    for f in spec.fields:
        values = [row.get(f.name) for row in rows]
        if f.type == "date":
            data[f.name] = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")
        elif f.type == "float":
            data[f.name] = pd.Series(values, dtype="float64")
        elif f.type == "int":
            data[f.name] = pd.Series(values, dtype="Int64")
        else:
            data[f.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=list(spec.field_names))


def wire_items(frame: pd.DataFrame) -> list[list]:
    """A typed frame's rows as Tushare sends them (dates YYYYMMDD, nulls None)."""
    items = frame.astype(object).where(frame.notna(), None).values.tolist()
    return [[v.strftime("%Y%m%d") if isinstance(v, pd.Timestamp) else v for v in row] for row in items]


def make_raw(
    spec: DatasetSpec,
    partition_key: str | None,
    frame: pd.DataFrame,
    *,
    source: str = "simulator",
    params: list[dict] | None = None,
    archive: Archive | None = None,
) -> RawResponse:
    """The raw response a fetch of `frame` would hand the writer, its pages archived in
    TWILIGHT_ARCHIVE (the session's, see tests/conftest.py) as the fetching thread does."""
    params = params if params is not None else spec.request_params(partition_key, today=dt.date(2024, 12, 31))
    pages = [{"params": p, "fields": list(spec.field_names), "items": wire_items(frame)} for p in params[:1]]
    archive = archive or Archive(config.archive_root())
    return RawResponse(
        api_name=spec.api_name,
        partition_key=partition_key,
        source=source,
        request_params=params,
        fields=list(spec.field_names),
        row_count=len(frame),
        pages=len(pages),
        fetched_at=dt.datetime(2024, 1, 2, 9, 0, tzinfo=dt.UTC),
        archive=archive.store(spec.api_name, pages),
    )


def daily_rows(day: str, codes: list[str], *, close: float = 10.0) -> list[dict]:
    return [
        {"ts_code": c, "trade_date": day, "open": close - 0.5, "high": close + 1, "low": close - 1,
         "close": close + i / 100, "pre_close": close - 0.2, "change": 0.2, "pct_chg": 2.0,
         "vol": 1000.0 + i, "amount": 5000.0 + i}
        for i, c in enumerate(codes)
    ]


def codes(n: int) -> list[str]:
    return [f"{600000 + i:06d}.SH" for i in range(n)]


def write_daily(writer: WarehouseWriter, day: str, n: int = 5, *, close: float = 10.0):
    spec = REGISTRY["daily"]
    frame = make_frame(spec, daily_rows(day, codes(n), close=close))
    return writer.write_partition(spec, day, frame, make_raw(spec, day, frame))


def income_row(code: str, end_date: str, *, update_flag: str, f_ann_date: str, revenue: float,
               report_type: str = "1", ann_date: str | None = None) -> dict:
    return {"ts_code": code, "ann_date": ann_date or f_ann_date, "f_ann_date": f_ann_date,
            "end_date": end_date, "report_type": report_type, "comp_type": "1",
            "revenue": revenue, "total_revenue": revenue, "update_flag": update_flag}


def stdout_lines(proc: subprocess.Popen) -> queue.Queue:
    """A child's stdout, line by line, as it comes (None once it closes)."""
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            lines.put(line.strip())
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines
