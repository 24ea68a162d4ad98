"""A new user's first day against a Tushare-protocol server that is not our simulator and
serves only the classic fields (tests/sources/classic_server.py), through the Dagster CLI:
`dagster asset materialize` in subprocesses, on a DAGSTER_HOME of their own, with
TUSHARE_TOKEN set and TUSHARE_HTTP_URL pointed at that server, as a user with an older
account would run it.

stock_basic, trade_cal 2024 and October 2024's daily land with every open day complete;
each partition's materialization says which documented fields the source did not serve;
the schema drift check warns about stock_basic's (cnspell, act_name, ...), and says
nothing of daily's after-hours fields (ah_vol, ah_amount) for days before Tushare serves
them (2026-07-06)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from tests.dagster.test_cli import materialize, new_home, output
from tests.sources.classic_server import TOKEN, ClassicServer
from tests.sources.test_classic_server import LISTED, OPEN, STOCK_BASIC_NOT_SERVED, WEEKDAY_HOLIDAYS, WEEKDAYS, read
from twilight_assets.specs import get_spec

AFTER_HOURS = ("ah_vol", "ah_amount")
MONTH = f"{WEEKDAYS[0]}...{WEEKDAYS[-1]}"


@dataclass(frozen=True)
class Landed:
    env: dict[str, str]
    warehouse: Path
    logs: dict[str, str]
    """Each CLI run's output, by asset."""


@pytest.fixture(scope="module")
def landed(classic: ClassicServer, tmp_path_factory) -> Landed:
    work = tmp_path_factory.mktemp("classic-cli")
    warehouse = work / "data" / "warehouse.duckdb"
    env = {
        "DAGSTER_HOME": new_home(work, "dagster_home"),
        "TWILIGHT_WAREHOUSE": str(warehouse),
        "TWILIGHT_SNAPSHOT_DIR": str(work / "data" / "snapshots"),
        "TUSHARE_TOKEN": TOKEN,
        "TUSHARE_HTTP_URL": classic.url,
    }
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]):
        pass  # create the instance's storage once, before any CLI run
    logs = {}
    for asset, partition in (("stock_basic", ()), ("trade_cal", ("--partition", "2024")),
                             ("daily", ("--partition-range", MONTH))):
        proc = materialize(env, "--select", asset, *partition)
        logs[asset] = output(proc)
        assert proc.returncode == 0, f"{asset}:\n{logs[asset][-4000:]}"
    return Landed(env, warehouse, logs)


@pytest.fixture(scope="module")
def instance(landed: Landed):
    with dg.DagsterInstance.from_config(landed.env["DAGSTER_HOME"]) as inst:
        yield inst


def materializations(instance, asset: str) -> dict[str | None, dg.AssetMaterialization]:
    """The latest materialization of each partition of `asset`."""
    records = instance.fetch_materializations(dg.AssetKey(asset), limit=1000, ascending=True).records
    return {r.partition_key: r.asset_materialization for r in records}


def check_evaluations(instance, asset: str) -> dict[str, object]:
    """The latest evaluation of each check on `asset` (AssetCheckEvaluation by check name)."""
    latest = {}
    for run in reversed(instance.get_runs()):
        for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
            evaluation = entry.dagster_event.event_specific_data
            if evaluation.asset_key == dg.AssetKey(asset):
                latest[evaluation.check_name] = evaluation
    return latest


def test_every_open_day_lands_complete_and_labelled_tushare(landed):
    path = landed.warehouse
    per_day = dict(read(path, "SELECT strftime(trade_date, '%Y-%m-%d'), count(*) FROM normalized_daily "
                              "WHERE source = 'tushare' GROUP BY 1"))
    assert per_day == {d: len(LISTED) for d in OPEN}
    ledger = dict(read(path, "SELECT partition_key, status FROM ingest_progress WHERE api_name = 'daily'"))
    assert ledger == {**{d: "done" for d in OPEN}, **{d: "market_closed" for d in WEEKDAY_HOLIDAYS}}
    assert read(path, "SELECT count(*), count(DISTINCT source) FROM normalized_stock_basic") == [(6, 1)]
    assert read(path, "SELECT count(*) FROM normalized_trade_cal WHERE exchange = 'SSE'") == [(61,)]
    progress = re.findall(r"daily: (\d+) written, (\d+) failed of (\d+) partitions", landed.logs["daily"])
    assert progress and progress[-1][1:] == ("0", str(len(WEEKDAYS))), progress


def test_each_partition_materialization_lists_its_absent_fields(landed, instance):
    (stocks,) = materializations(instance, "stock_basic").values()
    assert stocks.metadata["absent_fields"].value == list(STOCK_BASIC_NOT_SERVED)
    assert stocks.metadata["source"].value == "tushare"
    calendar = materializations(instance, "trade_cal")
    assert list(calendar) == ["2024"] and calendar["2024"].metadata["absent_fields"].value == []
    daily = materializations(instance, "daily")
    assert sorted(daily) == WEEKDAYS
    for day in OPEN:
        meta = daily[day].metadata
        assert meta["absent_fields"].value == list(AFTER_HOURS), day
        assert (meta["status"].value, meta["dagster/row_count"].value) == ("done", len(LISTED)), day
    for day in WEEKDAY_HOLIDAYS:  # nothing was served, so nothing was absent
        assert daily[day].metadata["status"].value == "market_closed"
        assert daily[day].metadata["absent_fields"].value == []


def test_the_drift_check_warns_naming_what_stock_basic_did_not_serve(instance):
    schema = check_evaluations(instance, "stock_basic")["schema_stock_basic"]
    assert not schema.passed and schema.severity is dg.AssetCheckSeverity.WARN and not schema.blocking
    assert schema.metadata["failed_rows"].value == len(STOCK_BASIC_NOT_SERVED)
    named = {s["column_name"]: s["problem"] for s in schema.metadata["samples"].value}
    assert set(named) < set(STOCK_BASIC_NOT_SERVED) and "cnspell" in named and "act_name" in named
    assert all("documented, not served" in p and "written as NULL" in p for p in named.values())
    for field in ("cnspell", "act_name", "act_ent_type"):
        assert field in schema.description


def test_the_drift_check_says_nothing_of_after_hours_fields_before_they_are_served(instance):
    assert min(get_spec("daily").served_from[f] for f in AFTER_HOURS).isoformat() == "2026-07-06" > WEEKDAYS[-1]
    schema = check_evaluations(instance, "daily")["schema_daily"]
    assert schema.passed, schema.description
    text = f"{schema.description} {schema.metadata}"
    assert not any(field in text for field in AFTER_HOURS), text


def test_the_token_stays_out_of_the_dagster_instance(landed):
    home = Path(landed.env["DAGSTER_HOME"])
    stored = [p for p in home.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]
    assert not stored, stored
