"""What the warehouse settings promise, on both backends: DuckDB never fetches an extension
from the network, a new DuckLake on PostgreSQL without TWILIGHT_LAKE_DATA says what to set,
and the per-API fetch lease lives with the warehouse the run is configured to write."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from twilight_assets.assets.datasets import build_dataset_asset
from twilight_assets.errors import WarehouseError
from twilight_assets.resources import TushareResource, WarehouseResource
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.backend import open_backend
from twilight_assets.warehouse.reader import WarehouseReader
from twilight_assets.warehouse.snapshots import publish_snapshot
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.services import create_database, drop_database
from tests.warehouse.conftest import write_daily

OFFLINE = "SELECT current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions')"


def _refuses_unloaded_extensions(conn: duckdb.DuckDBPyConnection) -> None:
    assert conn.execute(OFFLINE).fetchall() == [(False, False)]
    # spatial is in no wheel of ours: with auto-install on, DuckDB would download it here.
    with pytest.raises(duckdb.CatalogException, match="spatial"):
        conn.execute("SELECT ST_Point(1, 2)").fetchall()


def test_no_connection_ever_downloads_an_extension(backend, tmp_path):
    with WarehouseWriter(backend) as writer:
        write_daily(writer, "2024-01-02", n=3)
        with writer.quiesced() as conn:
            _refuses_unloaded_extensions(conn)
        publish_snapshot(writer, tmp_path / "snaps")
    with WarehouseReader(tmp_path / "snaps", backend=backend) as reader:
        _refuses_unloaded_extensions(reader._conn)
        assert reader.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 3


def test_a_new_lake_on_postgres_without_lake_data_says_to_set_it():
    database = create_database("no_lake_data")
    try:
        lake = open_backend(f"ducklake:postgres:{database.conninfo}", data_path="")
        with pytest.raises(WarehouseError) as caught:
            WarehouseWriter(lake)
        message = str(caught.value)
        assert "does not exist yet, and creating it needs TWILIGHT_LAKE_DATA" in message
        assert "s3://" in message and "DATA_PATH" not in message
        with pytest.raises(WarehouseError, match="there is no DuckLake at ducklake:postgres:.* yet"):
            lake.connect(read_only=True)
    finally:
        drop_database(database)


def test_the_fetch_lease_is_taken_where_the_configured_warehouse_is(tmp_path, monkeypatch, simulator):
    """Not where TWILIGHT_WAREHOUSE points: a run configured with another warehouse takes
    its lease there (a file's lease folder, or the lake's PostgreSQL)."""
    monkeypatch.chdir(tmp_path)  # TWILIGHT_WAREHOUSE is unset: its default is data/warehouse.duckdb here
    monkeypatch.setenv("TWILIGHT_SOURCE", "simulator")
    monkeypatch.setenv("TUSHARE_HTTP_URL", simulator.url)
    configured = tmp_path / "elsewhere" / "warehouse.duckdb"
    warehouse = WarehouseResource(warehouse=str(configured), snapshot_dir=str(tmp_path / "snaps"))
    result = dg.materialize([build_dataset_asset(REGISTRY["trade_cal"])], partition_key="2024",
                            resources={"warehouse": warehouse, "tushare": TushareResource(max_retries=0)})
    assert result.success
    assert (configured.parent / "leases" / "fetch-trade_cal.lock").exists()
    assert not (tmp_path / "data").exists()


def test_on_a_lake_the_configured_warehouses_postgres_holds_the_fetch_lease(template_lake, tmp_path, monkeypatch):
    from tests.backends import lake_copy

    monkeypatch.setenv("TWILIGHT_WAREHOUSE", str(tmp_path / "env.duckdb"))
    database = lake_copy(template_lake, "fetch_lease")
    try:
        warehouse = WarehouseResource(warehouse=f"ducklake:postgres:{database.conninfo}")
        with TushareResource().fetch_lease("daily", warehouse=warehouse):
            held = database.query(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
            assert held[0][0] == 1
        assert not Path(tmp_path / "leases").exists()  # nothing beside TWILIGHT_WAREHOUSE's file
    finally:
        drop_database(database)
