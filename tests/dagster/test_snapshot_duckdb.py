"""`snapshot_duckdb`: a user's own asset, added beside the project's definitions, reads
normalized_daily from the published snapshot through dagster-duckdb's DuckDBResource.
(No `from __future__ import annotations`: Dagster reads the asset's annotations as types.)"""

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from twilight_assets.assets.datasets import build_dataset_asset
from twilight_assets.assets.snapshot import warehouse_snapshot
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.reader import WarehouseReader

DAYS = ("2024-06-24", "2024-06-28")


@dg.asset(deps=["warehouse_snapshot"])
def daily_rows_per_day(snapshot_duckdb: DuckDBResource) -> dg.MaterializeResult:
    """What a user writes: an asset of their own over the published snapshot."""
    with snapshot_duckdb.get_connection() as conn:
        rows = conn.execute(
            "SELECT strftime(trade_date, '%Y-%m-%d') AS day, count(*) FROM normalized_daily GROUP BY 1 ORDER BY 1"
        ).fetchall()
        try:
            conn.execute("CREATE TABLE mine AS SELECT 1 AS x")
            wrote = "yes"
        except duckdb.Error as exc:
            wrote = str(exc)
    return dg.MaterializeResult(metadata={
        "rows_per_day": dg.MetadataValue.json(dict(rows)),
        "database": snapshot_duckdb.database,
        "version": getattr(snapshot_duckdb, "version", None),
        "write_attempt": wrote,
    })


@pytest.fixture(scope="module")
def user_defs(dagster_env):
    # Loaded before any snapshot exists: the snapshot is found when the step runs.
    from twilight_assets.definitions import defs

    return dg.Definitions.merge(defs, dg.Definitions(assets=[daily_rows_per_day]))


def run_user_asset(user_defs, instance) -> dg.ExecuteInProcessResult:
    job = user_defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        instance=instance, asset_selection=[dg.AssetKey("daily_rows_per_day")], raise_on_error=False,
    )


def test_without_a_snapshot_the_step_says_so(user_defs, instance):
    result = run_user_asset(user_defs, instance)
    assert not result.success
    errors = [
        e.event_specific_data.error.to_string() for e in result.all_events
        if e.event_type_value == "RESOURCE_INIT_FAILURE"
    ]
    assert errors and "snapshot_duckdb: no snapshot has been published" in errors[0]


def test_a_downstream_asset_reads_the_current_snapshot_read_only(user_defs, dagster_env, instance, resources):
    trade_cal, daily = (build_dataset_asset(REGISTRY[name]) for name in ("trade_cal", "daily"))
    assert dg.materialize([trade_cal], instance=instance, resources=resources, partition_key="2024").success
    for day in DAYS:
        assert dg.materialize([daily], instance=instance, resources=resources, partition_key=day).success
        assert dg.materialize([warehouse_snapshot], instance=instance, resources=resources).success
    result = run_user_asset(user_defs, instance)
    assert result.success
    meta = {k: v.value for k, v in result.asset_materializations_for_node("daily_rows_per_day")[0].metadata.items()}
    with WarehouseReader(Path(dagster_env["TWILIGHT_SNAPSHOT_DIR"])) as reader:
        # The snapshot current when the step ran: the second one, with both days (a copy of
        # a warehouse file, or a DuckLake's published version).
        if reader.info.path is None:
            assert meta["version"] == reader.info.version
        else:
            assert meta["database"] == str(reader.info.path)
        expected = dict(reader.query(
            "SELECT strftime(trade_date, '%Y-%m-%d') AS day, count(*) AS n FROM normalized_daily GROUP BY 1"
        ).itertuples(index=False, name=None))
    assert meta["rows_per_day"] == expected and set(expected) == set(DAYS)
    assert "read-only" in meta["write_attempt"]
