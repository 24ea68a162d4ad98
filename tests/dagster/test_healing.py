"""Self-healing coverage end to end: a warehouse with injected source faults (a day that
fails once, a day that always fails), open days never ingested and stocks never ingested,
one published snapshot, then `dagster-daemon run` with coverage_healing_sensor on and no
human action: every gap closes but the one the source never serves, which is tried its
budget's worth, reported on the asset, and left alone."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import time
from contextlib import nullcontext

import dagster as dg
import pytest

from tests.backends import live_rows
from tests.deploy.daemon import BIN, ROOT, Deployment
from tushare_sim import SimulatorConfig, SimulatorServer
from twilight_assets.entity_partitions import list_codes, register
from twilight_assets.freshness import due_dates
from twilight_assets.healing.sensor import ATTEMPT_TAG, BATCH_TAG, REASON_TAG, SENSOR_NAME
from twilight_assets.ingest import ingest_partitions
from twilight_assets.sources.tushare import RateLimiter, TushareSource
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.snapshots import publish_snapshot
from twilight_assets.warehouse.writer import WarehouseWriter

pytestmark = pytest.mark.slow
BUDGET = 2
TIMEOUT_S = 420


def _open_days(writer: WarehouseWriter, first: dt.date, last: dt.date) -> list[str]:
    rows = writer.query("SELECT DISTINCT cal_date FROM normalized_trade_cal WHERE exchange = 'SSE' "
                        "AND is_open = 1 AND cal_date BETWEEN ? AND ? ORDER BY cal_date", [first, last])
    return [d.date().isoformat() for d in rows["cal_date"]]


def _ingest(writer: WarehouseWriter, source: TushareSource, api: str, keys: list) -> None:
    ingest_partitions(REGISTRY[api], keys, source=source, open_writer=lambda: nullcontext(writer), workers=2)


@pytest.fixture(scope="module")
def healing(tmp_path_factory):
    due = due_dates()[1]
    config = SimulatorConfig(seed=23, n_stocks=10, n_indexes=1, start=due - dt.timedelta(days=120), as_of=due)
    home, data = tmp_path_factory.mktemp("heal-home"), tmp_path_factory.mktemp("heal-data")
    shutil.copy(ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    with SimulatorServer(config) as server, pytest.MonkeyPatch.context() as mp:
        env = {
            "DAGSTER_HOME": str(home), "TWILIGHT_WAREHOUSE": str(data / "warehouse.duckdb"),
            "TWILIGHT_SNAPSHOT_DIR": str(data / "snapshots"), "TWILIGHT_ARCHIVE": str(data / "archive"),
            "TWILIGHT_SOURCE": "simulator", "TUSHARE_HTTP_URL": server.url,
            "TWILIGHT_HEAL_INTERVAL_S": "5", "TWILIGHT_HEAL_ATTEMPTS": str(BUDGET), "TWILIGHT_HEAL_BACKOFF_S": "0",
        }
        for key, value in env.items():
            mp.setenv(key, value)
        source = TushareSource(server.token, server.url, source_name="simulator", rate_limiter=RateLimiter({}),
                               max_retries=0, today=lambda: due)
        with WarehouseWriter(env["TWILIGHT_WAREHOUSE"]) as writer:
            _ingest(writer, source, "trade_cal", sorted({str(due.year), str((due - dt.timedelta(days=40)).year)}))
            _ingest(writer, source, "stock_basic", [None])
            days = _open_days(writer, due - dt.timedelta(days=30), due)
            heals, never = days[3], days[6]  # fails once; fails every time
            server.add_fault("missing_field", api_name="daily", field="close", times=1,
                             match={"trade_date": heals.replace("-", "")})
            server.add_fault("missing_field", api_name="daily", field="close",
                             match={"trade_date": never.replace("-", "")})
            _ingest(writer, source, "daily", days[:-2])  # the last two open days never asked for
            codes = list(server.universe.codes)
            _ingest(writer, source, "income", codes[:3])  # the other stocks never asked for
            with dg.DagsterInstance.get() as instance:
                register(instance, list_codes(writer))
            publish_snapshot(writer, data / "snapshots")
            before = writer.progress("daily")
        assert set(before[before["status"] == "failed"]["partition_key"]) == {heals, never}

        deploy = Deployment(home=home, workspace=ROOT / "workspace.yaml", env=dict(__import__("os").environ))
        started = subprocess.run([str(BIN / "dagster"), "sensor", "start", "-w", str(deploy.workspace), SENSOR_NAME],
                                 env=deploy.env, cwd=home, capture_output=True, text=True, timeout=120)
        assert started.returncode == 0, started.stdout + started.stderr
        deploy.start_daemon()
        try:
            yield _wait_until_settled(deploy, env["TWILIGHT_WAREHOUSE"], never), days, heals, never, codes
        finally:
            deploy.stop_daemon()


def _heal_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    return list(instance.get_runs(filters=dg.RunsFilter(tags={"dagster/sensor_name": SENSOR_NAME})))


def _wait_until_settled(deploy: Deployment, warehouse: str, never: str):
    """Until the never-served day is reported exhausted and no heal run is left to finish."""
    deadline = time.monotonic() + TIMEOUT_S
    with deploy.instance() as instance:
        while time.monotonic() < deadline:
            if deploy.daemon.poll() is not None:
                raise AssertionError(f"the daemon exited:\n{deploy.daemon_log()}")
            observed = instance.fetch_observations(dg.AssetKey("daily"), limit=5).records
            runs = _heal_runs(instance)
            if observed and runs and all(r.is_finished for r in runs):
                return instance.get_runs(filters=dg.RunsFilter(tags={"dagster/sensor_name": SENSOR_NAME})), observed
            time.sleep(2)
    raise AssertionError(f"the gaps did not settle in {TIMEOUT_S}s:\n{deploy.daemon_log()}")


def test_the_gaps_close_with_no_human_action(healing):
    (runs, _), days, heals, never, codes = healing
    warehouse = __import__("os").environ["TWILIGHT_WAREHOUSE"]
    daily = dict(live_rows(warehouse, "SELECT partition_key, status FROM ingest_progress WHERE api_name = 'daily'"))
    assert {d: daily.get(d) for d in days if d != never} == {d: "done" for d in days if d != never}
    income = dict(live_rows(warehouse, "SELECT partition_key, status FROM ingest_progress WHERE api_name = 'income'"))
    assert income == {c: "done" for c in codes}
    assert runs and all(r.tags.get(REASON_TAG) and r.tags.get(BATCH_TAG) for r in runs)


def test_a_partition_past_its_budget_is_reported_and_left_alone(healing):
    (runs, observed), days, heals, never, codes = healing
    warehouse = __import__("os").environ["TWILIGHT_WAREHOUSE"]
    [(status, attempts, error)] = live_rows(
        warehouse, "SELECT status, attempts, last_error FROM ingest_progress WHERE api_name = 'daily' "
        "AND partition_key = ?", [never])
    assert status == "failed" and attempts == 1 + BUDGET and "close" in error
    asking = [r for r in runs if r.tags.get("dagster/asset_partition_range_start", "") <= never
              <= r.tags.get("dagster/asset_partition_range_end", "") or r.tags.get("dagster/partition") == never]
    assert sorted(int(r.tags[ATTEMPT_TAG]) for r in asking) == list(range(1, BUDGET + 1))
    exhausted = observed[0].asset_observation.metadata["heal/exhausted"].value
    assert [e["partition"] for e in exhausted] == [never] and "close" in exhausted[0]["reason"]
