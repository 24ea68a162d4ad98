"""The maintenance job on both backends: a DuckLake (catalog on PostgreSQL or in a local
file) keeps its published snapshots readable and expires the rest; a warehouse file is
checkpointed; the raw archive loses its orphans."""

from __future__ import annotations

import os
import time

import pytest

from twilight_assets.assets.snapshot import SNAPSHOTS_KEPT
from twilight_assets.automation import maintenance_job
from twilight_assets.resources import WarehouseResource
from twilight_assets.warehouse.archive import GC_MIN_AGE, Archive
from twilight_assets.warehouse.backend import open_backend
from twilight_assets.warehouse.reader import WarehouseReader
from twilight_assets.warehouse.snapshots import publish_snapshot

from tests.warehouse.conftest import write_daily


def test_maintenance_keeps_what_readers_may_open_and_removes_what_nobody_names(backend, tmp_path):
    _maintenance_keeps_what_readers_may_open(backend, tmp_path)


def test_maintenance_of_a_lake_with_a_local_catalog(tmp_path):
    """ducklake:<path>.ducklake: published copies of the catalog stay readable too."""
    backend = open_backend(f"ducklake:{tmp_path / 'lake.ducklake'}", data_path=str(tmp_path / "lake-data"))
    _maintenance_keeps_what_readers_may_open(backend, tmp_path)


def _maintenance_keeps_what_readers_may_open(backend, tmp_path):
    archive = Archive(tmp_path / "archive")
    warehouse = WarehouseResource(warehouse=f"ducklake:{backend.location.target}" if backend.is_lake
                                  else backend.location.target,
                                  lake_data=backend.location.data_path,
                                  archive_dir=str(archive.root), snapshot_dir=str(tmp_path / "snaps"))
    infos = []
    with backend.writer() as writer:
        for i in range(SNAPSHOTS_KEPT + 2):
            write_daily(writer, f"2024-01-0{i + 2}", n=50)
            write_daily(writer, f"2024-01-0{i + 2}", n=50, close=11.0)
            infos.append(publish_snapshot(writer, tmp_path / "snaps", keep=SNAPSHOTS_KEPT))
    orphan = archive.store("daily", [{"params": {}, "fields": ["ts_code"], "items": [["600999.SH"]]}])
    old = time.time() - GC_MIN_AGE.total_seconds() - 3600  # old enough for gc to judge
    os.utime(tmp_path / "archive" / orphan.path, (old, old))

    result = maintenance_job.execute_in_process(resources={"warehouse": warehouse})
    assert result.success
    assert not (tmp_path / "archive" / orphan.path).exists()
    for info in infos[-SNAPSHOTS_KEPT:]:  # every snapshot a reader may open still opens
        with WarehouseReader(tmp_path / "snaps", info.snapshot_id, backend=backend) as reader:
            assert reader.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() > 0
    with backend.writer() as writer:  # and the live warehouse is whole
        assert writer.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 50 * len(infos)
