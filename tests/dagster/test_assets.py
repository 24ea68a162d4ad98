"""The Dagster layer end to end: real instance, real DuckDB file, simulator over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.backends import live_rows
from twilight_assets.warehouse.backend import open_backend
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from twilight_assets.assets.datasets import build_dataset_asset
from twilight_assets.assets.snapshot import warehouse_snapshot
from twilight_assets.specs import REGISTRY

ASSETS = {name: build_dataset_asset(spec) for name, spec in REGISTRY.items()}
DAY = "2024-06-28"  # the shared simulator's as_of: a Friday with data


def materialize(names, instance, resources, **kwargs) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [ASSETS[n] for n in names], instance=instance, resources=resources, **kwargs
    )


def table(env, sql, params=None):
    """Read the live warehouse between runs (tests only)."""
    return live_rows(env["TWILIGHT_WAREHOUSE"], sql, params)


PARTITION_METADATA = {
    "dagster/row_count", "status", "raw_id", "duplicates_dropped", "rows_removed", "absent_fields", "source",
}
"""What each partition's materialization carries: its own outcome, nothing shared."""


def mat_metadata(result: dg.ExecuteInProcessResult, name: str) -> dict:
    events = result.asset_materializations_for_node(name)
    assert events, f"no materialization for {name}"
    return {k: v.value for k, v in events[-1].metadata.items()}


def run_materializations(instance, name: str, run_id: str) -> dict[str, dict]:
    """partition -> metadata of each materialization `run_id` stored in the instance."""
    records = instance.fetch_materializations(dg.AssetKey(name), limit=1000).records
    return {
        r.partition_key: {k: v.value for k, v in r.asset_materialization.metadata.items()}
        for r in records
        if r.run_id == run_id
    }


def run_observations(instance, name: str, run_id: str) -> list[dict]:
    records = instance.fetch_observations(dg.AssetKey(name), limit=100).records
    return [{k: v.value for k, v in r.asset_observation.metadata.items()} for r in records if r.run_id == run_id]


@pytest.fixture(scope="module")
def loaded(dagster_env, instance, resources):
    """Reference data and the 2024 calendar: what every other asset builds on. The lists
    register their own partitions: no sensor, no sync."""
    assert not instance.get_dynamic_partitions("stocks")
    result = materialize(["stock_basic", "index_basic"], instance, resources)
    assert result.success
    assert materialize(["trade_cal"], instance, resources, partition_key="2024").success
    return result


def test_materializing_the_lists_registers_every_code_as_a_partition(loaded, dagster_env, instance):
    for partitions, list_table in (("stocks", "normalized_stock_basic"), ("indexes", "normalized_index_basic")):
        codes = [r[0] for r in table(dagster_env, f"SELECT DISTINCT ts_code FROM {list_table} ORDER BY 1")]
        assert codes and instance.get_dynamic_partitions(partitions) == codes
    meta = mat_metadata(loaded, "stock_basic")
    assert meta["stocks_added"] == meta["stocks_registered"] == len(instance.get_dynamic_partitions("stocks"))
    assert meta["partitions"] == 1  # stock_basic itself is one unpartitioned fetch


def test_a_list_run_adds_new_codes_and_removes_none(loaded, dagster_env, instance, resources):
    stocks = instance.get_dynamic_partitions("stocks")
    instance.delete_dynamic_partition("stocks", stocks[-1])
    instance.add_dynamic_partitions("stocks", ["999999.SZ"])  # a code no list holds any more
    result = materialize(["stock_basic"], instance, resources)
    assert result.success
    after = instance.get_dynamic_partitions("stocks")
    assert set(after) == set(stocks) | {"999999.SZ"}
    assert mat_metadata(result, "stock_basic")["stocks_added"] == 1
    instance.delete_dynamic_partition("stocks", "999999.SZ")


