"""`snapshot_duckdb`: dagster-duckdb's DuckDBResource, read-only, over the published snapshot.

For the assets users add downstream of `warehouse_snapshot`. DuckDBResource takes a fixed
`database` path and always connects read-write, while the snapshot to read is only known
when a step runs (CURRENT moves with every publish) and must never be written. So this
resource is the configuration, and each step gets a plain DuckDBResource made when the
step starts: pointed at the snapshot CURRENT names then, with DuckDB's `access_mode`
READ_ONLY. Every connection a step opens reads that same snapshot, even if a newer one is
published meanwhile; the next step reads the newer one.

    @dg.asset(deps=["warehouse_snapshot"])
    def daily_turnover(snapshot_duckdb: DuckDBResource) -> dg.MaterializeResult:
        with snapshot_duckdb.get_connection() as conn:
            rows = conn.execute("SELECT ... FROM normalized_daily ...").fetchall()
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field

from twilight_assets import config
from twilight_assets.errors import NoSnapshotError
from twilight_assets.warehouse.backend import open_backend
from twilight_assets.warehouse.snapshots import published

RESOURCE_KEY = "snapshot_duckdb"


class LakeVersionDuckDBResource(DuckDBResource):
    """A DuckDBResource whose connections attach a DuckLake at one published version, read-only."""

    lake: str = Field(description="TWILIGHT_WAREHOUSE of the lake (ducklake:...).")
    version: int = Field(description="The catalog version published.")

    @contextmanager
    def get_connection(self) -> Iterator[Any]:
        conn = open_backend(self.lake).connect(read_only=True, snapshot_version=self.version)
        try:
            yield conn
        finally:
            conn.close()


class SnapshotDuckDBResource(dg.ConfigurableResource):
    """Hands each step a read-only DuckDBResource on the current snapshot."""

    snapshot_dir: str | None = Field(
        default=None,
        description="Where snapshots are published; unset: TWILIGHT_SNAPSHOT_DIR when the step runs.",
    )
    warehouse: str | None = Field(
        default=None, description="The warehouse; unset: TWILIGHT_WAREHOUSE when the step runs.",
    )
    connection_config: dict[str, Any] = Field(
        default={},
        description="DuckDB settings (threads, memory_limit, ...); access_mode is always READ_ONLY.",
    )

    def create_resource(self, context: dg.InitResourceContext) -> DuckDBResource:
        folder = Path(self.snapshot_dir) if self.snapshot_dir else config.snapshot_dir()
        backend = open_backend(self.warehouse)
        found = published(backend, folder)
        if not found:
            raise NoSnapshotError(
                f"{RESOURCE_KEY}: no snapshot has been published for {backend.location.label}; "
                "materialize warehouse_snapshot first"
            )
        info = found[0]
        if context.log is not None:
            where = info.path if info.path is not None else f"version {info.version}"
            context.log.info(f"{RESOURCE_KEY}: reading snapshot {info.snapshot_id} ({where})")
        if info.path is None:  # a DuckLake publishes versions, not files
            return LakeVersionDuckDBResource(database=":memory:", lake=config.LAKE_PREFIX + backend.location.target,
                                             version=int(info.version))
        return DuckDBResource(
            database=str(info.path),
            connection_config={**self.connection_config, "access_mode": "READ_ONLY"},
        )
