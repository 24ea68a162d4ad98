"""The snapshot asset: a consistent read-only copy that notebooks and the monitor read."""


import dagster as dg

from twilight_assets.checks.gate import HeldBack, held_back_by
from twilight_assets.resources import WarehouseResource
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.snapshots import publish_snapshot

SNAPSHOT_ASSET = "warehouse_snapshot"
COVERED = tuple(REGISTRY)
"""The datasets a snapshot publishes, and whose blocking checks gate it."""
SNAPSHOTS_KEPT = 3
"""Published snapshots kept readable: copies kept, or a DuckLake's versions not expired."""

_LISTED = 20


def _held_back(held: list[HeldBack]) -> dg.Failure:
    lines = [f"- {h}" for h in held[:_LISTED]]
    if len(held) > _LISTED:
        lines.append(f"... and {len(held) - _LISTED} more")
    return dg.Failure(
        description=(
            f"{SNAPSHOT_ASSET} not published: {len(held)} blocking check result(s) failed on "
            "their latest evaluation:\n" + "\n".join(lines) + "\n"
            "The previous snapshot stays published. Fix the data (re-materialize those "
            "partitions) and evaluate the checks again (they run with the asset, or run the "
            "quality_sweep job); a passing evaluation of the same scope or of the whole "
            "table clears a failure."
        ),
        metadata={
            "held_back_by": dg.MetadataValue.json(
                [{"check": h.check_name, "asset": h.asset, "scope": h.partition, "run_id": h.run_id}
                 for h in held[:500]]
            ),
        },
        allow_retries=False,
    )


@dg.asset(
    name=SNAPSHOT_ASSET,
    group_name="publish",
    kinds={"duckdb"},
    deps=list(COVERED),
    description=(
        "Publishes an atomic, verified, read-only copy of the warehouse. DuckDB lets no "
        "process open the live file while a writer has it, so readers (WarehouseReader, "
        "`twilight monitor`, notebooks, assets using the `snapshot_duckdb` resource) read "
        "only snapshots. Writers are held for the checkpoint and the copy; the last few "
        "snapshots are kept. Nothing is published while a blocking check on a dataset "
        "failed on its latest evaluation (quality_log): the step fails and names them."
    ),
)
def warehouse_snapshot(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    def gate(target) -> None:
        # Judged on exactly what is published: under the writer lease the copy is made
        # under (a file), or at the version being published (a DuckLake).
        held = held_back_by(target, COVERED)
        if held:
            raise _held_back(held)

    with warehouse.writer() as writer:
        info = publish_snapshot(writer, warehouse.snapshots, keep=SNAPSHOTS_KEPT, gate=gate)
    context.log.info(
        f"published snapshot {info.snapshot_id} ({info.bytes / 1e6:.1f} MB) in "
        f"{info.duration_s:.2f}s; writers held {info.writers_held_s:.2f}s"
    )
    return dg.MaterializeResult(
        metadata={
            "snapshot_id": info.snapshot_id,
            **({"path": dg.MetadataValue.path(str(info.path))} if info.path is not None
               else {"version": info.version, "warehouse": warehouse.backend().location.label}),
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
