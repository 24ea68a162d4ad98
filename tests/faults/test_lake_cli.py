"""From the CLI, with TWILIGHT_WAREHOUSE=ducklake:postgres:...: four `dagster asset
materialize` processes write different datasets and partitions at once and all land, a
reader in another process reads the published snapshot while they write, and a run
killed with -9 leaves no partial partition."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.backends import lake_copy, live_rows
from tests.services import drop_database

ROOT = Path(__file__).resolve().parents[2]
READER = """
import sys, time
from twilight_assets.warehouse.reader import WarehouseReader
deadline, reads, seen = time.monotonic() + float(sys.argv[1]), 0, set()
while time.monotonic() < deadline:
    with WarehouseReader() as r:
        seen.add(int(r.query("SELECT count(*) AS n FROM normalized_stock_basic")["n"][0]))
        reads += 1
print(reads, len(seen))
"""


@pytest.fixture(scope="module")
def lake_env(tmp_path_factory, template_lake, simulator):
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    database = lake_copy(template_lake, "lake_cli")
    env = {**os.environ, "DAGSTER_HOME": str(home), "TWILIGHT_SOURCE": "simulator",
           "TUSHARE_HTTP_URL": simulator.url, "TWILIGHT_WAREHOUSE": f"ducklake:postgres:{database.conninfo}"}
    env.pop("TUSHARE_TOKEN", None)
    try:
        yield env
    finally:
        drop_database(database)


def materialize(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "twilight_assets.definitions",
         "-a", "defs", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )


def finished(proc: subprocess.Popen) -> str:
    out = proc.communicate(timeout=600)[0]
    assert proc.returncode == 0, out[-3000:]
    return out


@pytest.mark.slow
def test_four_cli_runs_write_a_ducklake_at_once_while_a_reader_reads(lake_env):
    finished(materialize(lake_env, "--select", "trade_cal", "--partition", "2024"))
    finished(materialize(lake_env, "--select", "stock_basic"))
    finished(materialize(lake_env, "--select", "warehouse_snapshot"))
    stock = live_rows(lake_env["TWILIGHT_WAREHOUSE"], "SELECT min(ts_code) FROM normalized_stock_basic")[0][0]
    reader = subprocess.Popen([sys.executable, "-c", READER, "20"], cwd=ROOT, env=lake_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    runs = [
        materialize(lake_env, "--select", "daily", "--partition-range", "2024-06-03...2024-06-14"),
        materialize(lake_env, "--select", "daily_basic", "--partition-range", "2024-06-03...2024-06-14"),
        materialize(lake_env, "--select", "adj_factor", "--partition-range", "2024-06-17...2024-06-28"),
        materialize(lake_env, "--select", "weekly", "--partition", stock),
    ]
    for run in runs:
        finished(run)
    out, err = reader.communicate(timeout=300)
    assert reader.returncode == 0, err[-3000:]
    reads, _ = map(int, out.split())
    assert reads > 0  # it read the published snapshot the whole time the writers wrote
    marks = dict(live_rows(lake_env["TWILIGHT_WAREHOUSE"],
                           "SELECT api_name, count(*) FROM ingest_progress WHERE status IN ('done', 'market_closed') "
                           "AND api_name IN ('daily', 'daily_basic', 'adj_factor', 'weekly') GROUP BY 1"))
    assert marks == {"daily": 10, "daily_basic": 10, "adj_factor": 10, "weekly": 1}
    dupes = live_rows(lake_env["TWILIGHT_WAREHOUSE"],
                      "SELECT count(*) - count(DISTINCT (ts_code, trade_date)) FROM normalized_daily")
    assert dupes == [(0,)]


@pytest.mark.slow
def test_a_cli_run_killed_9_on_a_ducklake_leaves_no_partial_partition(lake_env):
    finished(materialize(lake_env, "--select", "trade_cal", "--partition", "2024"))
    run = materialize(lake_env, "--select", "daily", "--partition-range", "2024-04-01...2024-05-31")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until a few days have landed
        done = live_rows(lake_env["TWILIGHT_WAREHOUSE"],
                         "SELECT count(*) FROM ingest_progress WHERE api_name = 'daily' "
                         "AND partition_key BETWEEN '2024-04-01' AND '2024-05-31' AND status = 'done'")[0][0]
        if done >= 3:
            break
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    rows = dict(live_rows(lake_env["TWILIGHT_WAREHOUSE"],
                          "SELECT strftime(trade_date, '%Y-%m-%d'), count(*) FROM normalized_daily "
                          "WHERE trade_date BETWEEN '2024-04-01' AND '2024-05-31' GROUP BY 1"))
    ledger = {k: (s, n) for k, s, n in live_rows(
        lake_env["TWILIGHT_WAREHOUSE"],
        "SELECT partition_key, status, rows FROM ingest_progress WHERE api_name = 'daily' "
        "AND partition_key BETWEEN '2024-04-01' AND '2024-05-31'")}
    assert rows  # the kill came after some days landed, and they stayed
    for day, n in rows.items():  # every day with rows is whole and marked done
        assert ledger[day] == ("done", n), day
    finished(materialize(lake_env, "--select", "daily", "--partition-range", "2024-04-01...2024-05-31"))
    again = live_rows(lake_env["TWILIGHT_WAREHOUSE"],
                      "SELECT count(*) FROM ingest_progress WHERE api_name = 'daily' AND partition_key "
                      "BETWEEN '2024-04-01' AND '2024-05-31' AND status NOT IN ('done', 'market_closed')")
    assert again == [(0,)]
