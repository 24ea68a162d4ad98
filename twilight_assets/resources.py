"""Dagster resources: where the warehouse is, and where Tushare (or the simulator) is."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dagster as dg

from twilight_assets import config
from twilight_assets.warehouse.writer_lease import writer_lease


class WarehouseResource(dg.ConfigurableResource):
    """The live DuckDB warehouse and its snapshot directory.

    Steps never keep the file open between writes: `writer()` takes the cross-process
    writer lease, opens the file, and closes it again, so runs of different datasets
    fetch in parallel and only queue to write.
    """

    warehouse_path: str = str(config.warehouse_path())
    snapshot_dir: str = str(config.snapshot_dir())
    lease_timeout_s: float = 3600.0

    @property
    def path(self) -> Path:
        return Path(self.warehouse_path)

    @property
    def snapshots(self) -> Path:
        return Path(self.snapshot_dir)

    @contextmanager
    def writer(self) -> Iterator["WarehouseWriter"]:  # noqa: F821 - imported lazily
        from twilight_assets.warehouse.writer import WarehouseWriter

        with writer_lease(self.path, timeout_s=self.lease_timeout_s):
            with WarehouseWriter(self.path) as writer:
                yield writer
