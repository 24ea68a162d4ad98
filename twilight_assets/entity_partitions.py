"""Stock and index partitions follow the lists.

Every code stock_basic / index_basic holds (listed, delisted and paused) is a partition of
`stocks` / `indexes`. Codes are only ever added: a delisted stock keeps its history, and
its statements stay materialized. They are registered three ways:

- by the list's own asset step, from the rows it just wrote (the usual way: a stock can
  be materialized right after stock_basic, from the CLI, the UI or a schedule);
- by `entity_partitions_sensor`, for deployments that run the lists elsewhere: it reads
  the published snapshot, so a daemon tick never waits for (or holds up) a writer;
- by `twilight partitions sync`, for an instance that lost them (a new DAGSTER_HOME).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Iterable

import dagster as dg

from twilight_assets.errors import NoSnapshotError
from twilight_assets.partitions import ENTITY_LISTS
from twilight_assets.resources import WarehouseResource
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.schema import quote
from twilight_assets.warehouse.values import Queryable

EntityCodes = dict[str, list[str]]
"""Dynamic partitions set name (stocks, indexes) -> codes, in the order to add them."""

_SHOWN = 10


def list_codes(target: Queryable, lists: Iterable[str] = tuple(ENTITY_LISTS)) -> EntityCodes:
    """Every code each list dataset holds, by the partitions set it feeds."""
    codes: EntityCodes = {}
    for api_name in lists:
        table = quote(REGISTRY[api_name].table)
        frame = target.query(f"SELECT DISTINCT ts_code FROM {table} WHERE ts_code IS NOT NULL ORDER BY ts_code")
        codes[ENTITY_LISTS[api_name].name] = frame["ts_code"].tolist()
    return codes


def unregistered(instance: dg.DagsterInstance, codes: EntityCodes) -> EntityCodes:
    """The codes not yet partitions of their set."""
    missing: EntityCodes = {}
    for name, wanted in codes.items():
        known = set(instance.get_dynamic_partitions(name))  # once per set, not per code
        missing[name] = [c for c in wanted if c not in known]
    return missing


def register(instance: dg.DagsterInstance, codes: EntityCodes) -> EntityCodes:
    """Add the codes that are not partitions yet; returns what was added."""
    added = unregistered(instance, codes)
    for name, keys in added.items():
        if keys:
            instance.add_dynamic_partitions(name, keys)
    return added


def describe(added: EntityCodes, codes: EntityCodes) -> list[str]:
    """One line per partitions set: what was added, and how many were there already."""
    lines = []
    for name, keys in added.items():
        before = len(codes[name]) - len(keys)
        if not keys:
            lines.append(f"{name}: none added; all {before} already registered")
            continue
        shown = ", ".join(keys[:_SHOWN]) + (f", ... ({len(keys) - _SHOWN} more)" if len(keys) > _SHOWN else "")
        lines.append(f"{name}: {len(keys)} added ({shown}); {before} already registered")
    return lines


def _read_codes(live: bool) -> tuple[str, EntityCodes]:
    warehouse = WarehouseResource()
    if live:
        with warehouse.writer() as writer:
            return f"the live warehouse {warehouse.backend().location.label}", list_codes(writer)
    with warehouse.reader() as reader:
        return f"snapshot {reader.info.snapshot_id}", list_codes(reader)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="twilight partitions",
        description="Dynamic partitions (stocks, indexes) of the Dagster instance at $DAGSTER_HOME.",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    sync = actions.add_parser(
        "sync", help="register every stock and index code the lists hold; never removes one",
    )
    sync.add_argument(
        "--live", action="store_true",
        help="read the live warehouse (waits for the writer lease) instead of the latest snapshot",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        print("twilight partitions: DAGSTER_HOME is not set: point it at the instance to "
              "register partitions in (the Makefile uses dagster_home/)", file=sys.stderr)
        return 2
    try:
        origin, codes = _read_codes(args.live)
    except NoSnapshotError as exc:
        print(f"twilight partitions: {exc}; or read the live warehouse with --live", file=sys.stderr)
        return 1
    with dg.DagsterInstance.get() as instance:
        added = register(instance, codes)
    print(f"from {origin} into the Dagster instance at {Path(home).resolve()}:")
    for line in describe(added, codes):
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
