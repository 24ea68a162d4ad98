"""The Dagster side of the checks, on a tiny partitioned asset over a real warehouse:
results reach the UI's events and quality_log, a run's partitions scope the checks, a
blocking failure stops downstream assets, and the sweep job judges whole tables."""

from __future__ import annotations

import duckdb
import dagster as dg
import pytest

from twilight_assets.checks import definitions as d
from twilight_assets.checks.definitions import checks_for
from twilight_assets.checks.factories import (
    ALL_CHECKS,
    build_asset_checks,
    freshness_policy_for,
    quality_sweep_job,
    quality_sweep_schedule,
)
from twilight_assets.checks.runner import evaluate
from twilight_assets.resources import WarehouseResource
from twilight_assets.specs import REGISTRY, Grain
from twilight_assets.warehouse.writer import WarehouseWriter

from .conftest import LOADED_DAYS, faulty

days = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_offset=1)


@dg.asset(key="daily", partitions_def=days, backfill_policy=dg.BackfillPolicy.single_run())
def daily_stand_in() -> dg.MaterializeResult:
    """Stands in for the real daily asset: its rows are already in the warehouse."""
    return dg.MaterializeResult()


@dg.asset(partitions_def=days, deps=["daily"], backfill_policy=dg.BackfillPolicy.single_run())
def published() -> dg.MaterializeResult:
    return dg.MaterializeResult()


DAILY_CHECKS = build_asset_checks(checks_for("daily"))


def _resources(path):
    return {"warehouse": WarehouseResource(warehouse=str(path), snapshot_dir=str(path.parent / "snaps"))}


def _quality_log(path, run_id: str):
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(
            "SELECT check_name, \"partition\", severity, passed, failed_rows, samples, message "
            "FROM quality_log WHERE run_id = ? ORDER BY check_name", [run_id]
        ).df()


def _evaluations(result) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_one_step_per_asset_and_every_check_registered():
    assert len(ALL_CHECKS) == len({c.asset for c in d.CHECK_SPECS})
    keys = {key.name for defn in ALL_CHECKS for key in defn.check_keys}
    assert keys == set(d.CHECK_REGISTRY)
    blocking = {s.name for defn in ALL_CHECKS for s in defn.check_specs if s.blocking}
    assert blocking == {c.name for c in d.CHECK_SPECS if c.blocking}
    assert "ohlc_daily" in blocking and d.VWAP_DAILY not in blocking


def test_partition_run_scopes_checks_and_logs_results(warehouse_copy):
    day = LOADED_DAYS[-1].isoformat()
    result = dg.materialize(
        [daily_stand_in, published, *DAILY_CHECKS], partition_key=day,
        resources=_resources(warehouse_copy),
    )
    assert result.success
    evaluations = _evaluations(result)
    assert set(evaluations) == {c.name for c in checks_for("daily")}
    # Clean data passes all but freshness, judged against the real clock (WARN: the run
    # still succeeds).
    assert {n for n, e in evaluations.items() if not e.passed} == {"fresh_daily"}
    ohlc = evaluations["ohlc_daily"]
    assert ohlc.metadata["scope"].value == day
    assert ohlc.metadata["failed_rows"].value == 0
    logged = _quality_log(warehouse_copy, result.run_id)
    assert len(logged) == len(evaluations)
    scoped = logged[logged.check_name == "ohlc_daily"].iloc[0]
    assert scoped["partition"] == day and bool(scoped["passed"])
    # Checks that ignore scope (freshness) judge the whole table.
    assert logged[logged.check_name == "fresh_daily"]["partition"].isna().all()


def test_single_run_range_is_a_range(warehouse_copy):
    first, last = LOADED_DAYS[-5].isoformat(), LOADED_DAYS[-1].isoformat()
    result = dg.materialize(
        [daily_stand_in, *DAILY_CHECKS], selection=["daily"],
        tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last},
        resources=_resources(warehouse_copy),
    )
    assert result.success
    logged = _quality_log(warehouse_copy, result.run_id)
    assert set(logged[logged.check_name == "ohlc_daily"]["partition"]) == {f"{first}..{last}"}


