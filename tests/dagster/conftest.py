"""A real Dagster instance in a temporary DAGSTER_HOME (with the project's pools),
a real DuckDB warehouse, and the shared simulator over HTTP."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dagster_env(tmp_path_factory, simulator):
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    data = tmp_path_factory.mktemp("data")
    env = {
        "DAGSTER_HOME": str(home),
        "TWILIGHT_WAREHOUSE": str(data / "warehouse.duckdb"),
        "TWILIGHT_SNAPSHOT_DIR": str(data / "snapshots"),
        "TWILIGHT_SOURCE": "simulator",
        "TUSHARE_HTTP_URL": simulator.url,
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("TUSHARE_TOKEN", raising=False)
        for key, value in env.items():
            mp.setenv(key, value)
        yield env


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
