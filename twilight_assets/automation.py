"""Jobs, schedules and sensors. Every schedule starts stopped: nothing runs until a user
turns it on in the UI (or `dagster schedule start`)."""


import datetime as dt
from typing import Iterable

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from twilight_assets.assets.snapshot import SNAPSHOT_ASSET, SNAPSHOTS_KEPT
from twilight_assets.entity_partitions import describe, list_codes, unregistered
from twilight_assets.errors import NoSnapshotError
from twilight_assets.healing.sensor import build_coverage_healing_sensor
from twilight_assets.partitions import TIMEZONE, indexes, stocks, trading_days
from twilight_assets.resources import WarehouseResource
from twilight_assets.run_limits import max_runtime_tags
from twilight_assets.specs import REGISTRY, EntityType, Grain
from twilight_assets.warehouse.maintenance import maintain


def _keys(predicate) -> list[str]:
    return [s.api_name for s in REGISTRY.values() if predicate(s)]


_APIS_OF: dict[str, list[str]] = {}


def _job(name: str, api_names: Iterable[str], description: str):
    _APIS_OF[name] = list(api_names)
    return dg.define_asset_job(name, selection=_APIS_OF[name], description=description,
                               tags=max_runtime_tags(name))


reference_job = _job(
    "reference_job", _keys(lambda s: s.grain is Grain.ONCE),
    "Stock and index lists (stock_basic for L, D and P; index_basic for every market).",
)
calendar_job = _job(
    "calendar_job", _keys(lambda s: s.grain is Grain.PER_DATE_YEAR),
    "Exchange trading calendars by year.",
)
daily_market_job = _job(
    "daily_market_job", _keys(lambda s: s.grain is Grain.PER_DATE),
    "Per-trading-day market data for every stock (daily bars, valuation, adjustment factors).",
)
stock_job = _job(
    "stock_job", _keys(lambda s: s.grain is Grain.PER_ENTITY and s.entity_type is EntityType.STOCK),
    "Per-stock history: weekly/monthly bars and financial statements with their revisions.",
)
index_job = _job(
    "index_job", _keys(lambda s: s.grain is Grain.PER_ENTITY and s.entity_type is EntityType.INDEX),
    "Per-index history: bars, valuation and monthly constituent weights.",
)
snapshot_job = _job("snapshot_job", [SNAPSHOT_ASSET], "Publish a read-only snapshot for readers.")


@dg.op(description="Compact and expire a DuckLake (keeping the published snapshots readable), "
       "checkpoint a warehouse file, and remove the raw archive's orphans.")
def maintain_warehouse(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> None:
    with warehouse.writer() as writer:
        for line in maintain(writer, warehouse.archive(), keep=SNAPSHOTS_KEPT):
            context.log.info(line)


@dg.job(
    description="Warehouse housekeeping: a DuckLake's small files merged and old snapshots "
    "expired (the last published ones stay readable); the raw archive's orphans removed.",
    tags=max_runtime_tags("maintenance_job"),
)
def maintenance_job() -> None:
    maintain_warehouse()


JOBS = [reference_job, calendar_job, daily_market_job, stock_job, index_job, snapshot_job, maintenance_job]


def _range_tags(first: str, last: str) -> dict[str, str]:
    return {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}


@dg.schedule(
    job=daily_market_job, cron_schedule="0 18 * * 1-5", execution_timezone=TIMEZONE,
    description="After the close (18:00 Shanghai, weekdays): today's daily, daily_basic and "
    "adj_factor. A holiday is recorded as market closed.",
)
def daily_market_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    day = context.scheduled_execution_time.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    key = day.isoformat()
    if not trading_days.has_partition_key(key, current_time=context.scheduled_execution_time):
        return dg.SkipReason(f"{key} is not a weekday partition")
    return dg.RunRequest(run_key=key, partition_key=key)


@dg.schedule(
    job=snapshot_job, cron_schedule="30 19 * * 1-5", execution_timezone=TIMEZONE,
    description="After the daily ingest (19:30 Shanghai, weekdays): publish a snapshot, "
    "unless a blocking check failed on its latest evaluation (the run fails and names it).",
)
def snapshot_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=context.scheduled_execution_time.isoformat())