def test_definitions_load_every_asset_check_schedule_and_sensor(dagster_env):
    from twilight_assets.definitions import defs

    dg.Definitions.validate_loadable(defs)
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert set(REGISTRY) | {"warehouse_snapshot"} <= keys
    assert {"warehouse", "tushare", "snapshot_duckdb"} <= set(repo.get_top_level_resources())
    # Where a user meets an unknown key, the asset says what keys look like.
    income = repo.assets_defs_by_key[dg.AssetKey("income")].specs_by_key[dg.AssetKey("income")]
    assert "materializing stock_basic registers" in income.description
    assert "twilight partitions sync" in income.description
    assert {s.name for s in repo.schedule_defs} >= {
        "daily_market_schedule", "snapshot_schedule", "stock_refresh_schedule", "calendar_schedule",
    }
    assert all(s.default_status == dg.DefaultScheduleStatus.STOPPED for s in repo.schedule_defs)
    assert "entity_partitions_sensor" in {s.name for s in repo.sensor_defs}
    assert repo.asset_graph.asset_check_keys, "no asset checks registered"


def test_once_assets_keep_delisted_and_paused_stocks(loaded, dagster_env):
    statuses = {r[0] for r in table(dagster_env, "SELECT DISTINCT list_status FROM normalized_stock_basic")}
    assert statuses == {"L", "D", "P"}
    meta = mat_metadata(loaded, "stock_basic")
    assert meta["dagster/row_count"] == meta["table_rows"] > 0
    assert meta["status"] == "done" and meta["source"] == "simulator"
    assert meta["calls"] >= 3  # one per list_status


def test_per_date_partition_writes_rows_and_progress(loaded, dagster_env, instance, resources):
    result = materialize(["daily"], instance, resources, partition_key=DAY)
    assert result.success
    meta = mat_metadata(result, "daily")
    rows = table(dagster_env, "SELECT count(*) FROM normalized_daily WHERE trade_date = ?", [DAY])[0][0]
    assert rows == meta["dagster/row_count"] > 0
    # The event is the partition's own outcome; the schema lives on the definition.
    assert set(meta) == PARTITION_METADATA
    # Tushare serves daily's after-hours fields only from 2026-07-06: absent (NULL) in 2024.
    assert meta["status"] == "done" and meta["raw_id"] and meta["absent_fields"] == ["ah_vol", "ah_amount"]
    definition = ASSETS["daily"].specs_by_key[dg.AssetKey("daily")].metadata
    assert [c.name for c in definition["dagster/column_schema"].columns][:2] == ["ts_code", "trade_date"]
    progress = table(
        dagster_env, "SELECT status, rows FROM ingest_progress WHERE progress_key = ?", [f"daily:{DAY}"]
    )
    assert progress == [("done", rows)]


def test_closed_weekday_is_market_closed_not_missing(loaded, dagster_env, instance, resources):
    closed = table(
        dagster_env,
        "SELECT strftime(cal_date, '%Y-%m-%d') FROM normalized_trade_cal WHERE exchange = 'SSE' "
        "AND is_open = 0 AND isodow(cal_date) <= 5 AND cal_date <= ?::DATE ORDER BY cal_date LIMIT 1",
        [DAY],
    )
    assert closed, "the simulator's 2024 calendar has no weekday holiday"
    day = closed[0][0]
    result = materialize(["daily"], instance, resources, partition_key=day)
    assert result.success
    meta = mat_metadata(result, "daily")
    assert (meta["status"], meta["dagster/row_count"]) == ("market_closed", 0)
    (totals,) = run_observations(instance, "daily", result.run_id)
    assert totals["partitions_market_closed"] == 1
    assert table(dagster_env, "SELECT count(*) FROM normalized_daily WHERE trade_date = ?", [day])[0][0] == 0
    assert table(
        dagster_env, "SELECT status, rows FROM ingest_progress WHERE progress_key = ?", [f"daily:{day}"]
    ) == [("market_closed", 0)]


def test_rerun_changes_nothing(loaded, dagster_env, instance, resources):
    cols = ", ".join(f'"{c}"' for c in REGISTRY["adj_factor"].field_names)
    sql = f"SELECT {cols} FROM normalized_adj_factor WHERE trade_date = ? ORDER BY ts_code"
    assert materialize(["adj_factor"], instance, resources, partition_key=DAY).success
    first = table(dagster_env, sql, [DAY])
    assert materialize(["adj_factor"], instance, resources, partition_key=DAY).success
    assert table(dagster_env, sql, [DAY]) == first and first


