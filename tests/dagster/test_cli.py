"""The commands a user types, as subprocesses: `dagster asset materialize` and
`twilight partitions sync`, on a temporary DAGSTER_HOME and the shared simulator."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.backends import live_rows

from tests.dagster.conftest import PROJECT

TIMEOUT_S = 300


def run(env: dict, *args: str, drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    full = {k: v for k, v in {**os.environ, **env}.items() if k not in drop}
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT, env=full, capture_output=True, text=True, timeout=TIMEOUT_S,
    )


def materialize(env: dict, *args: str) -> subprocess.CompletedProcess:
    return run(env, "-m", "dagster", "asset", "materialize", "-m", "twilight_assets.definitions", "-a", "defs", *args)


def twilight(env: dict, *args: str, drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return run(env, "-m", "twilight_assets.cli", *args, drop=drop)


def output(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout + proc.stderr


def live(env: dict, sql: str, params=None) -> list[tuple]:
    """Read the live warehouse between runs (tests only)."""
    return live_rows(env["TWILIGHT_WAREHOUSE"], sql, params)


def new_home(tmp_path: Path, name: str) -> str:
    home = tmp_path / name
    home.mkdir()
    shutil.copy(PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return str(home)


def partitions_in(home: str, name: str) -> list[str]:
    with dg.DagsterInstance.from_config(home) as instance:
        return instance.get_dynamic_partitions(name)


@pytest.fixture(scope="module")
def listed(dagster_env) -> str:
    """stock_basic materialized from the CLI; returns a stock code it holds."""
    with dg.DagsterInstance.get():
        pass  # create the instance's storage once, before any CLI run
    proc = materialize(dagster_env, "--select", "stock_basic")
    assert proc.returncode == 0, output(proc)[-4000:]
    return live(dagster_env, "SELECT min(ts_code) FROM normalized_stock_basic WHERE list_status = 'L'")[0][0]


def test_a_stock_materializes_right_after_stock_basic_with_no_sensor(listed, dagster_env):
    proc = materialize(dagster_env, "--select", "income", "--partition", listed)
    assert proc.returncode == 0, output(proc)[-4000:]
    assert live(dagster_env, "SELECT count(*) FROM normalized_income WHERE ts_code = ?", [listed])[0][0] > 0
    codes = [r[0] for r in live(dagster_env, "SELECT DISTINCT ts_code FROM normalized_stock_basic ORDER BY 1")]
    assert partitions_in(dagster_env["DAGSTER_HOME"], "stocks") == codes


def test_a_reversed_range_exits_non_zero_naming_it(listed, dagster_env):
    # Dagster accepts it (both ends are partitions) and runs it with no partitions at all.
    proc = materialize(dagster_env, "--select", "daily", "--partition-range", "2024-06-28...2024-06-03")
    text = output(proc)
    assert proc.returncode != 0, text[-4000:]
    assert "daily: partition range 2024-06-28...2024-06-03 holds no partitions; nothing was fetched" in text
    with dg.DagsterInstance.get() as instance:
        assert instance.get_latest_materialization_event(dg.AssetKey("daily")) is None


def test_partitions_sync_fills_an_instance_that_lost_them(listed, dagster_env, tmp_path):
    codes = [r[0] for r in live(dagster_env, "SELECT DISTINCT ts_code FROM normalized_stock_basic ORDER BY 1")]
    lost = {**dagster_env, "DAGSTER_HOME": new_home(tmp_path, "lost")}
    if not (Path(dagster_env["TWILIGHT_SNAPSHOT_DIR"]) / "CURRENT").exists():
        proc = twilight(lost, "partitions", "sync")
        assert proc.returncode == 1
        assert "no snapshot has been published" in proc.stderr and "--live" in proc.stderr
    # --live reads the warehouse itself (under the writer lease).
    proc = twilight(lost, "partitions", "sync", "--live")
    assert proc.returncode == 0, output(proc)
    assert f"stocks: {len(codes)} added ({', '.join(codes[:3])}" in proc.stdout
    assert partitions_in(lost["DAGSTER_HOME"], "stocks") == codes
    # From the published snapshot, the default.
    published = materialize(dagster_env, "--select", "warehouse_snapshot")
    assert published.returncode == 0, output(published)[-4000:]
    fresh = {**dagster_env, "DAGSTER_HOME": new_home(tmp_path, "fresh")}
    proc = twilight(fresh, "partitions", "sync")
    assert proc.returncode == 0, output(proc)
    assert "from snapshot " in proc.stdout and f"stocks: {len(codes)} added" in proc.stdout
    assert partitions_in(fresh["DAGSTER_HOME"], "stocks") == codes
    again = twilight(fresh, "partitions", "sync")
    assert f"stocks: none added; all {len(codes)} already registered" in again.stdout
    assert partitions_in(fresh["DAGSTER_HOME"], "stocks") == codes


def test_partitions_sync_needs_dagster_home(dagster_env):
    proc = twilight(dagster_env, "partitions", "sync", drop=("DAGSTER_HOME",))
    assert proc.returncode == 2 and "DAGSTER_HOME is not set" in proc.stderr
