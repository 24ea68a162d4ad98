"""The test servers are real and reachable: PostgreSQL from the throwaway cluster, S3 from
moto, DuckDB's httpfs from its wheel. And a test that needs PostgreSQL without the cluster
fails, saying how to get one, instead of skipping."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from twilight_assets.warehouse import extensions
from twilight_assets.warehouse.object_store import S3Settings

from tests.services import NO_CLUSTER, PG_ENV, PostgresDatabase, S3Store, restart_postgres

ROOT = Path(__file__).resolve().parents[2]


def test_psycopg2_creates_and_reads_a_table_in_a_database_of_its_own(pg_database: PostgresDatabase):
    assert pg_database.dbname not in ("postgres", "template1")
    pg_database.query("CREATE TABLE probe (id bigint, name text)")
    pg_database.query("INSERT INTO probe VALUES (1, 'a'), (2, 'b')")
    assert pg_database.query("SELECT current_database(), count(*) FROM probe") == [(pg_database.dbname, 2)]
    assert pg_database.query("SHOW listen_addresses") == [("127.0.0.1",)]


def test_the_cluster_restarts_and_sessions_reconnect(pg_database: PostgresDatabase):
    import psycopg2

    conn = pg_database.connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_postmaster_start_time()")
            before = cur.fetchone()[0]
        restart_postgres()
        with pytest.raises(psycopg2.OperationalError), conn.cursor() as cur:
            cur.execute("SELECT 1")
    finally:
        conn.close()
    assert pg_database.query("SELECT pg_postmaster_start_time()")[0][0] > before


def test_without_the_cluster_a_postgres_test_fails_and_says_how_to_get_one(tmp_path: Path):
    test = tmp_path / "test_needs_pg.py"
    test.write_text(textwrap.dedent("""
        def test_it(pg_database):
            raise AssertionError("reached the test body without a cluster")
    """))
    env = {k: v for k, v in os.environ.items() if k != PG_ENV}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.services",
         "--rootdir", str(tmp_path), str(test)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 error" in proc.stdout and "skipped" not in proc.stdout, proc.stdout
    assert NO_CLUSTER in proc.stdout


def test_duckdb_writes_and_reads_parquet_on_the_s3_server_with_httpfs_from_its_wheel(s3_store: S3Store):
    conn = duckdb.connect()
    extensions.load(conn, "httpfs")
    installed = conn.execute(
        "SELECT loaded, installed_from FROM duckdb_extensions() WHERE extension_name = 'httpfs'"
    ).fetchall()
    assert installed[0][0] is True and installed[0][1].endswith("httpfs.duckdb_extension"), installed
    settings = S3Settings.from_env()  # what the warehouse and the archive use, from the environment
    conn.execute(settings.duckdb_secret_sql())
    url = s3_store.url("smoke/numbers.parquet")
    conn.execute(f"COPY (SELECT range AS n, 'x' || range AS s FROM range(1000)) TO '{url}' (FORMAT parquet)")
    assert conn.execute(f"SELECT count(*), sum(n) FROM read_parquet('{url}')").fetchall() == [(1000, 499500)]

    # pyarrow reads what DuckDB wrote, and DuckDB what pyarrow wrote.
    fs = settings.pyarrow_filesystem()
    assert pq.read_table(f"{s3_store.bucket}/smoke/numbers.parquet", filesystem=fs).num_rows == 1000
    pq.write_table(pa.table({"n": [7, 8]}), f"{s3_store.bucket}/smoke/from_arrow.parquet", filesystem=fs)
    assert conn.execute(f"SELECT sum(n) FROM '{s3_store.url('smoke/from_arrow.parquet')}'").fetchall() == [(15,)]


def test_the_s3_environment_names_the_local_endpoint_and_plain_http(s3_store: S3Store):
    assert os.environ["AWS_ENDPOINT_URL"] == s3_store.endpoint_url
    assert s3_store.endpoint_url.startswith("http://127.0.0.1:")
    assert os.environ["DUCKDB_S3_USE_SSL"] == "false"
    # httpfs picks the endpoint, keys and region up from the environment at LOAD.
    conn = duckdb.connect()
    extensions.load(conn, "httpfs")
    settings = dict(conn.execute(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('s3_endpoint', 's3_region', 's3_use_ssl')"
    ).fetchall())
    assert settings == {"s3_endpoint": s3_store.endpoint, "s3_region": s3_store.region, "s3_use_ssl": "false"}
