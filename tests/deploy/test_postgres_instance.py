"""The one-host production setup, exercised: deploy/dagster.yaml as shipped, on a PostgreSQL
database of the test cluster, `dagster-daemon run` on deploy/workspace.yaml, and two runs of
different jobs (different Tushare APIs, so no fetch lease orders them) submitted to the
queue at once. Both succeed, both write the DuckLake, and they ran at the same time."""

from __future__ import annotations

import os
import shutil

import pytest
from dagster._core.events import DagsterEventType
from dagster._core.storage.dagster_run import DagsterRunStatus

from tests.deploy.daemon import ROOT, Deployment, warehouse_env
from tests.services import PostgresDatabase, create_database, drop_database
from twilight_assets.run_launcher import HOST_TAG, LocalRunLauncher

RUNS = (("calendar_job", {"dagster/partition": "2024"}), ("reference_job", {}))
"""Two jobs, three APIs (trade_cal; stock_basic and index_basic): nothing serializes them
but the DuckLake's own commits."""


def postgres_env(database: PostgresDatabase) -> dict[str, str]:
    return {
        "DAGSTER_PG_HOST": database.host,
        "DAGSTER_PG_PORT": str(database.port),
        "DAGSTER_PG_USERNAME": database.user,
        # The test cluster trusts 127.0.0.1; a real server checks it.
        "DAGSTER_PG_PASSWORD": "unused-by-trust-auth",
        "DAGSTER_PG_DB": database.dbname,
    }


def step_failures(deploy: Deployment, run_ids: list[str]) -> str:
    """Every failed step's error in these runs (the last events alone may not hold them)."""
    lines = []
    with deploy.instance() as instance:
        for run_id in run_ids:
            for entry in instance.all_logs(run_id, of_type=DagsterEventType.STEP_FAILURE):
                lines.append(f"{run_id} {entry.step_key}: {entry.dagster_event.step_failure_data.error}"[:4000])
    return "\n".join(lines) or "none"


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    """The warehouse the deployment's runs write: a DuckLake, its catalog a database of its own."""
    database = create_database("deploy_lake")
    try:
        yield database, tmp_path_factory.mktemp("pg-deploy-lake")
    finally:
        drop_database(database)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, pg_database, lake, simulator):
    home = tmp_path_factory.mktemp("pg-dagster-home")
    shutil.copy(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    data = tmp_path_factory.mktemp("pg-deploy-data")
    lake_database, lake_data = lake
    settings = {
        "DAGSTER_HOME": str(home),
        **postgres_env(pg_database),
        **warehouse_env(data),
        # Production's scale-out warehouse: every run writes the same DuckLake at once.
        "TWILIGHT_WAREHOUSE": f"ducklake:postgres:{lake_database.conninfo}",
        "TWILIGHT_LAKE_DATA": str(lake_data),
        "TWILIGHT_SOURCE": "simulator",
        "TUSHARE_HTTP_URL": simulator.url,
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("TUSHARE_TOKEN", raising=False)
        for key, value in settings.items():
            mp.setenv(key, value)
        deploy = Deployment(home=home, workspace=ROOT / "deploy" / "workspace.yaml", env=dict(os.environ))
        with deploy.instance():  # creates the storage tables once, before anything races for them
            pass
        deploy.start_daemon()
        try:
            launches = [deploy.launch(job, tags) for job, tags in RUNS]
            run_ids = [deploy.submitted(p) for p in launches]
            try:
                finished = [deploy.wait_for(r, [DagsterRunStatus.SUCCESS]) for r in run_ids]
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n--- step failures ---\n{step_failures(deploy, run_ids)}") from None
            yield deploy, finished
        finally:
            deploy.stop_daemon()


def test_the_instance_keeps_runs_and_events_in_postgres(deployment, pg_database):
    deploy, finished = deployment
    with deploy.instance() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert isinstance(instance.run_launcher, LocalRunLauncher)
        assert instance.run_monitoring_enabled
    stored = {row[0] for row in pg_database.query("SELECT run_id FROM runs")}
    assert {run.run_id for run in finished} <= stored


def test_two_runs_submitted_at_once_go_through_the_queue_and_succeed(deployment):
    deploy, finished = deployment
    with deploy.instance() as instance:
        for run in finished:
            assert run.status is DagsterRunStatus.SUCCESS
            # Queued, then started by the daemon through LocalRunLauncher (which tags what it launches).
            assert instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_ENQUEUED)
            assert instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_STARTING)
            assert HOST_TAG in instance.get_run_by_id(run.run_id).tags


def test_the_two_runs_executed_at_the_same_time(deployment):
    deploy, finished = deployment
    with deploy.instance() as instance:
        records = [instance.get_run_record_by_id(run.run_id) for run in finished]
    spans = [(r.start_time, r.end_time) for r in records]
    assert all(start is not None and end is not None and start < end for start, end in spans), spans
    assert max(start for start, _ in spans) < min(end for _, end in spans), (
        f"the runs took turns instead of writing the DuckLake at once: {spans}")


def test_both_runs_wrote_the_ducklake(deployment):
    from twilight_assets.resources import WarehouseResource

    warehouse = WarehouseResource()
    assert warehouse.backend().is_lake
    with warehouse.writer() as writer:
        progress = writer.query(
            "SELECT api_name, partition_key, status, rows FROM ingest_progress "
            "WHERE api_name IN ('trade_cal', 'stock_basic', 'index_basic') ORDER BY 1, 2", []
        )
        years = writer.query(
            "SELECT DISTINCT CAST(year(cal_date) AS VARCHAR) AS year FROM normalized_trade_cal ORDER BY 1", []
        )
        stocks = writer.query("SELECT count(*) AS n FROM normalized_stock_basic", [])["n"].item()
        indexes = writer.query("SELECT count(*) AS n FROM normalized_index_basic", [])["n"].item()
    assert sorted(progress["api_name"].unique()) == ["index_basic", "stock_basic", "trade_cal"]
    assert progress.loc[progress["api_name"] == "trade_cal", "partition_key"].tolist() == ["2024"]
    assert set(progress["status"]) == {"done"} and (progress["rows"] > 0).all()
    assert years["year"].tolist() == ["2024"]
    assert stocks > 0 and indexes > 0