def test_blocking_failure_stops_downstream(loader, warehouse_copy):
    day = LOADED_DAYS[-2]
    with faulty(loader.server, "ohlc_violation", api_name="daily",
                match={"trade_date": day.strftime("%Y%m%d")}):
        with WarehouseWriter(warehouse_copy) as writer:
            loader.load(writer, "daily", [day.isoformat()])
    bad = loader.server.fault_log[-1]["rows"][0]["ts_code"]
    result = dg.materialize(
        [daily_stand_in, published, *DAILY_CHECKS], partition_key=day.isoformat(),
        resources=_resources(warehouse_copy), raise_on_error=False,
    )
    assert not result.success
    ohlc = _evaluations(result)["ohlc_daily"]
    assert not ohlc.passed and ohlc.severity is dg.AssetCheckSeverity.ERROR
    assert f"{bad} {day.isoformat()}" in ohlc.description
    assert ohlc.metadata["samples"].value[0]["ts_code"] == bad
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()
                    for m in [m.materialization]}
    assert "daily" in materialized and "published" not in materialized
    logged = _quality_log(warehouse_copy, result.run_id)
    row = logged[logged.check_name == "ohlc_daily"].iloc[0]
    assert not row["passed"] and row["failed_rows"] == 1 and bad in row["samples"]


def test_sweep_job_judges_whole_tables(warehouse_copy):
    specs = [dg.AssetSpec(name) for name in REGISTRY]
    defs = dg.Definitions(
        assets=specs, asset_checks=ALL_CHECKS, jobs=[quality_sweep_job],
        schedules=[quality_sweep_schedule], resources=_resources(warehouse_copy),
    )
    result = defs.resolve_job_def("quality_sweep").execute_in_process(raise_on_error=False)
    evaluations = _evaluations(result)
    assert set(evaluations) == set(d.CHECK_REGISTRY)
    # The clean data passes everything but freshness: the sweep runs "now", long after
    # the simulator's last day. WARN checks never fail a run.
    failed = {name for name, e in evaluations.items() if not e.passed}
    assert failed == {"fresh_daily", "fresh_daily_basic", "fresh_adj_factor", d.HORIZON_TRADE_CAL}
    assert all(evaluations[n].severity is dg.AssetCheckSeverity.WARN for n in failed)
    assert result.success
    logged = _quality_log(warehouse_copy, result.run_id)
    assert len(logged) == len(d.CHECK_REGISTRY) and logged["partition"].isna().all()
    assert quality_sweep_schedule.default_status is dg.DefaultScheduleStatus.STOPPED


def test_freshness_policies_cover_every_dataset():
    policies = {name: freshness_policy_for(spec) for name, spec in REGISTRY.items()}
    assert set(policies) == set(REGISTRY)
    for name, policy in policies.items():
        if REGISTRY[name].grain is Grain.PER_DATE:
            assert isinstance(policy, dg.FreshnessPolicy) and policy.timezone == "Asia/Shanghai"
    spec = dg.apply_freshness_policy(dg.AssetSpec("daily"), policies["daily"])
    assert spec.freshness_policy == policies["daily"]


@pytest.mark.parametrize("check", [c for c in d.CHECK_SPECS if c.blocking], ids=lambda c: c.name)
def test_only_error_checks_block(check):
    assert check.severity is d.Severity.ERROR


stocks = dg.DynamicPartitionsDefinition(name="stocks")


@dg.asset(key="weekly", partitions_def=stocks)
def weekly_stand_in() -> dg.MaterializeResult:
    return dg.MaterializeResult()


def test_dynamic_partition_range_lists_its_stocks(loader, warehouse_copy, sim_server):
    codes = sorted(sim_server.universe.codes)
    # Dynamic partitions keep the order they were added in, not the codes' order: the
    # range from the 3rd to the 5th added is those three stocks, whatever they sort as.
    added = [codes[3], codes[0], codes[2], codes[1], codes[4]]
    # codes[3] sorts inside the range's codes but is not in it: its bad bar must not count.
    with faulty(loader.server, "ohlc_violation", api_name="weekly", match={"ts_code": codes[3]}):
        with WarehouseWriter(warehouse_copy) as writer:
            loader.load(writer, "weekly", [codes[3]])
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("stocks", added)
        result = dg.materialize(
            [weekly_stand_in, *build_asset_checks(checks_for("weekly"))],
            tags={"dagster/asset_partition_range_start": added[2],
                  "dagster/asset_partition_range_end": added[4]},
            resources=_resources(warehouse_copy), instance=instance,
        )
    assert result.success
    judged = sorted(added[2:5])
    logged = _quality_log(warehouse_copy, result.run_id)
    assert set(logged[logged.check_name == "ohlc_weekly"]["partition"]) == {f"{judged[0]}..{judged[-1]}"}
    assert _evaluations(result)["ohlc_weekly"].passed
    with duckdb.connect(str(warehouse_copy), read_only=True) as conn:
        sweep = evaluate(conn, d.CHECK_REGISTRY["ohlc_weekly"], None)
    assert not sweep.passed and codes[3] in sweep.message
    agrees = _evaluations(result)["agrees_with_daily_weekly"]
    assert agrees.passed and agrees.metadata["scope"].value == f"{judged[0]}..{judged[-1]}"