def test_multi_partition_run_writes_each_partition(loaded, dagster_env, instance, resources):
    tags = {ASSET_PARTITION_RANGE_START_TAG: "2024-06-17", ASSET_PARTITION_RANGE_END_TAG: "2024-06-21"}
    result = materialize(["daily_basic"], instance, resources, tags=tags)
    assert result.success
    days = table(
        dagster_env,
        "SELECT count(DISTINCT trade_date) FROM normalized_daily_basic "
        "WHERE trade_date BETWEEN '2024-06-17' AND '2024-06-21'",
    )[0][0]
    marks = table(
        dagster_env,
        "SELECT count(*) FROM ingest_progress WHERE api_name = 'daily_basic' "
        "AND partition_key BETWEEN '2024-06-17' AND '2024-06-21' AND status IN ('done', 'market_closed')",
    )[0][0]
    assert marks == 5 and days >= 4


def test_a_range_run_records_each_days_own_row_count(loaded, dagster_env, instance, resources):
    # A holiday (2024-04-04), a new listing (301572.SZ, 2024-04-08) and suspensions:
    # the days' counts differ, and each partition's event must say its own.
    first, last = "2024-04-01", "2024-04-12"
    tags = {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}
    result = materialize(["daily"], instance, resources, tags=tags)
    assert result.success
    events = run_materializations(instance, "daily", result.run_id)
    per_day = dict(table(
        dagster_env,
        "SELECT strftime(trade_date, '%Y-%m-%d'), count(*) FROM normalized_daily "
        "WHERE trade_date BETWEEN ?::DATE AND ?::DATE GROUP BY 1", [first, last],
    ))
    weekdays = trading_days_between(first, last)
    assert sorted(events) == weekdays
    assert {day: meta["dagster/row_count"] for day, meta in events.items()} == {
        day: per_day.get(day, 0) for day in weekdays
    }
    assert len({meta["dagster/row_count"] for meta in events.values()}) > 2
    assert events["2024-04-04"]["status"] == "market_closed"
    assert all(set(meta) == PARTITION_METADATA for meta in events.values())
    raw_ids = [meta["raw_id"] for meta in events.values()]
    assert len(set(raw_ids)) == len(raw_ids)  # one raw response each
    # The run's totals and the table's size: one observation, not on every partition.
    (totals,) = run_observations(instance, "daily", result.run_id)
    assert totals["rows_written"] == sum(per_day.values())
    assert totals["partitions"] == len(weekdays)
    assert totals["table_rows"] == table(dagster_env, "SELECT count(*) FROM normalized_daily")[0][0]


def test_commit_conflicts_reach_a_partitions_metadata_only_when_there_were_some():
    """A DuckLake commit retried after losing to another writer's is counted on the
    partition's materialization; a partition without any carries no such entry."""
    from twilight_assets.assets.datasets import partition_metadata
    from twilight_assets.ingest import PartitionOutcome

    retried = partition_metadata(PartitionOutcome("2024-06-28", "done", rows_written=5, raw_id=1,
                                                  commit_conflicts=3), "simulator")
    assert retried["commit_conflicts"] == 3 and set(retried) == PARTITION_METADATA | {"commit_conflicts"}
    calm = partition_metadata(PartitionOutcome("2024-06-28", "done", rows_written=5, raw_id=1), "simulator")
    assert set(calm) == PARTITION_METADATA


def test_per_entity_stock_and_index(loaded, dagster_env, instance, resources):
    stock = instance.get_dynamic_partitions("stocks")[0]
    index = instance.get_dynamic_partitions("indexes")[0]
    assert materialize(["income"], instance, resources, partition_key=stock).success
    assert materialize(["index_daily"], instance, resources, partition_key=index).success
    assert table(dagster_env, "SELECT count(*) FROM normalized_income WHERE ts_code = ?", [stock])[0][0] > 0
    assert table(dagster_env, "SELECT count(*) FROM normalized_index_daily WHERE ts_code = ?", [index])[0][0] > 0


