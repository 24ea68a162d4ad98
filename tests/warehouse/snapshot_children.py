"""Processes the cross-process snapshot tests start (not tests themselves).

    python -m tests.warehouse.snapshot_children read SNAPSHOT_DIR STOP_FILE
        reads the current snapshot over and over until STOP_FILE exists; prints
        `seen <id>` for each new snapshot, then one JSON summary line.
    python -m tests.warehouse.snapshot_children publish WAREHOUSE SNAPSHOT_DIR
        writes a partition and publishes a snapshot, forever (until killed); prints
        `published <id>` after each.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

from twilight_assets.errors import NoSnapshotError

ROWS_PER_DAY = 40
READ_DEADLINE_S = 120


INVARIANT_SQL = (
    "SELECT (SELECT count(*) FROM normalized_daily), (SELECT count(DISTINCT trade_date) FROM normalized_daily), "
    "(SELECT count(*) FROM raw_responses), (SELECT count(*) FROM ingest_progress WHERE status = 'done')"
)


def invariant_violation(conn: duckdb.DuckDBPyConnection) -> str | None:
    """None when the database is a committed state of the writers in these tests: every
    day has all its rows and exactly one raw row and one done ledger row."""
    return _violation(*conn.execute(INVARIANT_SQL).fetchall()[0])


def _violation(daily: int, days: int, raw: int, done: int) -> str | None:
    if daily != ROWS_PER_DAY * days or not raw == done == days:
        return f"daily={daily} days={days} raw={raw} done={done}"
    return None


def read_until_stopped(snapshot_dir: Path, stop_file: Path) -> int:
    from twilight_assets.warehouse.reader import WarehouseReader

    seen: list[str] = []
    reads, errors = 0, []
    deadline = time.monotonic() + READ_DEADLINE_S
    while not stop_file.exists() and time.monotonic() < deadline:
        try:
            with WarehouseReader(snapshot_dir) as reader:
                df = reader.query("SELECT count(*) AS n FROM normalized_daily")
                violation = _violation(*reader.query(INVARIANT_SQL).iloc[0].tolist())
                if violation:
                    errors.append(f"{reader.info.snapshot_id}: {violation}")
                if reader.info.snapshot_id not in seen:
                    seen.append(reader.info.snapshot_id)
                    print(f"seen {reader.info.snapshot_id} {int(df['n'].item())}", flush=True)
                reads += 1
        except NoSnapshotError as exc:
            errors.append(f"NoSnapshotError: {exc}")
        except Exception as exc:  # anything else is a failure the test must see
            errors.append(f"{type(exc).__name__}: {exc}")
    print(json.dumps({"reads": reads, "seen": seen, "errors": errors[:20]}), flush=True)
    return 0


def publish_forever(warehouse: Path, snapshot_dir: Path) -> int:
    from tests.warehouse.conftest import write_daily
    from twilight_assets.warehouse.snapshots import publish_snapshot
    from twilight_assets.warehouse.writer import WarehouseWriter

    with WarehouseWriter(warehouse) as writer:
        start = len(writer.progress("daily"))
        for i in range(start, start + 100_000):
            write_daily(writer, f"{2000 + i // 300}-{1 + i % 300 // 28:02d}-{1 + i % 28:02d}", n=ROWS_PER_DAY)
            info = publish_snapshot(writer, snapshot_dir, keep=2)
            print(f"published {info.snapshot_id}", flush=True)
    return 0


def main(argv: list[str]) -> int:
    if argv[0] == "read":
        return read_until_stopped(Path(argv[1]), Path(argv[2]))
    if argv[0] == "publish":
        return publish_forever(Path(argv[1]), Path(argv[2]))
    raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