@dg.schedule(
    job=reference_job, cron_schedule="0 8 * * *", execution_timezone=TIMEZONE,
    description="Every morning: refresh the stock and index lists (new listings, delistings).",
)
def reference_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=context.scheduled_execution_time.isoformat())


@dg.schedule(
    job=calendar_job, cron_schedule="0 6 1 * *", execution_timezone=TIMEZONE,
    description="Monthly: this year's and next year's trading calendar (published ahead).",
)
def calendar_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    year = context.scheduled_execution_time.year
    return dg.RunRequest(
        run_key=context.scheduled_execution_time.isoformat(),
        tags=_range_tags(str(year), str(year + 1)),
    )


def _all_entities(
    context: dg.ScheduleEvaluationContext, partitions: dg.DynamicPartitionsDefinition
) -> dg.RunRequest | dg.SkipReason:
    keys = context.instance.get_dynamic_partitions(partitions.name)
    if not keys:
        return dg.SkipReason(
            f"no {partitions.name} partitions yet: materialize the reference job (its lists "
            "register them), or run `twilight partitions sync`"
        )
    return dg.RunRequest(
        run_key=context.scheduled_execution_time.isoformat(), tags=_range_tags(keys[0], keys[-1])
    )


@dg.schedule(
    job=stock_job, cron_schedule="0 2 * * 6", execution_timezone=TIMEZONE,
    description="Saturdays: refresh every stock's weekly/monthly bars and financials; "
    "revised reports (update_flag 1) arrive late and replace the originals.",
)
def stock_refresh_schedule(context: dg.ScheduleEvaluationContext):
    return _all_entities(context, stocks)


@dg.schedule(
    job=index_job, cron_schedule="0 2 * * 0", execution_timezone=TIMEZONE,
    description="Sundays: refresh every index's bars, valuation and monthly weights.",
)
def index_refresh_schedule(context: dg.ScheduleEvaluationContext):
    return _all_entities(context, indexes)


maintenance_schedule = dg.ScheduleDefinition(
    name="maintenance_schedule", job=maintenance_job, cron_schedule="0 5 * * 0",
    execution_timezone=TIMEZONE, default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Sundays 05:00, after the weekly refreshes: warehouse housekeeping.",
)

SCHEDULES = [
    daily_market_schedule, snapshot_schedule, reference_schedule, calendar_schedule,
    stock_refresh_schedule, index_refresh_schedule, maintenance_schedule,
]

@dg.sensor(
    minimum_interval_seconds=60,
    description="For deployments that materialize stock_basic and index_basic elsewhere: "
    "registers the codes of each newly published snapshot as `stocks` and `indexes` "
    "partitions, never removing one. It reads the snapshot, so a tick never waits for the "
    "writer. (Materializing a list registers its codes itself.)",
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def entity_partitions_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    try:
        with warehouse.reader() as reader:
            snapshot_id = reader.info.snapshot_id
            if snapshot_id == context.cursor:
                return dg.SkipReason(f"snapshot {snapshot_id} already synced")
            codes = list_codes(reader)
    except NoSnapshotError as exc:
        return dg.SkipReason(f"nothing to read the lists from: {exc}")
    added = unregistered(context.instance, codes)
    requests = [
        dg.AddDynamicPartitionsRequest(partitions_def_name=name, partition_keys=keys)
        for name, keys in added.items()
        if keys
    ]
    context.log.info(f"snapshot {snapshot_id}: " + "; ".join(describe(added, codes)))
    return dg.SensorResult(dynamic_partitions_requests=requests, cursor=snapshot_id)


JOB_OF = {api: job for job in (reference_job, calendar_job, daily_market_job, stock_job, index_job)
          for api in _APIS_OF[job.name]}
"""The asset job each dataset belongs to (one partitions definition per job)."""

SENSORS = [entity_partitions_sensor, build_coverage_healing_sensor(JOB_OF)]