def test_revised_report_replaces_the_original(loaded, dagster_env, instance, resources, simulator):
    stock = instance.get_dynamic_partitions("stocks")[1]
    assert materialize(["income"], instance, resources, partition_key=stock).success
    seen = len(simulator.fault_log)  # the shared simulator's log holds earlier tests' faults
    simulator.add_fault("revised_values", api_name="income", match={"ts_code": stock})
    try:
        assert materialize(["income"], instance, resources, partition_key=stock).success
    finally:
        applied = [f for f in simulator.fault_log[seen:] if f["kind"] == "revised_values"]
        simulator.clear_faults()
    assert applied, "the simulator applied no revision"
    key = applied[0]["rows"][0]
    sql = (
        "SELECT update_flag, total_revenue FROM normalized_income "
        "WHERE ts_code = ? AND end_date = strptime(?, '%Y%m%d')::DATE AND report_type = ?"
    )
    params = [key["ts_code"], str(key["end_date"]), str(key["report_type"])]
    rows = table(dagster_env, sql, params)
    assert len(rows) == 1, rows  # the original and its revision share one key
    flag, revenue = rows[0]
    assert flag == "1"
    # Re-running without the fault brings back the original: revisions flow both ways.
    assert materialize(["income"], instance, resources, partition_key=stock).success
    (original_flag, original_revenue), = table(dagster_env, sql, params)
    assert revenue == pytest.approx(original_revenue * 1.05)


def test_failed_partition_names_dataset_partition_and_cause(loaded, dagster_env, instance, resources, simulator):
    simulator.add_fault("http_500", api_name="adj_factor")
    try:
        result = materialize(
            ["adj_factor"], instance, resources, partition_key="2024-06-27", raise_on_error=False
        )
    finally:
        simulator.clear_faults()
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.user_failure_data
    assert "adj_factor partition 2024-06-27" in failure.description
    mark = table(
        dagster_env,
        "SELECT status, last_error FROM ingest_progress WHERE progress_key = 'adj_factor:2024-06-27'",
    )
    assert mark[0][0] == "failed" and mark[0][1]


def test_a_failed_partition_leaves_the_others_materialized(loaded, dagster_env, instance, resources, simulator):
    simulator.add_fault("http_500", api_name="daily_basic", match={"trade_date": "20240604"})
    tags = {ASSET_PARTITION_RANGE_START_TAG: "2024-06-03", ASSET_PARTITION_RANGE_END_TAG: "2024-06-05"}
    try:
        result = materialize(["daily_basic"], instance, resources, tags=tags, raise_on_error=False)
    finally:
        simulator.clear_faults()
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.user_failure_data
    assert failure.description.startswith(
        "daily_basic: 2 written, 1 failed of 3 partitions (the 2 written stay in the warehouse)"
    )
    materialized = {
        record.partition_key
        for record in instance.fetch_materializations(dg.AssetKey("daily_basic"), limit=50).records
        if record.asset_materialization.metadata.get("written_by_run") == dg.TextMetadataValue(result.run_id)
    }
    assert materialized == {"2024-06-03", "2024-06-05"}
    statuses = dict(table(
        dagster_env,
        "SELECT partition_key, status FROM ingest_progress WHERE api_name = 'daily_basic' "
        "AND partition_key BETWEEN '2024-06-03' AND '2024-06-05'",
    ))
    assert statuses == {"2024-06-03": "done", "2024-06-04": "failed", "2024-06-05": "done"}


