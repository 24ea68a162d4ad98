"""A source that serves only what each spec requires (the simulator's essential_only
fault) still fills a warehouse: through TushareSource, ingest_partitions and a real
WarehouseWriter on a DuckDB file, every partition is done, every optional column is NULL
and the outcomes list the absent fields. A required field missing fails its partition,
and nothing of it is written."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import SIMULATOR_CONFIG
from twilight_assets.ingest import ingest_partitions
from twilight_assets.sources.tushare import RateLimiter, TushareSource
from twilight_assets.specs import get_spec
from twilight_assets.warehouse.writer import WarehouseWriter

DAYS = ["2024-06-24", "2024-06-25", "2024-06-26"]
INDEX = "000300.SH"
# (api, partition keys): the calendar first, so the per-date ingest can tell open days.
PLAN = (
    ("trade_cal", ["2024"]),
    ("stock_basic", [None]),
    ("daily", DAYS),
    ("daily_basic", DAYS),
    ("income", ["000001.SZ", "600000.SH"]),
    ("index_dailybasic", [INDEX]),
    ("forecast", None),  # every stock: forecasts are sparse
)


def make_source(simulator) -> TushareSource:
    return TushareSource(simulator.token, simulator.url, source_name="simulator",
                         rate_limiter=RateLimiter(), max_retries=1, today=lambda: SIMULATOR_CONFIG.as_of)


@pytest.fixture(scope="module")
def loaded(simulator, tmp_path_factory):
    path = tmp_path_factory.mktemp("essential") / "warehouse.duckdb"
    source = make_source(simulator)
    faults = [simulator.add_fault("essential_only", api_name=api) for api, _ in PLAN]
    reports = {}
    try:
        for api, keys in PLAN:
            keys = list(simulator.universe.codes) if keys is None else keys
            reports[api] = ingest_partitions(get_spec(api), keys, source=source,
                                             open_writer=lambda: WarehouseWriter(path), workers=2)
    finally:
        simulator.clear_faults()
    assert all(f.applied > 0 for f in faults)
    return path, reports


@pytest.mark.parametrize("api", [api for api, _ in PLAN])
def test_every_partition_is_done_with_its_optional_fields_listed_absent(loaded, api):
    _, reports = loaded
    spec = get_spec(api)
    outcomes = reports[api].outcomes
    assert outcomes and {o.status for o in outcomes} == {"done"}, [o.error for o in outcomes]
    with_rows = [o for o in outcomes if o.rows_received]
    assert with_rows and {o.absent_fields for o in with_rows} == {spec.optional_fields}


@pytest.mark.parametrize("api", [api for api, _ in PLAN])
def test_optional_columns_are_null_and_required_ones_hold_the_data(loaded, api):
    path, reports = loaded
    spec = get_spec(api)
    optional = ", ".join(f"count({f})" for f in spec.optional_fields)
    keys = ", ".join(f"count({f})" for f in spec.key_fields)
    with duckdb.connect(str(path), read_only=True) as conn:
        total, *counts = conn.execute(f"SELECT count(*), {keys}, {optional} FROM {spec.table}").fetchall()[0]
    written = sum(o.rows_written for o in reports[api].outcomes)
    assert total == written > 0
    assert counts[: len(spec.key_fields)] == [total] * len(spec.key_fields)
    assert counts[len(spec.key_fields):] == [0] * len(spec.optional_fields)


def test_a_missing_required_field_fails_its_partition_and_writes_nothing_of_it(simulator, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    source = make_source(simulator)
    ingest_partitions(get_spec("trade_cal"), ["2024"], source=source, open_writer=lambda: WarehouseWriter(path))
    simulator.add_fault("missing_field", api_name="daily", field="close", match={"trade_date": "20240625"})
    report = ingest_partitions(get_spec("daily"), DAYS, source=source, open_writer=lambda: WarehouseWriter(path))
    status = {o.partition_key: o for o in report.outcomes}
    assert [status[d].status for d in DAYS] == ["done", "failed", "done"]
    error = status["2024-06-25"].error
    assert "field(s) close missing" in error and "required" in error
    assert "dataset daily" in error and "2024-06-25" in error
    with duckdb.connect(str(path), read_only=True) as conn:
        days = conn.execute("SELECT DISTINCT strftime(trade_date, '%Y-%m-%d') FROM normalized_daily ORDER BY 1").fetchall()
    assert days == [("2024-06-24",), ("2024-06-26",)]
