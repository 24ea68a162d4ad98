"""Housekeeping a warehouse needs now and then, on either backend.

- a DuckLake (its catalog on PostgreSQL or in a local file): small files merged and
  inlined rows flushed to Parquet, snapshots older than the last `keep` published ones
  expired, and the files only they used deleted (lake_snapshots.maintain): readers of a
  published version never lose it;
- a warehouse file: a checkpoint (the WAL folded into the file);
- both: orphans of crashed writes removed from the raw archive (archive.collect_garbage,
  only files no raw_responses row names and older than an hour).
"""

from __future__ import annotations

from twilight_assets.warehouse.archive import Archive, collect_garbage
from twilight_assets.warehouse.raw import referenced_archive_paths


def maintain(writer, archive: Archive, *, keep: int = 3) -> list[str]:
    """Do it; returns report lines. `writer` is a WarehouseWriter."""
    lines: list[str] = []
    backend = writer.backend
    if backend.is_lake:
        from twilight_assets.warehouse.lake_snapshots import maintain as maintain_lake

        lines += [line for line in maintain_lake(writer, keep=keep).lines() if line]
    else:
        with writer.quiesced() as conn:
            conn.execute("CHECKPOINT").fetchall()
        lines.append("checkpointed the warehouse file")
    report = collect_garbage(archive, referenced_archive_paths(writer))
    lines.append(f"raw archive: {report.referenced} files referenced, {len(report.removed)} orphans "
                 f"removed ({report.bytes_removed / 1e6:.1f} MB), {report.too_recent} too recent to judge")
    return lines
