"""One freshness rule: when a day's data is due, when data is late or stale, how the
windows sit around the schedules, and Dagster's own freshness evaluation of the policies
made from it, on a real instance configured by the project's dagster.yaml."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.instance.utils import RUNLESS_JOB_NAME, RUNLESS_RUN_ID
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.freshness import FreshnessDaemon
from dagster._utils.schedules import cron_string_iterator

from twilight_assets import automation, freshness
from twilight_assets.checks.factories import SWEEP_CRON, freshness_policy_for
from twilight_assets.freshness import SHANGHAI, Freshness
from twilight_assets.specs import REGISTRY, Grain

PROJECT = Path(__file__).resolve().parents[2]


def test_a_day_is_due_at_20_00_shanghai():
    day = dt.date(2024, 6, 25)
    assert freshness.due_dates(dt.datetime(2024, 6, 25, 19, 59, tzinfo=SHANGHAI)) == (day, day - dt.timedelta(days=1))
    assert freshness.due_dates(dt.datetime(2024, 6, 25, 20, 0, tzinfo=SHANGHAI)) == (day, day)
    # Naive moments are UTC: 12:00 UTC is 20:00 in Shanghai.
    assert freshness.due_dates(dt.datetime(2024, 6, 25, 12, 0)) == (day, day)


def test_late_after_one_miss_stale_after_two():
    assert [freshness.judge_lag(n) for n in (0, 1, 2, 9)] == [
        Freshness.FRESH, Freshness.LATE, Freshness.STALE, Freshness.STALE]
    daily_lists = freshness.REFRESH[Grain.ONCE]
    assert daily_lists.judge(dt.timedelta(hours=25)) is Freshness.FRESH  # today's 08:00 run still going
    assert daily_lists.judge(dt.timedelta(hours=27)) is Freshness.LATE
    assert daily_lists.judge(dt.timedelta(days=2, hours=3)) is Freshness.STALE
    weekly = freshness.REFRESH[Grain.PER_ENTITY]
    assert weekly.judge(dt.timedelta(days=7, hours=20)) is Freshness.FRESH  # Saturday's refresh running
    assert weekly.judge(dt.timedelta(days=9)) is Freshness.LATE
    assert weekly.judge(dt.timedelta(days=16)) is Freshness.STALE
    assert [freshness.judge_horizon(n) for n in (30, 29, 0, -1)] == [
        Freshness.FRESH, Freshness.LATE, Freshness.LATE, Freshness.STALE]


def _at(cron: str) -> dt.time:
    minute, hour = cron.split()[:2]
    return dt.time(int(hour), int(minute))


def _longest_gap(schedule: dg.ScheduleDefinition) -> dt.timedelta:
    start = dt.datetime(2024, 1, 1, tzinfo=SHANGHAI).timestamp()
    ticks = cron_string_iterator(start, schedule.cron_schedule, schedule.execution_timezone)
    times = [next(ticks) for _ in range(60)]
    return max(b - a for a, b in zip(times, times[1:]))


def test_windows_agree_with_the_schedules():
    # The per-date deadline leaves the ingest and the snapshot their time.
    market, snapshot = automation.daily_market_schedule, automation.snapshot_schedule
    assert market.execution_timezone == snapshot.execution_timezone == freshness.TIMEZONE
    assert _at(market.cron_schedule) == freshness.DAILY_INGEST_AT
    assert _at(snapshot.cron_schedule) == freshness.SNAPSHOT_AT
    assert market.cron_schedule.split()[2:] == freshness.per_date_deadline_cron().split()[2:]
    assert freshness.DAILY_INGEST_AT < freshness.SNAPSHOT_AT < freshness.PER_DATE_DUE <= _at(SWEEP_CRON)
    # Each age window's period is the longest gap between its schedule's runs.
    refreshed_by = {
        Grain.ONCE: [automation.reference_schedule],
        Grain.PER_ENTITY: [automation.stock_refresh_schedule, automation.index_refresh_schedule],
        Grain.PER_DATE_YEAR: [automation.calendar_schedule],
    }
    for grain, schedules in refreshed_by.items():
        for schedule in schedules:
            assert _longest_gap(schedule) == freshness.REFRESH[grain].every, schedule.name


def test_policies_follow_the_rule():
    daily = freshness_policy_for(REGISTRY["daily"])
    assert daily.deadline_cron == "0 20 * * 1-5" and daily.timezone == freshness.TIMEZONE
    assert daily.lower_bound_delta == dt.timedelta(hours=2)  # from the 18:00 ingest on
    for api, spec in REGISTRY.items():
        if spec.grain is not Grain.PER_DATE:
            window = freshness.REFRESH[spec.grain]
            policy = freshness_policy_for(spec)
            assert policy.warn_window.to_timedelta() == window.late_after, api
            assert policy.fail_window.to_timedelta() == window.stale_after, api


# -- Dagster's freshness evaluation, on a real instance -----------------------------------


@pytest.fixture
def instance(tmp_path, sim_server, monkeypatch):
    """The instance `make dev` would run: the project's dagster.yaml in a new DAGSTER_HOME,
    with a warehouse of its own and the session's simulator."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.delenv("TUSHARE_TOKEN", raising=False)
    for key, value in {
        "DAGSTER_HOME": str(home), "TWILIGHT_SOURCE": "simulator", "TUSHARE_HTTP_URL": sim_server.url,
        "TWILIGHT_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "TWILIGHT_SNAPSHOT_DIR": str(tmp_path / "snapshots"),
    }.items():
        monkeypatch.setenv(key, value)
    with dg.DagsterInstance.get() as inst:
        yield inst


