"""The snapshot asset: a consistent read-only copy that notebooks and the monitor read."""


import dagster as dg

from twilight_assets.resources import WarehouseResource
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.snapshots import publish_snapshot

SNAPSHOT_ASSET = "warehouse_snapshot"


@dg.asset(
    name=SNAPSHOT_ASSET,
    group_name="publish",
    kinds={"duckdb"},
    deps=list(REGISTRY),
    description=(
        "Publishes an atomic, verified, read-only copy of the warehouse. DuckDB lets no "
        "process open the live file while a writer has it, so readers (WarehouseReader, "
        "`twilight monitor`, notebooks) read only snapshots. Writers are held for the "
        "checkpoint and the copy; the last few snapshots are kept."
    ),
)
def warehouse_snapshot(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.writer() as writer:
        info = publish_snapshot(writer, warehouse.snapshots)
    context.log.info(
        f"published snapshot {info.snapshot_id} ({info.bytes / 1e6:.1f} MB) in "
        f"{info.duration_s:.2f}s; writers held {info.writers_held_s:.2f}s"
    )
    return dg.MaterializeResult(
        metadata={
            "snapshot_id": info.snapshot_id,
            "path": dg.MetadataValue.path(str(info.path)),
            "bytes": info.bytes,
            "duration_s": round(info.duration_s, 3),
            "writers_held_s": round(info.writers_held_s, 3),
            "checkpoint_s": round(info.checkpoint_s, 3),
            "copy_s": round(info.copy_s, 3),
            "verify_s": round(info.verify_s, 3),
            "dagster/row_count": sum(info.table_rows.values()),
            "table_rows": dg.MetadataValue.json(info.table_rows),
        }
    )
