"""Processes the fault-injection trials start, kill and watch (not tests themselves).

Each child talks to a simulator that the test process serves over HTTP, writes through
the same writer lease and WarehouseWriter the Dagster resource composes, and prints one
line per milestone so the parent can time a kill -9 against what the child is doing:

    python -m tests.faults.children ingest WAREHOUSE URL TOKEN API FIRST LAST
        ingest the weekdays FIRST..LAST of API; `ready`, then `progress <n>/<total>`
        after each write burst, then one JSON summary line.
    python -m tests.faults.children create WAREHOUSE URL TOKEN
        `ready`, then create the warehouse and ingest the 2024 calendar into it.
    python -m tests.faults.children publish-loop WAREHOUSE SNAPDIR URL TOKEN API FIRST
        forever: ingest the next weekday from FIRST on, then print `publishing`,
        publish a snapshot (keep 2) and print `published <id>`.
    python -m tests.faults.children publish-until WAREHOUSE SNAPDIR STOPFILE
        publish snapshots (keep 2) until STOPFILE exists; `published <id>` after each.
    python -m tests.faults.children read SNAPDIR STOPFILE API
        read the current snapshot over and over until STOPFILE exists, checking each
        is a consistent state (see snapshot_problems); prints one JSON summary line.
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

READ_DEADLINE_S = 240
"""A reader stops on its own after this long, so a broken parent cannot leave it behind."""


def weekdays(first: str, last: str) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in pd.bdate_range(first, last)]


@contextmanager
def open_writer(warehouse: Path) -> Iterator:
    """What WarehouseResource.writer() does, without importing Dagster (3 s a child)."""
    from twilight_assets.warehouse.backend import open_backend
    from twilight_assets.warehouse.writer import WarehouseWriter

    backend = open_backend(str(warehouse))
    with backend.writer_lease() as waited, WarehouseWriter(backend) as writer:
        writer.lease_wait_s = waited
        yield writer


def make_source(url: str, token: str):
    """A real TushareSource for the simulator, unpaced (the trials are about faults, not
    quotas) and with short waits."""
    from twilight_assets.sources.ratelimit import RateLimiter
    from twilight_assets.sources.tushare import TushareSource

    return TushareSource(
        token, url, source_name="simulator", rate_limiter=RateLimiter(),
        backoff_base_s=0.05, backoff_max_s=0.2, throttle_wait_s=0.05,
    )


def ingest(warehouse: Path, url: str, token: str, api: str, first: str, last: str) -> int:
    from twilight_assets.ingest import ingest_partitions
    from twilight_assets.specs import REGISTRY

    keys = weekdays(first, last)
    source = make_source(url, token)
    print("ready", flush=True)
    report = ingest_partitions(
        REGISTRY[api], keys, source=source, open_writer=lambda: open_writer(warehouse),
        on_progress=lambda done, total: print(f"progress {done}/{total}", flush=True),
    )
    print(json.dumps(report.summary), flush=True)
    return 0 if not report.failures else 1


def create(warehouse: Path, url: str, token: str) -> int:
    from twilight_assets.ingest import ingest_partitions
    from twilight_assets.specs import REGISTRY

    source = make_source(url, token)
    print("ready", flush=True)
    report = ingest_partitions(REGISTRY["trade_cal"], ["2024"], source=source,
                               open_writer=lambda: open_writer(warehouse))
    print(json.dumps(report.summary), flush=True)
    return 0 if not report.failures else 1


def publish_loop(warehouse: Path, snapshot_dir: Path, url: str, token: str, api: str, first: str) -> int:
    from twilight_assets.ingest import ingest_partitions
    from twilight_assets.specs import REGISTRY
    from twilight_assets.warehouse.snapshots import publish_snapshot

    source = make_source(url, token)
    days = iter(weekdays(first, "2024-06-28"))
    print("ready", flush=True)
    while True:
        day = next(days, None)
        if day is not None:
            ingest_partitions(REGISTRY[api], [day], source=source, open_writer=lambda: open_writer(warehouse))
        with open_writer(warehouse) as writer:
            print("publishing", flush=True)
            started = time.monotonic()
            info = publish_snapshot(writer, snapshot_dir, keep=2)
            print(f"published {info.snapshot_id} {time.monotonic() - started:.3f}", flush=True)


def publish_until(warehouse: Path, snapshot_dir: Path, stop_file: Path) -> int:
    from twilight_assets.warehouse.snapshots import publish_snapshot

    while not stop_file.exists():
        with open_writer(warehouse) as writer:
            info = publish_snapshot(writer, snapshot_dir, keep=2)
        print(f"published {info.snapshot_id}", flush=True)
        time.sleep(0.05)  # let the ingest take the lease between publishes
    return 0


def snapshot_problems(conn: duckdb.DuckDBPyConnection, table_rows: dict[str, int], api: str) -> list[str]:
    """Why this snapshot is not a committed state of the warehouse (empty when it is):
    its tables must hold what the publisher counted, and every partition of `api` must
    be all there with a `done` mark whose row count matches, or absent."""
    from twilight_assets.warehouse.snapshots import table_row_counts

    problems = []
    counts = table_row_counts(conn)
    if counts != table_rows:
        problems.append(f"table rows {counts} differ from the info file's {table_rows}")
    from tests.faults.checks import ledger_problems

    problems += ledger_problems(conn, api)
    return problems


def read(snapshot_dir: Path, stop_file: Path, api: str) -> int:
    from twilight_assets.warehouse.reader import WarehouseReader

    seen: list[str] = []
    reads, errors = 0, []
    deadline = time.monotonic() + READ_DEADLINE_S
    while not stop_file.exists() and time.monotonic() < deadline:
        try:
            with WarehouseReader(snapshot_dir) as reader:
                # The reader's own connection: what a notebook holding a snapshot sees.
                for problem in snapshot_problems(reader._conn, reader.info.table_rows, api):
                    errors.append(f"{reader.info.snapshot_id}: {problem}")
                if not seen or seen[-1] != reader.info.snapshot_id:
                    seen.append(reader.info.snapshot_id)
                reads += 1
        except Exception as exc:  # any reader error is what the trial looks for
            errors.append(f"{type(exc).__name__}: {exc}")
    print(json.dumps({"reads": reads, "seen": seen, "errors": errors[:20], "error_count": len(errors)}), flush=True)
    return 0


def main(argv: list[str]) -> int:
    mode, args = argv[0], argv[1:]
    if mode == "ingest":
        return ingest(Path(args[0]), *args[1:6])
    if mode == "create":
        return create(Path(args[0]), *args[1:3])
    if mode == "publish-loop":
        return publish_loop(Path(args[0]), Path(args[1]), *args[2:6])
    if mode == "publish-until":
        return publish_until(Path(args[0]), Path(args[1]), Path(args[2]))
    if mode == "read":
        return read(Path(args[0]), Path(args[1]), args[2])
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