def test_the_instance_enables_freshness(instance):
    settings = yaml.safe_load((PROJECT / "dagster_home" / "dagster.yaml").read_text())
    assert settings["freshness"] == {"enabled": True}
    assert instance.freshness_enabled
    assert FreshnessDaemon.daemon_type() in instance.get_required_daemon_types()


def _materialized_ago(instance: dg.DagsterInstance, api: str, age: dt.timedelta) -> None:
    """A materialization recorded `age` ago, as a run long past would have left it."""
    instance.report_dagster_event(
        DagsterEvent(
            event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
            event_specific_data=StepMaterializationData(dg.AssetMaterialization(asset_key=api)),
            job_name=RUNLESS_JOB_NAME,
        ),
        run_id=RUNLESS_RUN_ID,
        timestamp=(dt.datetime.now(dt.timezone.utc) - age).timestamp(),
    )


def _evaluate_freshness(instance: dg.DagsterInstance) -> dict[str, str]:
    """One iteration of the freshness daemon over the project's code location."""
    origin = InProcessCodeLocationOrigin(
        loadable_target_origin=LoadableTargetOrigin(module_name="twilight_assets.definitions", attribute="defs"),
        location_name="twilight_assets",
    )
    with WorkspaceProcessContext(instance, InProcessWorkspaceLoadTarget(origin)) as workspace:
        list(FreshnessDaemon().run_iteration(workspace))
    records = instance.get_freshness_state_records([dg.AssetKey(api) for api in REGISTRY])
    return {key.to_user_string(): record.freshness_state.value for key, record in records.items()}


def test_dagster_evaluates_a_fresh_materialization_fresh(instance):
    from twilight_assets.assets.datasets import build_dataset_asset
    from twilight_assets.resources import TushareResource, WarehouseResource

    result = dg.materialize(
        [build_dataset_asset(REGISTRY["daily"])], partition_key="2024-06-28", instance=instance,
        resources={"warehouse": WarehouseResource(), "tushare": TushareResource(workers=2)},
    )
    assert result.success
    # Five days back is before any weekday's 18:00-20:00 window that has closed since.
    _materialized_ago(instance, "daily_basic", dt.timedelta(days=5))
    _materialized_ago(instance, "stock_basic", dt.timedelta(hours=30))  # missed one 08:00 refresh
    _materialized_ago(instance, "index_basic", dt.timedelta(days=3))  # missed two
    states = _evaluate_freshness(instance)
    assert states["daily"] == "PASS"
    assert states["daily_basic"] == "FAIL"
    assert states["stock_basic"] == "WARN"
    assert states["index_basic"] == "FAIL"
    assert states["adj_factor"] == "UNKNOWN"  # never materialized: nothing to judge
