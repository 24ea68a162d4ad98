"""Blocking checks gate publication: which results hold a snapshot back (real quality_log
rows in a real DuckDB file), and the snapshot asset refusing, then publishing, on a real
Dagster instance, by hand and through its schedule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pytest

from twilight_assets.warehouse.backend import open_backend
from twilight_assets.warehouse.snapshots import published

from twilight_assets.assets.datasets import build_dataset_asset
from twilight_assets.assets.snapshot import COVERED, warehouse_snapshot
from twilight_assets.checks.definitions import checks_for
from twilight_assets.checks.factories import build_asset_checks
from twilight_assets.checks.gate import blocking_check_names, held_back_by
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.quality import CheckRecord
from twilight_assets.warehouse.writer import WarehouseWriter

DAY = "2024-06-27"
T0 = dt.datetime(2024, 6, 27, 12, 0)


def record(check: str, partition: str | None, passed: bool, minutes: int, asset: str = "daily") -> CheckRecord:
    return CheckRecord(
        run_id=f"run-{minutes}", asset=asset, check_name=check, partition=partition, severity="ERROR",
        passed=passed, metric=None, threshold=None, failed_rows=0 if passed else 1, samples=[],
        message="passed" if passed else f"1 row failing ({check})",
        evaluated_at=T0 + dt.timedelta(minutes=minutes),
    )


def held(writer, assets=COVERED) -> list[tuple[str, str | None]]:
    return [(h.check_name, h.partition) for h in held_back_by(writer, assets)]


def test_which_results_hold_publication_back(tmp_path):
    assert "ohlc_daily" in blocking_check_names(["daily"])
    assert "vwap_daily" not in blocking_check_names(["daily"])  # a warning never blocks
    with WarehouseWriter(tmp_path / "warehouse.duckdb") as writer:
        assert held(writer) == []  # nothing evaluated, nothing failed
        writer.record_check_results([record("ohlc_daily", "2024-06-03", False, 1)])
        writer.record_check_results([record("vwap_daily", "2024-06-03", False, 1)])
        assert held(writer) == [("ohlc_daily", "2024-06-03")]
        failure = held_back_by(writer, COVERED)[0]
        assert "ohlc_daily on daily (2024-06-03; evaluated 2024-06-27 12:01:00 UTC)" in str(failure)
        # Another day passing does not vouch for that one.
        writer.record_check_results([record("ohlc_daily", "2024-06-04", True, 2)])
        assert held(writer) == [("ohlc_daily", "2024-06-03")]
        # Datasets the publication does not cover do not hold it back.
        assert held(writer, ["stock_basic"]) == []
        # The same scope passing again clears it.
        writer.record_check_results([record("ohlc_daily", "2024-06-03", True, 3)])
        assert held(writer) == []
        # A whole-table failure stands until the whole table passes; a day passing is not enough.
        writer.record_check_results([record("ohlc_daily", None, False, 4)])
        writer.record_check_results([record("ohlc_daily", "2024-06-05", False, 5)])
        writer.record_check_results([record("ohlc_daily", "2024-06-03", True, 6)])
        assert held(writer) == [("ohlc_daily", None), ("ohlc_daily", "2024-06-05")]
        writer.record_check_results([record("ohlc_daily", None, True, 7)])
        assert held(writer) == []
        # A tie in one batch counts as the failure; names no check has any more are ignored.
        writer.record_check_results([record("ohlc_daily", DAY, True, 8), record("ohlc_daily", DAY, False, 8)])
        writer.record_check_results([record("renamed_check_daily", None, False, 9)])
        assert held(writer) == [("ohlc_daily", DAY)]


ASSETS = {name: build_dataset_asset(REGISTRY[name]) for name in ("stock_basic", "trade_cal", "daily")}
DAILY_CHECKS = build_asset_checks(checks_for("daily"))


@pytest.fixture(scope="module")
def loaded(dagster_env, instance, resources):
    assert dg.materialize([ASSETS["stock_basic"]], instance=instance, resources=resources).success
    assert dg.materialize([ASSETS["trade_cal"]], instance=instance, resources=resources, partition_key="2024").success


def daily_with_checks(instance, resources) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [ASSETS["daily"], *DAILY_CHECKS], instance=instance, resources=resources,
        partition_key=DAY, raise_on_error=False,
    )


def scheduled_snapshot(instance) -> dg.ExecuteInProcessResult:
    """What snapshot_schedule launches: its run request, run as the job it targets."""
    from twilight_assets.automation import snapshot_schedule
    from twilight_assets.definitions import defs

    tick = dt.datetime(2024, 6, 27, 19, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with dg.build_schedule_context(instance=instance, scheduled_execution_time=tick) as ctx:
        request = snapshot_schedule.evaluate_tick(ctx).run_requests[0]
    job = defs.resolve_job_def(snapshot_schedule.job_name)
    assert job.asset_layer.executable_asset_keys == {dg.AssetKey("warehouse_snapshot")}
    return job.execute_in_process(instance=instance, tags=request.tags, run_config=request.run_config,
                                  raise_on_error=False)


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    (event,) = result.get_step_failure_events()
    return event.step_failure_data.user_failure_data.description


def test_a_failing_blocking_check_stops_the_snapshot_until_it_passes(loaded, dagster_env, instance, resources, simulator):
    def current() -> str | None:
        found = published(open_backend(dagster_env["TWILIGHT_WAREHOUSE"]), Path(dagster_env["TWILIGHT_SNAPSHOT_DIR"]))
        return found[0].snapshot_id if found else None

    simulator.add_fault("ohlc_violation", api_name="daily", match={"trade_date": DAY.replace("-", "")})
    try:
        bad = daily_with_checks(instance, resources)
    finally:
        simulator.clear_faults()
    ohlc = {e.check_name: e for e in bad.get_asset_check_evaluations()}["ohlc_daily"]
    assert not ohlc.passed

    refused = dg.materialize([warehouse_snapshot], instance=instance, resources=resources, raise_on_error=False)
    assert not refused.success
    text = failure_text(refused)
    assert text.startswith("warehouse_snapshot not published: 1 blocking check result(s) failed")
    assert f"ohlc_daily on daily ({DAY};" in text
    assert current() is None
    # The schedule's run goes through the same asset, so it holds back too.
    scheduled = scheduled_snapshot(instance)
    assert not scheduled.success and f"ohlc_daily on daily ({DAY};" in failure_text(scheduled)
    assert current() is None

    # The day re-fetched clean, its checks pass on the same scope: publication resumes.
    assert daily_with_checks(instance, resources).success
    publication = dg.materialize([warehouse_snapshot], instance=instance, resources=resources)
    assert publication.success and current() is not None
    first = current()
    assert scheduled_snapshot(instance).success
    assert current() != first