@pytest.mark.parametrize("name, first, last", [
    ("trade_cal", "2025", "2023"),
    ("income", 1, 0),  # stocks: ranges follow the order codes were registered in
])
def test_a_reversed_range_is_refused_naming_it(loaded, instance, resources, name, first, last):
    if name == "income":
        first, last = (instance.get_dynamic_partitions("stocks")[i] for i in (first, last))
    tags = {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}
    before = instance.get_latest_materialization_event(dg.AssetKey(name))
    result = materialize([name], instance, resources, tags=tags, raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.user_failure_data
    assert failure.description.startswith(
        f"{name}: partition range {first}...{last} holds no partitions; nothing was fetched"
    )
    assert "Partition keys: " in failure.description
    assert instance.get_latest_materialization_event(dg.AssetKey(name)) == before


def test_when_every_partition_fails_the_header_says_none_was_written(loaded, instance, resources, simulator):
    simulator.add_fault("http_500", api_name="adj_factor")
    tags = {ASSET_PARTITION_RANGE_START_TAG: "2024-06-13", ASSET_PARTITION_RANGE_END_TAG: "2024-06-14"}
    try:
        result = materialize(["adj_factor"], instance, no_retries(resources), tags=tags, raise_on_error=False)
    finally:
        simulator.clear_faults()
    failure = result.get_step_failure_events()[0].step_failure_data.user_failure_data
    assert failure.description.startswith(
        "adj_factor: 0 written, 2 failed of 2 partitions (nothing was written); the failed ones:"
    )
    assert "the others were written" not in failure.description
    assert "adj_factor partition 2024-06-13" in failure.description
    assert "adj_factor partition 2024-06-14" in failure.description


def test_progress_lines_count_written_and_failed(loaded, instance, resources, simulator):
    simulator.add_fault("http_500", api_name="daily_basic", match={"trade_date": "20240607"})
    tags = {ASSET_PARTITION_RANGE_START_TAG: "2024-06-06", ASSET_PARTITION_RANGE_END_TAG: "2024-06-07"}
    try:
        result = materialize(["daily_basic"], instance, no_retries(resources), tags=tags, raise_on_error=False)
    finally:
        simulator.clear_faults()
    logs = instance.all_logs(result.run_id)
    lines = [e.user_message for e in logs if "written," in (e.user_message or "")]
    assert lines, "no progress line"
    assert lines[-1] == "daily_basic: 1 written, 1 failed of 2 partitions"


def no_retries(resources: dict) -> dict:
    from twilight_assets.resources import TushareResource

    return {**resources, "tushare": TushareResource(workers=4, max_retries=0, throttle_wait_s=0.2)}


def trading_days_between(first: str, last: str) -> list[str]:
    from twilight_assets.partitions import trading_days

    return list(trading_days.get_partition_keys_in_range(dg.PartitionKeyRange(first, last)))


def test_sensor_reads_the_published_snapshot(loaded, dagster_env, instance, resources):
    from twilight_assets.automation import entity_partitions_sensor
    from twilight_assets.resources import WarehouseResource

    # A sensor that waited for the writer lease would fail within a second here.
    impatient = WarehouseResource(
        warehouse=dagster_env["TWILIGHT_WAREHOUSE"], snapshot_dir=dagster_env["TWILIGHT_SNAPSHOT_DIR"],
        lease_timeout_s=1.0,
    )

    def evaluate(cursor=None):
        # Evaluated while a writer holds the warehouse: a daemon tick must not wait for it.
        with resources["warehouse"].writer():
            with dg.build_sensor_context(instance=instance, cursor=cursor, resources={"warehouse": impatient}) as ctx:
                return entity_partitions_sensor(ctx)

    snapshots = Path(dagster_env["TWILIGHT_SNAPSHOT_DIR"])
    if not (snapshots / "CURRENT").exists():
        skipped = evaluate()
        assert isinstance(skipped, dg.SkipReason) and "no snapshot has been published" in skipped.skip_message
        assert dg.materialize([warehouse_snapshot], instance=instance, resources=resources).success
    # The lists registered every code already: nothing is new, nothing is removed.
    result = evaluate()
    assert isinstance(result, dg.SensorResult)
    assert all(not r.partition_keys for r in result.dynamic_partitions_requests)
    last = instance.get_dynamic_partitions("stocks")[-1]
    instance.delete_dynamic_partition("stocks", last)
    result = evaluate()
    assert [list(r.partition_keys) for r in result.dynamic_partitions_requests] == [[last]]
    instance.add_dynamic_partitions("stocks", [last])
    # A snapshot it has read is not read again.
    skipped = evaluate(cursor=result.cursor)
    assert isinstance(skipped, dg.SkipReason) and "already synced" in skipped.skip_message


def _cli_materialize(env: dict, select: str, *partition_args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "twilight_assets.definitions",
         "-a", "defs", "--select", select, *partition_args],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def test_two_cli_runs_at_once_both_succeed(loaded, dagster_env):
    runs = [
        _cli_materialize(dagster_env, "daily", "--partition-range", "2024-06-24...2024-06-26"),
        _cli_materialize(dagster_env, "adj_factor", "--partition", "2024-06-26"),
    ]
    outputs = [p.communicate(timeout=300)[0] for p in runs]
    for proc, out in zip(runs, outputs):
        assert proc.returncode == 0, out[-3000:]
        assert "Could not set lock" not in out
    marks = table(
        dagster_env,
        "SELECT partition_key FROM ingest_progress WHERE status = 'done' AND ("
        "(api_name = 'daily' AND partition_key BETWEEN '2024-06-24' AND '2024-06-26') OR "
        "(api_name = 'adj_factor' AND partition_key = '2024-06-26')) ORDER BY 1",
    )
    assert len(marks) == 4


READER = """
import sys, time
from pathlib import Path
from twilight_assets.warehouse.reader import WarehouseReader
deadline = time.monotonic() + float(sys.argv[2])
reads = 0
while time.monotonic() < deadline:
    with WarehouseReader(Path(sys.argv[1])) as r:
        n = int(r.query("SELECT count(*) AS n FROM normalized_daily")["n"][0])
        reads += 1
print(reads, n)
"""


def test_snapshot_asset_publishes_and_a_reader_reads_during_ingest(loaded, dagster_env, instance, resources):
    result = dg.materialize([warehouse_snapshot], instance=instance, resources=resources)
    assert result.success
    meta = mat_metadata(result, "warehouse_snapshot")
    if open_backend(dagster_env["TWILIGHT_WAREHOUSE"]).is_lake:  # a verified version, not a copy
        assert meta["version"] > 0 and "ducklake:postgres:" in meta["warehouse"]
    else:
        assert Path(meta["path"]).exists() and meta["bytes"] > 0
    assert meta["table_rows"]["normalized_stock_basic"] > 0
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, dagster_env["TWILIGHT_SNAPSHOT_DIR"], "6"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    tags = {ASSET_PARTITION_RANGE_START_TAG: "2024-06-10", ASSET_PARTITION_RANGE_END_TAG: "2024-06-14"}
    assert materialize(["daily"], instance, resources, tags=tags).success
    assert dg.materialize([warehouse_snapshot], instance=instance, resources=resources).success
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    reads, _ = map(int, out.split())
    assert reads > 0
    (live,), = table(dagster_env, "SELECT count(*) FROM normalized_daily")
    from twilight_assets.warehouse.reader import WarehouseReader

    with WarehouseReader(Path(dagster_env["TWILIGHT_SNAPSHOT_DIR"]),
                         backend=open_backend(dagster_env["TWILIGHT_WAREHOUSE"])) as r:
        assert int(r.query("SELECT count(*) AS n FROM normalized_daily")["n"][0]) == live
    assert json.dumps(meta["table_rows"])  # JSON-safe metadata


def test_responses_go_to_the_warehouse_resources_own_archive(loaded, dagster_env, instance, resources, tmp_path):
    """A resource configured with archive_dir archives there, whatever TWILIGHT_ARCHIVE says."""
    from twilight_assets.resources import WarehouseResource

    own = WarehouseResource(warehouse=dagster_env["TWILIGHT_WAREHOUSE"], snapshot_dir=dagster_env["TWILIGHT_SNAPSHOT_DIR"],
                            archive_dir=str(tmp_path / "own-archive"))
    result = materialize(["trade_cal"], instance, {**resources, "warehouse": own}, partition_key="2023")
    assert result.success
    [(path, sha256)] = table(
        dagster_env, "SELECT archive_path, archive_sha256 FROM raw_responses WHERE raw_id = ?",
        [mat_metadata(result, "trade_cal")["raw_id"]])
    assert (tmp_path / "own-archive" / path).is_file() and sha256
