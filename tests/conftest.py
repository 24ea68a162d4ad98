"""Shared fixtures: one Tushare simulator for the whole session, and real `tushare`
clients pointed at it.

The simulator's config is fixed (as_of included) so every run sees the same market.
Faults a test adds are cleared after that test, so the shared server stays clean.
"""

from __future__ import annotations

import datetime as dt

import pytest
import tushare.pro.client

from tushare_sim import SimulatorConfig, SimulatorServer

# PostgreSQL and S3 fixtures for every test directory (see tests/services.py).
pytest_plugins = ["tests.services", "tests.backends"]

SIMULATOR_CONFIG = SimulatorConfig(
    seed=7,
    n_stocks=24,
    n_indexes=8,
    start=dt.date(2023, 1, 3),
    as_of=dt.date(2024, 6, 28),
)


def make_data_api(server: SimulatorServer, token: str | None = None, timeout: float = 30) -> tushare.pro.client.DataApi:
    """The real SDK's DataApi, sending its requests to `server`."""
    api = tushare.pro.client.DataApi(server.token if token is None else token, timeout=timeout)
    api._DataApi__http_url = server.url  # the SDK keeps its endpoint in a name-mangled attribute
    return api


@pytest.fixture(scope="session", autouse=True)
def _session_archive(tmp_path_factory: pytest.TempPathFactory):
    """One raw archive for the session (TWILIGHT_ARCHIVE), never a developer's own: tests
    that write responses find them there again when they rebuild, and child processes
    inherit it. Where the warehouse is, each test says."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("TWILIGHT_WAREHOUSE", "TWILIGHT_LAKE_DATA", "TWILIGHT_SNAPSHOT_DIR",
                     "TWILIGHT_ALLOW_MIXED_SOURCES"):
            mp.delenv(name, raising=False)
        mp.setenv("TWILIGHT_ARCHIVE", str(tmp_path_factory.mktemp("archive")))
        yield


SOURCE_VARIABLES = ("TUSHARE_TOKEN", "TWILIGHT_SOURCE", "TUSHARE_HTTP_URL")


@pytest.fixture(scope="session", autouse=True)
def _source_chosen_by_each_test():
    """A developer's own TUSHARE_TOKEN or TWILIGHT_SOURCE must not decide where a test
    fetches from (nor be sent to a test server): every test that needs a source sets it."""
    with pytest.MonkeyPatch.context() as mp:
        for name in SOURCE_VARIABLES:
            mp.delenv(name, raising=False)
        yield


@pytest.fixture(scope="session")
def simulator() -> SimulatorServer:
    """The session's simulator (SIMULATOR_CONFIG), started once."""
    with SimulatorServer(SIMULATOR_CONFIG) as server:
        yield server


@pytest.fixture(autouse=True)
def _clear_simulator_faults(request: pytest.FixtureRequest):
    """After any test that used the shared simulator, drop the faults it added."""
    yield
    if "simulator" in request.fixturenames:
        request.getfixturevalue("simulator").clear_faults()


@pytest.fixture
def tushare_api(simulator: SimulatorServer) -> tushare.pro.client.DataApi:
    """A real tushare DataApi talking to the shared simulator."""
    return make_data_api(simulator)
