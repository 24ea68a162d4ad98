"""A warehouse of clean simulator data, built once per session through the real path:
the simulator over HTTP, TushareSource, ingest_partitions and WarehouseWriter into a
DuckDB file. Fault tests copy the file and ingest a faulty partition into the copy."""

from __future__ import annotations

import datetime as dt
import shutil
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from twilight_assets.freshness import PER_DATE_DUE, SHANGHAI
from twilight_assets.ingest import ingest_partitions
from tushare_sim.calendar import is_open
from tushare_sim.config import SimulatorConfig
from tushare_sim.server import SimulatorServer
from twilight_assets.sources.tushare import RateLimiter, TushareSource
from twilight_assets.specs import REGISTRY, EntityType, Grain
from twilight_assets.warehouse.writer import WarehouseWriter

AS_OF = dt.date(2024, 6, 28)  # a Friday: the simulator's last day with market data
START = dt.date(2023, 1, 3)
# Per-date datasets are loaded up to LAST_LOADED; the open days after it up to AS_OF are
# kept back so fault tests can add days (a hole, a closed day) after clean history.
N_SPARE_DAYS = 3


def open_days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in days if is_open(d)]


ALL_OPEN = open_days_between(dt.date(2024, 4, 22), AS_OF)
SPARE_DAYS = ALL_OPEN[-N_SPARE_DAYS:]
LOADED_DAYS = ALL_OPEN[:-N_SPARE_DAYS]
LAST_LOADED = LOADED_DAYS[-1]


def evening(day: dt.date) -> dt.datetime:
    """Half an hour after `day`'s per-date data is due: a day's data is judged by then."""
    return dt.datetime.combine(day, PER_DATE_DUE, tzinfo=SHANGHAI) + dt.timedelta(minutes=30)


# The clean warehouse is exactly fresh then.
NOW = evening(LAST_LOADED)


@dataclass
class Loader:
    """Fetches partitions from the simulator and writes them with a real writer."""

    server: SimulatorServer
    source: TushareSource

    def load(self, writer: WarehouseWriter, api_name: str, keys: list[str | None]):
        report = ingest_partitions(
            REGISTRY[api_name], keys, source=self.source,
            open_writer=lambda: nullcontext(writer), workers=4,
        )
        return report


@pytest.fixture(scope="session")
def sim_server() -> Iterator[SimulatorServer]:
    config = SimulatorConfig(seed=11, n_stocks=24, n_indexes=6, start=START, as_of=AS_OF)
    with SimulatorServer(config) as server:
        yield server


@pytest.fixture(scope="session")
def loader(sim_server) -> Loader:
    source = TushareSource(
        sim_server.token, sim_server.url, source_name="simulator",
        rate_limiter=RateLimiter({}), max_retries=2, backoff_base_s=0.01,
        throttle_wait_s=0.1, today=lambda: AS_OF,
    )
    return Loader(sim_server, source)


def entity_keys(sim_server: SimulatorServer, api_name: str) -> list[str]:
    spec = REGISTRY[api_name]
    if spec.entity_type is EntityType.INDEX:
        return list(sim_server.universe.indexes["ts_code"])
    return list(sim_server.universe.codes)


def load_clean(loader: Loader, writer: WarehouseWriter) -> None:
    server = loader.server
    loader.load(writer, "trade_cal", ["2023", "2024"])
    for api in ("stock_basic", "index_basic"):
        loader.load(writer, api, [None])
    days = [d.isoformat() for d in LOADED_DAYS]
    for api, spec in REGISTRY.items():
        if spec.grain is Grain.PER_DATE:
            report = loader.load(writer, api, days)
        elif spec.grain is Grain.PER_ENTITY:
            report = loader.load(writer, api, entity_keys(server, api))
        else:
            continue
        assert not report.failures, f"{api}: {report.failures[:3]}"


@pytest.fixture(scope="session")
def clean_warehouse(tmp_path_factory, loader) -> Path:
    path = tmp_path_factory.mktemp("clean") / "warehouse.duckdb"
    with WarehouseWriter(path) as writer:
        load_clean(loader, writer)
    return path


@pytest.fixture
def warehouse_copy(tmp_path, clean_warehouse) -> Path:
    """A private copy of the clean warehouse (closed, so a plain copy is safe)."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(clean_warehouse, path)
    return path


@contextmanager
def faulty(server: SimulatorServer, kind: str, **kwargs) -> Iterator[None]:
    """A data fault that fires once while the block runs."""
    fault = server.add_fault(kind, times=1, **kwargs)
    try:
        yield
    finally:
        server.simulator.faults.clear()
    assert fault.applied == 1, f"the {kind} fault never fired"


def insert_past_the_writer(writer: WarehouseWriter, api_name: str, frame, *, source: str = "simulator") -> int:
    """Put rows into a table by plain SQL, the way a script or an older warehouse could:
    the writer refuses rows outside their partition, and the checks are the backstop for
    every other way in."""
    spec = REGISTRY[api_name]
    cols = ", ".join(f'"{f.name}"' for f in spec.fields)
    casts = ", ".join(f'CAST(b."{f.name}" AS {f.sql_type})' for f in spec.fields)
    with writer.quiesced() as conn:
        conn.register("_past_the_writer", frame)
        conn.execute(
            f"INSERT INTO {spec.table} ({cols}, source, ingested_at, raw_id) "
            f"SELECT {casts}, ?, now(), NULL FROM _past_the_writer AS b", [source]
        ).fetchall()
        conn.unregister("_past_the_writer")
    return len(frame)
