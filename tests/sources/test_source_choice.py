"""Which source a step fetches from, by the rules of `config.source_settings`, through
the real TushareResource and the real tushare client: the classic server stands for
someone else's endpoint (Tushare, a proxy), the shared simulator for the simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from dagster._serdes import serialize_value

from tests.sources.classic_server import TOKEN
from twilight_assets.assets.datasets import build_dataset_asset
from twilight_assets.config import SIMULATOR_TOKEN
from twilight_assets.errors import SourceConfigError
from twilight_assets.resources import TushareResource, WarehouseResource
from twilight_assets.specs import get_spec

PROJECT = Path(__file__).resolve().parents[2]
VARIABLES = ("TUSHARE_TOKEN", "TWILIGHT_SOURCE", "TUSHARE_HTTP_URL")


@pytest.fixture
def env(monkeypatch):
    """Sets exactly the given source variables; the others are unset."""

    def choose(**values: str) -> None:
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return choose


def fetch_calendar(resource: TushareResource):
    with resource.source() as source:
        return source, source.fetch(get_spec("trade_cal"), "2024")


# --- TUSHARE_TOKEN set: Tushare ----------------------------------------------------------------


@pytest.mark.parametrize("choice", [None, "tushare", " Tushare "])
def test_a_token_chooses_tushare_at_the_given_endpoint(env, classic, choice):
    values = {"TUSHARE_TOKEN": f" {TOKEN}\n", "TUSHARE_HTTP_URL": classic.url}
    if choice is not None:
        values["TWILIGHT_SOURCE"] = choice
    env(**values)
    classic.requests.clear()
    source, result = fetch_calendar(TushareResource(max_retries=0))
    assert (source.source_name, source.http_url, result.source) == ("tushare", classic.url, "tushare")
    assert result.row_count > 0
    assert {r["token"] for r in classic.requests} == {TOKEN}  # stripped, and nothing else sent


def test_a_token_without_an_endpoint_goes_to_tushare_pro(env):
    env(TUSHARE_TOKEN=TOKEN)
    with TushareResource().source() as source:
        assert (source.source_name, source.http_url) == ("tushare", "http://api.waditu.com/dataapi")


def test_a_token_and_the_simulator_chosen_together_is_refused_naming_both(env, classic, simulator):
    env(TUSHARE_TOKEN=TOKEN, TWILIGHT_SOURCE="simulator", TUSHARE_HTTP_URL=simulator.url)
    calls = len(simulator.call_log)
    with pytest.raises(SourceConfigError) as raised:
        TushareResource().source()
    message = str(raised.value)
    assert "TUSHARE_TOKEN" in message and "TWILIGHT_SOURCE=simulator" in message and "drop one" in message
    assert TOKEN not in message and len(simulator.call_log) == calls


# --- TWILIGHT_SOURCE=simulator ---------------------------------------------------------------


@pytest.mark.parametrize("choice", ["simulator", "SIMULATOR "])
def test_choosing_the_simulator_sends_its_public_token_and_labels_rows_simulator(env, simulator, choice):
    env(TWILIGHT_SOURCE=choice, TUSHARE_HTTP_URL=simulator.url)
    calls = len(simulator.call_log)
    source, result = fetch_calendar(TushareResource(max_retries=0))
    assert (source.source_name, source.http_url, result.source) == ("simulator", simulator.url, "simulator")
    assert simulator.token == SIMULATOR_TOKEN and result.row_count > 0
    assert [c["outcome"] for c in simulator.call_log[calls:]] == ["ok", "ok"]  # SSE, SZSE


def test_choosing_the_simulator_without_its_address_says_how_to_start_one(env):
    env(TWILIGHT_SOURCE="simulator")
    with pytest.raises(SourceConfigError) as raised:
        TushareResource().source()
    message = str(raised.value)
    for hint in ("TUSHARE_HTTP_URL", "twilight simulator serve", "make demo", "make dev"):
        assert hint in message


# --- neither: refused, naming TUSHARE_TOKEN ------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "   "])
@pytest.mark.parametrize("choice", [None, "tushare"])
def test_an_endpoint_without_a_token_is_refused_and_nothing_is_sent(env, classic, token, choice):
    """Never the simulator's token to someone else's endpoint, never real data labelled
    simulator: with no token the endpoint is not called at all."""
    values = {"TUSHARE_HTTP_URL": classic.url}
    if token is not None:
        values["TUSHARE_TOKEN"] = token
    if choice is not None:
        values["TWILIGHT_SOURCE"] = choice
    env(**values)
    classic.requests.clear()
    with pytest.raises(SourceConfigError) as raised:
        TushareResource().source()
    message = str(raised.value)
    assert "TUSHARE_TOKEN" in message and "TUSHARE_HTTP_URL" in message
    assert ("blank" in message) == bool(token is not None)
    assert classic.requests == []


def test_tushare_chosen_without_a_token_is_refused_naming_it(env):
    env(TWILIGHT_SOURCE="tushare")
    with pytest.raises(SourceConfigError, match="TWILIGHT_SOURCE=tushare but TUSHARE_TOKEN is not set"):
        TushareResource().source()


def test_nothing_configured_is_refused_with_the_two_ways_forward(env):
    env()
    with pytest.raises(SourceConfigError) as raised:
        TushareResource().source()
    message = str(raised.value)
    for hint in ("TUSHARE_TOKEN", "TWILIGHT_SOURCE=simulator", "TUSHARE_HTTP_URL",
                 "twilight simulator serve", "make demo"):
        assert hint in message


def test_an_unknown_source_is_refused_naming_the_valid_ones(env, classic):
    env(TWILIGHT_SOURCE="prod", TUSHARE_TOKEN=TOKEN, TUSHARE_HTTP_URL=classic.url)
    with pytest.raises(SourceConfigError, match="TWILIGHT_SOURCE='prod' is not a source: set it to tushare or simulator"):
        TushareResource().source()


# --- in Dagster --------------------------------------------------------------------------------


def test_the_code_location_loads_with_nothing_configured(tmp_path):
    environ = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    environ["DAGSTER_HOME"] = str(tmp_path)
    code = ("from twilight_assets.definitions import defs; "
            "print(len(list(defs.get_repository_def().asset_graph.get_all_asset_keys())))")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=environ,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) >= 17


def _materialize_calendar(tmp_path: Path) -> tuple[dg.ExecuteInProcessResult, str]:
    """The run's result, and what the instance stored of it (the job snapshot holds every
    resource's config values) as text."""
    resources = {
        "warehouse": WarehouseResource(warehouse=str(tmp_path / "warehouse.duckdb"),
                                       snapshot_dir=str(tmp_path / "snapshots")),
        "tushare": TushareResource(max_retries=0, lease_dir=str(tmp_path / "leases")),
    }
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([build_dataset_asset(get_spec("trade_cal"))], instance=instance,
                                resources=resources, partition_key="2024", raise_on_error=False)
        run = instance.get_run_by_id(result.run_id)
        stored = [serialize_value(instance.get_job_snapshot(run.job_snapshot_id)), serialize_value(run)]
        stored += [serialize_value(e) for e in instance.all_logs(result.run_id)]
    return result, "\n".join(stored)


def test_a_step_with_nothing_configured_fails_saying_what_to_set(env, tmp_path):
    env()
    result, _ = _materialize_calendar(tmp_path)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error = failure.step_failure_data.error.cause  # Dagster wraps what the step raised
    assert error.cls_name == "SourceConfigError"
    assert "TUSHARE_TOKEN" in error.message and "TWILIGHT_SOURCE=simulator" in error.message


def test_the_token_stays_out_of_run_config_and_everything_the_instance_stores(env, classic, tmp_path):
    env(TUSHARE_TOKEN=TOKEN, TUSHARE_HTTP_URL=classic.url)
    classic.requests.clear()
    result, stored = _materialize_calendar(tmp_path)
    assert result.success and {r["token"] for r in classic.requests} == {TOKEN}
    assert "max_retries" in stored  # the stored job snapshot holds the resource's config
    assert TOKEN not in json.dumps(result.dagster_run.run_config, default=str)
    assert TOKEN not in stored
