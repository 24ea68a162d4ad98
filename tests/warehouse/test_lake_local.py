"""A DuckLake whose catalog is a local DuckDB file (`TWILIGHT_WAREHOUSE=ducklake:<path>.ducklake`):
written, published as a copy of the catalog (its own WAL folded in first), read through
WarehouseReader at the published version, and maintained like a lake on PostgreSQL (the
last N published versions stay readable, older ones are expired). No server needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from twilight_assets.warehouse.archive import Archive
from twilight_assets.warehouse.backend import open_backend
from twilight_assets.warehouse.lake_snapshots import publications
from twilight_assets.warehouse.maintenance import maintain
from twilight_assets.warehouse.reader import WarehouseReader
from twilight_assets.warehouse.snapshots import publish_snapshot

from tests.warehouse.conftest import write_daily


@pytest.fixture
def local_lake(tmp_path: Path, monkeypatch):
    """A new local-catalog lake, named through the environment as a user would."""
    monkeypatch.setenv("TWILIGHT_WAREHOUSE", f"ducklake:{tmp_path / 'x.ducklake'}")
    monkeypatch.setenv("TWILIGHT_LAKE_DATA", str(tmp_path / "lake-data"))
    backend = open_backend()
    assert backend.is_lake and not backend.concurrent_writers
    assert backend.location.local_file == tmp_path / "x.ducklake"
    return backend


def _rows(reader: WarehouseReader) -> int:
    return reader.query("SELECT count(*) AS n FROM normalized_daily")["n"].item()


def test_a_local_catalog_lake_publishes_a_copy_that_readers_open_at_its_version(local_lake, tmp_path):
    snaps = tmp_path / "snaps"
    with local_lake.writer() as writer:
        write_daily(writer, "2024-01-02", n=30)
        first = publish_snapshot(writer, snaps)
        write_daily(writer, "2024-01-03", n=30)  # committed to the live catalog, and its WAL
        second = publish_snapshot(writer, snaps)
        write_daily(writer, "2024-01-04", n=30)  # never published
    assert first.path is not None and first.path.parent == snaps and first.version is not None
    assert first.table_rows["normalized_daily"] == 30 and second.table_rows["normalized_daily"] == 60
    assert second.version > first.version
    with WarehouseReader(snaps, backend=local_lake) as reader:  # CURRENT: the second
        assert reader.info.snapshot_id == second.snapshot_id
        assert _rows(reader) == 60
    with WarehouseReader(snaps, first.snapshot_id, backend=local_lake) as older:
        assert _rows(older) == 30
    # The lake itself records what was published (maintenance keeps those versions' files).
    with local_lake.writer() as writer, writer.quiesced() as conn:
        recorded = publications(conn)
    assert [(p["snapshot_id"], p["version"]) for p in recorded] == [
        (second.snapshot_id, second.version), (first.snapshot_id, first.version)]


def test_a_reader_opens_the_published_copy_while_the_writer_still_holds_the_lake(local_lake, tmp_path):
    snaps = tmp_path / "snaps"
    with local_lake.writer() as writer:
        write_daily(writer, "2024-01-02", n=10)
        publish_snapshot(writer, snaps)
        with WarehouseReader(snaps, backend=local_lake) as reader:
            write_daily(writer, "2024-01-03", n=10)
            assert _rows(reader) == 10


def test_maintenance_of_a_local_catalog_keeps_the_last_published_versions_and_expires_the_rest(
        local_lake, tmp_path):
    snaps = tmp_path / "snaps"
    infos = []
    with local_lake.writer() as writer:
        for i in range(4):
            write_daily(writer, f"2024-01-0{i + 2}", n=400)
            write_daily(writer, f"2024-01-0{i + 2}", n=400, close=11.0)  # a rewrite leaves old files
            infos.append(publish_snapshot(writer, snaps, keep=4))
        with writer.quiesced() as conn:
            versions_before = conn.execute("SELECT count(*) FROM ducklake_snapshots('lake')").fetchall()[0][0]
        parquet_before = sorted((tmp_path / "lake-data" / "main" / "normalized_daily").rglob("*.parquet"))
        lines = maintain(writer, Archive(tmp_path / "archive"), keep=2)
        parquet_after = sorted((tmp_path / "lake-data" / "main" / "normalized_daily").rglob("*.parquet"))
        with writer.quiesced() as conn:
            oldest = conn.execute("SELECT min(snapshot_id) FROM ducklake_snapshots('lake')").fetchall()[0][0]
            versions_after = conn.execute("SELECT count(*) FROM ducklake_snapshots('lake')").fetchall()[0][0]
        assert writer.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 1600
    assert any(f"kept the last 2 published versions readable: [{infos[3].version}, {infos[2].version}]"
               in line for line in lines), lines
    assert any(line.startswith("expired ") and not line.startswith("expired 0 ") for line in lines), lines
    assert oldest == infos[2].version and versions_after < versions_before
    for info, rows in ((infos[3], 1600), (infos[2], 1200)):  # published and kept: still readable
        with WarehouseReader(snaps, info.snapshot_id, backend=local_lake) as reader:
            assert _rows(reader) == rows
            assert reader.query("SELECT min(close) AS c FROM normalized_daily")["c"].item() >= 11.0
    # The files only expired versions read (each day's first write, rewritten since) are gone.
    assert len(parquet_before) == 8 and len(parquet_after) == 5
    # The catalog file is whole on its own after maintenance (its WAL folded in).
    assert not (tmp_path / "x.ducklake.wal").exists()
    with WarehouseReader(snaps, backend=local_lake) as reader:
        assert reader.info.snapshot_id == infos[3].snapshot_id and _rows(reader) == 1600


def test_maintenance_with_nothing_published_expires_nothing(local_lake, tmp_path):
    with local_lake.writer() as writer:
        write_daily(writer, "2024-01-02", n=200)
        write_daily(writer, "2024-01-02", n=200, close=11.0)
        with writer.quiesced() as conn:
            before = conn.execute("SELECT count(*) FROM ducklake_snapshots('lake')").fetchall()[0][0]
        maintain(writer, Archive(tmp_path / "archive"), keep=2)
        with writer.quiesced() as conn:
            assert conn.execute("SELECT min(snapshot_id) FROM ducklake_snapshots('lake')").fetchall()[0][0] == 0
            assert conn.execute("SELECT count(*) FROM ducklake_snapshots('lake')").fetchall()[0][0] >= before
        assert writer.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 200
