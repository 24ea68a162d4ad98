"""Read-only access to the warehouse, through published snapshots only.

The live file cannot be opened while a writer holds it (not even read-only), so a reader
opens the current snapshot, or a named older one: a published copy of a warehouse file,
or, on a DuckLake, the catalog attached at the published version (from any host, while
writers go on). Any number of processes can read at once, at any time, including while a
new snapshot is being published. No Dagster here: a notebook needs only this module.

    with WarehouseReader() as wh:
        wh.query("SELECT count(*) FROM normalized_daily")
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pandas as pd

from twilight_assets import config
from twilight_assets.errors import NoSnapshotError, WarehouseError
from twilight_assets.warehouse.backend import Backend, open_backend
from twilight_assets.warehouse.point_in_time import PointInTimeReads
from twilight_assets.warehouse.schema import quote
from twilight_assets.warehouse.snapshots import (
    SnapshotInfo,
    current_snapshot,
    find_snapshot,
    list_snapshots,
    open_copy,
)

_OPEN_RETRIES = 3
"""CURRENT can move (and pruning delete the file it named) between reading it and opening
the file; then the newer snapshot is read instead."""


class WarehouseReader(PointInTimeReads):
    """One published snapshot, open for reading: SQL (`query`, `table`) and the
    point-in-time reads a backtest needs (`fundamentals`, `prices`, `universe`,
    `index_members`; see warehouse/point_in_time.py)."""

    def __init__(
        self,
        snapshot_dir: Path | None = None,
        snapshot_id: str | None = None,
        *,
        backend: Backend | None = None,
    ) -> None:
        self.snapshot_dir = Path(snapshot_dir or config.snapshot_dir())
        self.backend = backend or open_backend()
        self._lock = threading.Lock()
        self.info, self._conn = self._open(snapshot_id)

    def _open(self, snapshot_id: str | None) -> tuple[SnapshotInfo, duckdb.DuckDBPyConnection]:
        if self.backend.is_lake and self.backend.location.local_file is None:
            from twilight_assets.warehouse.lake_snapshots import locate

            info = SnapshotInfo.from_json(locate(self.backend, snapshot_id), None)
            return info, self.backend.connect(read_only=True, snapshot_version=info.version)
        last_error: Exception | None = None
        for _ in range(_OPEN_RETRIES):
            info = self._locate(snapshot_id)
            try:
                return info, open_copy(info.path, self.backend, info.version)
            except (duckdb.IOException, WarehouseError) as exc:
                if info.path.exists():
                    raise WarehouseError(f"snapshot {info.snapshot_id} does not open: {exc}") from exc
                last_error = exc
        raise NoSnapshotError(f"snapshot vanished while opening it in {self.snapshot_dir}: {last_error}")

    def _locate(self, snapshot_id: str | None) -> SnapshotInfo:
        if snapshot_id is None:
            info = current_snapshot(self.snapshot_dir)
            if info is None:
                raise NoSnapshotError(
                    f"no snapshot has been published in {self.snapshot_dir}; publish one with "
                    "`twilight snapshot publish` (or materialize the snapshot asset)"
                )
            return info
        info = find_snapshot(self.snapshot_dir, snapshot_id)
        if info is None:
            known = ", ".join(i.snapshot_id for i in list_snapshots(self.snapshot_dir)) or "none"
            raise NoSnapshotError(
                f"no snapshot {snapshot_id!r} in {self.snapshot_dir} (published: {known})"
            )
        return info

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        with self._lock:
            return self._conn.execute(sql, params or []).df()

    def table(self, name: str) -> pd.DataFrame:
        """A whole table or view of the snapshot, by name."""
        if name not in self.relations():
            raise WarehouseError(
                f"snapshot {self.info.snapshot_id} has no table or view {name!r}"
            )
        return self.query(f"SELECT * FROM {quote(name)}")

    def relations(self) -> set[str]:
        """Names of the snapshot's tables and views."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "AND schema_name = 'main' AND NOT internal UNION SELECT view_name FROM duckdb_views() "
                "WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal"
            ).fetchall()
        return {r[0] for r in rows}

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> WarehouseReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
