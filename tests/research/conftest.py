"""A warehouse with years of statements and their restatements, ex-dividend days, listings
and delistings, and monthly index weights, built once through the real path (the
simulator over HTTP, TushareSource, ingest, WarehouseWriter), then published: the
research reads are tested on the snapshot, as a researcher reads it."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest
import tushare.pro.client

from tests.conftest import make_data_api
from tushare_sim import SimulatorConfig, SimulatorServer
from tushare_sim.calendar import is_open
from twilight_assets.ingest import ingest_partitions
from twilight_assets.sources.tushare import RateLimiter, TushareSource
from twilight_assets.specs import REGISTRY, Family
from twilight_assets.warehouse.backend import open_backend
from twilight_assets.warehouse.reader import WarehouseReader
from twilight_assets.warehouse.snapshots import publish_snapshot
from twilight_assets.warehouse.writer import WarehouseWriter

CONFIG = SimulatorConfig(seed=19, n_stocks=30, n_indexes=3, start=dt.date(2021, 1, 4), as_of=dt.date(2024, 6, 28))
DAILY_FROM = dt.date(2023, 7, 3)
FINANCIAL = tuple(s.api_name for s in REGISTRY.values() if s.family is Family.FINANCIAL)


@dataclass(frozen=True)
class Research:
    server: SimulatorServer
    warehouse: Path
    snapshot_dir: Path

    def reader(self) -> WarehouseReader:
        return WarehouseReader(self.snapshot_dir, backend=open_backend(str(self.warehouse)))

    def sdk(self) -> tushare.pro.client.DataApi:
        return make_data_api(self.server)


def open_days(first: dt.date, last: dt.date) -> list[str]:
    days = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return [d.isoformat() for d in days if is_open(d)]


@pytest.fixture(scope="session")
def research_server() -> Iterator[SimulatorServer]:
    with SimulatorServer(CONFIG) as server:
        yield server


@pytest.fixture(scope="session")
def research(tmp_path_factory: pytest.TempPathFactory, research_server: SimulatorServer) -> Research:
    root = tmp_path_factory.mktemp("research")
    source = TushareSource(research_server.token, research_server.url, source_name="simulator",
                           rate_limiter=RateLimiter({}), max_retries=2, backoff_base_s=0.01,
                           today=lambda: CONFIG.as_of)
    universe = research_server.universe
    plan: list[tuple[str, list[str | None]]] = [
        ("trade_cal", [str(y) for y in range(CONFIG.start.year, CONFIG.as_of.year + 1)]),
        ("stock_basic", [None]),
        ("index_basic", [None]),
        ("daily", open_days(DAILY_FROM, CONFIG.as_of)),
        ("adj_factor", open_days(DAILY_FROM, CONFIG.as_of)),
        ("index_weight", list(universe.indexes["ts_code"])),
        *((api, list(universe.codes)) for api in FINANCIAL),
    ]
    warehouse = root / "warehouse.duckdb"
    with WarehouseWriter(warehouse) as writer:
        for api, keys in plan:
            report = ingest_partitions(REGISTRY[api], keys, source=source,
                                       open_writer=lambda: nullcontext(writer), workers=4)
            assert not report.failures, f"{api}: {report.failures[:3]}"
        publish_snapshot(writer, root / "snapshots")
    return Research(research_server, warehouse, root / "snapshots")


def served(research: Research, api: str) -> pd.DataFrame:
    """Every row the source serves for `api`, for every stock, asked for through the SDK
    as a user would (the truth the point-in-time reads are held to)."""
    sdk = research.sdk()
    spec = REGISTRY[api]
    frames = [
        sdk.query(api, ts_code=code, start_date="19901219", end_date=CONFIG.as_of.strftime("%Y%m%d"),
                  fields=",".join(spec.field_names))
        for code in research.server.universe.codes
    ]
    out = pd.concat([f for f in frames if len(f)], ignore_index=True)
    for f in spec.fields:
        if f.type == "date":
            out[f.name] = pd.to_datetime(out[f.name], format="%Y%m%d").dt.date
    return out
