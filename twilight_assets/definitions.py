"""The code location: assembles Definitions from the pieces; nothing else lives here."""

from __future__ import annotations

import dagster as dg

from twilight_assets.assets.datasets import build_dataset_assets
from twilight_assets.assets.snapshot import warehouse_snapshot
from twilight_assets.automation import JOBS, SCHEDULES, SENSORS
from twilight_assets.checks.factories import ALL_CHECKS, quality_sweep_job, quality_sweep_schedule
from twilight_assets.resources import TushareResource, WarehouseResource
from twilight_assets.snapshot_duckdb import RESOURCE_KEY as SNAPSHOT_DUCKDB, SnapshotDuckDBResource

defs = dg.Definitions(
    assets=[*build_dataset_assets(), warehouse_snapshot],
    asset_checks=ALL_CHECKS,
    jobs=[*JOBS, quality_sweep_job],
    schedules=[*SCHEDULES, quality_sweep_schedule],
    sensors=SENSORS,
    resources={
        "warehouse": WarehouseResource(),
        "tushare": TushareResource(),
        # For users' own assets downstream of warehouse_snapshot (see the README).
        SNAPSHOT_DUCKDB: SnapshotDuckDBResource(),
    },
    # Steps of one run go to separate processes, one per core (two on this machine):
    # different APIs fetch in parallel while their writes queue on the writer lease. A run
    # of a few partitions may ask for its steps in its own process instead, by run config
    # (`execution: {config: {in_process: {}}}`), as `make demo` does: there a process per
    # step costs more in start-ups than the step's work.
    executor=dg.multi_or_in_process_executor,
)
