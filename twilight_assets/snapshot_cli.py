"""`twilight snapshot list|publish`: what readers can open, and publishing one by hand.

Publishing from the command line holds to the same gate as the `warehouse_snapshot`
asset: while a blocking check on a dataset stands failed (quality_log), nothing is
published unless `--force` says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from twilight_assets import config
from twilight_assets.checks.gate import held_back_by
from twilight_assets.errors import WarehouseError
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.backend import open_backend
from twilight_assets.warehouse.snapshots import published, publish_snapshot


class HeldBackError(WarehouseError):
    """A blocking check failed on its latest evaluation: nothing published."""


def _gate(target) -> None:
    held = held_back_by(target, REGISTRY)
    if held:
        raise HeldBackError(
            f"not published: {len(held)} blocking check result(s) failed on their latest evaluation:\n"
            + "\n".join(f"  - {h}" for h in held[:20])
            + "\n(fix the data and evaluate the checks again, or --force to publish anyway)"
        )


def main(argv: list[str] | None = None) -> int:
    """`twilight snapshot list|publish [--warehouse W] [--snapshot-dir D] [--keep N] [--force] [--json]`"""
    parser = argparse.ArgumentParser(prog="twilight snapshot", description="List or publish read-only snapshots.")
    parser.add_argument("action", choices=("list", "publish"))
    parser.add_argument("--warehouse", default=None, help="the warehouse (default: TWILIGHT_WAREHOUSE)")
    parser.add_argument("--snapshot-dir", type=Path, default=None, help="default: TWILIGHT_SNAPSHOT_DIR")
    parser.add_argument("--keep", type=int, default=3, help="snapshots to keep after publishing (default 3)")
    parser.add_argument("--force", action="store_true",
                        help="publish even while a blocking check stands failed")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    snapshot_dir = (args.snapshot_dir or config.snapshot_dir()).resolve()
    backend = open_backend(args.warehouse)
    try:
        if args.action == "publish":
            local = backend.location.local_file
            if local is not None and not local.exists():
                print(f"twilight snapshot: no warehouse at {local}", file=sys.stderr)
                return 1
            with backend.writer() as writer:
                publish_snapshot(writer, snapshot_dir, keep=args.keep, gate=None if args.force else _gate)
        infos = published(backend, snapshot_dir)
    except WarehouseError as exc:
        print(f"twilight snapshot: {exc}", file=sys.stderr)
        return 1
    current = infos[0] if infos else None
    if args.json:
        print(json.dumps([{**i.to_json(), "current": current is not None and i.snapshot_id == current.snapshot_id} for i in infos], indent=2))
        return 0
    if not infos:
        print(f"no snapshots in {snapshot_dir}")
        return 0
    print(f"{'':2}{'snapshot':<28} {'MB':>9} {'rows':>12} {'held s':>7} {'total s':>8}")
    for i in infos:
        mark = "* " if current is not None and i.snapshot_id == current.snapshot_id else "  "
        rows = sum(i.table_rows.values())
        print(f"{mark}{i.snapshot_id:<28} {i.bytes / 1e6:>9.1f} {rows:>12,} {i.writers_held_s:>7.2f} {i.duration_s:>8.2f}")
    where = backend.location.label if backend.is_lake and backend.location.local_file is None else snapshot_dir
    print(f"(* current; in {where})")
    return 0
