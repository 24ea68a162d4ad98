"""The two warehouse backends as fixtures, for every test that should hold on both.

`backend` runs a test on a DuckDB file and on a DuckLake whose catalog is a database on the
test PostgreSQL cluster (tests/services.py) and whose data is a folder. Each test gets an
empty warehouse of its own: a copy of a file made once, or a database copied from a
template (PostgreSQL's CREATE DATABASE ... TEMPLATE) whose schema was made once.

Registered for the whole suite by `pytest_plugins` in tests/conftest.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from twilight_assets.warehouse.backend import Backend, open_backend
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.services import PostgresDatabase, create_database, drop_database

BACKENDS = ("file", "ducklake")
"""Every test that takes `backend` (or `writer`) runs on both: a DuckDB file, and a
DuckLake with its catalog on the test PostgreSQL cluster and its data in a folder."""


@pytest.fixture(scope="session")
def template_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the schema applied, made once; tests copy it (it is closed)."""
    path = tmp_path_factory.mktemp("template") / "warehouse.duckdb"
    WarehouseWriter(path).close()
    return path


@pytest.fixture(scope="session")
def template_lake(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A DuckLake catalog database with the schema applied, made once; tests get a copy
    (PostgreSQL's CREATE DATABASE ... TEMPLATE). Its data path is shared, which DuckLake's
    uniquely named files allow; each copy has its own catalog."""
    database = create_database("lake_template")
    data = tmp_path_factory.mktemp("lake-data")
    WarehouseWriter(open_backend(f"ducklake:postgres:{database.conninfo}", data_path=str(data))).close()
    yield database.dbname
    drop_database(database)


def lake_copy(template: str, label: str) -> PostgresDatabase:
    return create_database(label, template=template)


@pytest.fixture
def warehouse_path(template_warehouse: Path, tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(template_warehouse, path)
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A new, empty warehouse on each backend in turn."""
    if request.param == "file":
        yield open_backend(str(request.getfixturevalue("warehouse_path")))
        return
    database = lake_copy(request.getfixturevalue("template_lake"), request.node.name)
    try:
        yield open_backend(f"ducklake:postgres:{database.conninfo}")
    finally:
        drop_database(database)




def live_rows(warehouse: str, sql: str, params: list | None = None) -> list[tuple]:
    """Read the live warehouse between runs (tests only), whichever backend it is on: a
    file under the writer lease, a DuckLake as it is now."""
    backend = open_backend(warehouse)
    with backend.writer() as writer, writer.quiesced() as conn:
        return conn.execute(sql, params or []).fetchall()


def warehouse_env(kind: str, data: Path, template_lake: str | None, label: str) -> tuple[dict[str, str], object]:
    """TWILIGHT_WAREHOUSE (and TWILIGHT_SNAPSHOT_DIR) for a new warehouse of `kind`, and what
    to drop afterwards (a lake's catalog database; None for a file)."""
    env = {"TWILIGHT_SNAPSHOT_DIR": str(data / "snapshots")}
    if kind == "file":
        return {**env, "TWILIGHT_WAREHOUSE": str(data / "warehouse.duckdb")}, None
    database = lake_copy(template_lake, label)
    return {**env, "TWILIGHT_WAREHOUSE": f"ducklake:postgres:{database.conninfo}"}, database
