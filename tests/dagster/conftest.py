"""A real Dagster instance in a temporary DAGSTER_HOME, a real warehouse on each backend in
turn (every module here runs twice: a DuckDB file, and a DuckLake on the test PostgreSQL
cluster), and the shared simulator over HTTP."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from tests.backends import BACKENDS, warehouse_env
from tests.services import drop_database

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=BACKENDS)
def dagster_env(request, tmp_path_factory, simulator):
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    data = tmp_path_factory.mktemp("data")
    template = request.getfixturevalue("template_lake") if request.param == "ducklake" else None
    warehouse, database = warehouse_env(request.param, data, template, request.module.__name__)
    env = {
        "DAGSTER_HOME": str(home),
        **warehouse,
        "TWILIGHT_SOURCE": "simulator",
        "TUSHARE_HTTP_URL": simulator.url,
    }
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.delenv("TUSHARE_TOKEN", raising=False)
            for key, value in env.items():
                mp.setenv(key, value)
            yield env
    finally:
        if database is not None:
            drop_database(database)


@pytest.fixture(scope="module")
def instance(dagster_env):
    # The instance the CLI and `make dev` would use: dagster.yaml from DAGSTER_HOME.
    with dg.DagsterInstance.get() as inst:
        yield inst


@pytest.fixture(scope="module")
def resources(dagster_env):
    from twilight_assets.resources import TushareResource, WarehouseResource

    return {
        "warehouse": WarehouseResource(
            warehouse=dagster_env["TWILIGHT_WAREHOUSE"],
            snapshot_dir=dagster_env["TWILIGHT_SNAPSHOT_DIR"],
        ),
        # Small waits: the shared simulator's quotas are generous, faults are injected.
        "tushare": TushareResource(workers=4, throttle_wait_s=0.2),
    }
