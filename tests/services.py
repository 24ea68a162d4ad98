"""Real servers for the tests: PostgreSQL and an S3-protocol object store.

PostgreSQL is a throwaway cluster that `scripts/test_services.sh run` starts around the
whole test run (`make test` does) and names in TWILIGHT_TEST_PG; each test module gets a
database of its own on it. A test that needs PostgreSQL fails, with a message saying how to
get one, when that variable is unset: it never skips, so CI cannot pass without the server.

The object store is moto's S3 server, started in this process on 127.0.0.1 for the session;
each module gets a bucket of its own and the environment (keys, region, endpoint, plain
HTTP) that the warehouse's S3 settings read (twilight_assets/warehouse/object_store.py:
neither DuckDB's httpfs nor pyarrow takes a path-style endpoint from the environment, so
they are made from AWS_ENDPOINT_URL, the variable AWS's own tools read).

Registered for the whole suite by `pytest_plugins` in tests/conftest.py.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

PG_ENV = "TWILIGHT_TEST_PG"
PG_DIR_ENV = "TWILIGHT_TEST_PG_DIR"
SERVICES_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "test_services.sh"
NO_CLUSTER = (
    f"{PG_ENV} is not set: this test needs the throwaway PostgreSQL cluster. Run the suite "
    f"with `make test` (or `make test PYTEST_ARGS=<tests>`), or wrap pytest yourself: "
    f"scripts/test_services.sh run .venv/bin/python -m pytest <tests>"
)


# --- PostgreSQL ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PostgresDatabase:
    """One database on the test cluster."""

    host: str
    port: int
    user: str
    dbname: str

    @property
    def conninfo(self) -> str:
        """libpq key=value form, as `ducklake:postgres:<conninfo>` and psycopg take it."""
        return f"host={self.host} port={self.port} user={self.user} dbname={self.dbname}"

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"

    def connect(self):
        """A psycopg2 connection (dagster-postgres' driver, the one the project uses)."""
        import psycopg2

        return psycopg2.connect(self.conninfo)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run one statement in autocommit; its rows (empty for a statement with none)."""
        conn = self.connect()
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()


def cluster_conninfo() -> str:
    """The cluster's maintenance database (`postgres`), or a test failure naming the fix."""
    conninfo = os.environ.get(PG_ENV, "").strip()
    if not conninfo:
        pytest.fail(NO_CLUSTER, pytrace=False)
    return conninfo


def _cluster_database(conninfo: str, dbname: str) -> PostgresDatabase:
    from psycopg2.extensions import parse_dsn

    params = parse_dsn(conninfo)
    return PostgresDatabase(
        host=str(params.get("host", "127.0.0.1")),
        port=int(params.get("port", 5432)),
        user=str(params.get("user", "postgres")),
        dbname=dbname,
    )


def create_database(label: str, *, template: str | None = None) -> PostgresDatabase:
    """A new database named after `label` and a random suffix (test modules of concurrent
    runs never share one): empty, or a copy of `template` (PostgreSQL copies its files,
    which is much faster than building the copy's contents again)."""
    conninfo = cluster_conninfo()
    stem = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40] or "test"
    name = f"t_{stem}_{secrets.token_hex(4)}"
    maintenance = _cluster_database(conninfo, "postgres")
    maintenance.query(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return _cluster_database(conninfo, name)


def drop_database(database: PostgresDatabase) -> None:
    """Drop it even while a leftover session (a killed child's) is still connected."""
    _cluster_database(cluster_conninfo(), "postgres").query(
        f'DROP DATABASE IF EXISTS "{database.dbname}" WITH (FORCE)')


def restart_postgres() -> None:
    """Stop the cluster (ending every session) and start it again on the same port."""
    cluster_conninfo()
    subprocess.run([str(SERVICES_SCRIPT), "restart", os.environ[PG_DIR_ENV]], check=True)


@pytest.fixture(scope="session")
def pg_cluster() -> PostgresDatabase:
    """The test cluster's `postgres` database (for CREATE DATABASE and the like)."""
    return _cluster_database(cluster_conninfo(), "postgres")


@pytest.fixture(scope="module")
def pg_database(request: pytest.FixtureRequest) -> Iterator[PostgresDatabase]:
    """A fresh database for this test module, dropped after it."""
    database = create_database(request.module.__name__.rsplit(".", 1)[-1])
    try:
        yield database
    finally:
        drop_database(database)


# --- S3 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class S3Store:
    """A bucket on the test S3 server, and how clients reach it."""

    endpoint_url: str
    bucket: str
    access_key_id: str = "twilight-test"
    secret_access_key: str = "twilight-test-secret"
    region: str = "us-east-1"

    @property
    def endpoint(self) -> str:
        """host:port, as DuckDB and pyarrow take it."""
        return urlsplit(self.endpoint_url).netloc

    @property
    def use_ssl(self) -> bool:
        return urlsplit(self.endpoint_url).scheme == "https"

    def url(self, key: str = "") -> str:
        return f"s3://{self.bucket}/{key.lstrip('/')}"

    @property
    def env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            # httpfs reads these two at LOAD; pyarrow and boto3 take the endpoint from the URL.
            "DUCKDB_S3_ENDPOINT": self.endpoint,
            "DUCKDB_S3_USE_SSL": "true" if self.use_ssl else "false",
            # Credentials come from the environment: never ask an instance metadata service.
            "AWS_EC2_METADATA_DISABLED": "true",
        }


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3-protocol server on 127.0.0.1 for the session; its endpoint URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def s3_store(s3_server: str, request: pytest.FixtureRequest) -> Iterator[S3Store]:
    """A new bucket for this test module, with the environment pointing at it while the
    module runs (child processes it starts inherit it)."""
    import boto3

    stem = re.sub(r"[^a-z0-9]+", "-", request.module.__name__.rsplit(".", 1)[-1].lower()).strip("-")[:40]
    store = S3Store(endpoint_url=s3_server, bucket=f"{stem}-{secrets.token_hex(4)}")
    client = boto3.client(
        "s3", endpoint_url=store.endpoint_url, aws_access_key_id=store.access_key_id,
        aws_secret_access_key=store.secret_access_key, region_name=store.region,
    )
    client.create_bucket(Bucket=store.bucket)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in store.env.items():
            mp.setenv(key, value)
        yield store
