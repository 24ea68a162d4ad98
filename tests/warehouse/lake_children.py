"""Child processes that write one DuckLake at once, for the concurrency and kill tests.

    python -m tests.warehouse.lake_children write URL FIRST_DAY COUNT ROWS [--repeat K]
        [--pause-at N]

writes COUNT daily partitions (weekdays from FIRST_DAY, ROWS stocks each; K passes over
them, so later passes replace partitions another process may be writing next to), printing
`ready` once the writer is open, `done <day> <conflicts> <raw_id>` after each commit and
`finished` after the last. With --pause-at N, the N-th write (from 1) stops inside its
transaction, its rows written but not committed, prints `paused <day>` and goes on once a
line arrives on stdin: a test can then do something (restart the catalog's server) while a
write is certainly in flight.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse import ledger
from twilight_assets.warehouse.backend import open_backend
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.warehouse.conftest import codes, daily_rows, make_frame, make_raw


def weekdays(first: str, count: int) -> list[str]:
    day, out = dt.date.fromisoformat(first), []
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day.isoformat())
        day += dt.timedelta(days=1)
    return out


def pause_inside_write(at: int) -> None:
    """Stop the `at`-th partition write just before its ledger row, inside its transaction."""
    real, seen = ledger.append, [0]

    def append(conn, attempt):
        if attempt.status != "failed":  # a partition write, not a failure record
            seen[0] += 1
            if seen[0] == at:
                print(f"paused {attempt.partition}", flush=True)
                sys.stdin.readline()
        return real(conn, attempt)

    ledger.append = append


def write(url: str, first: str, count: int, rows: int, repeat: int) -> None:
    spec = REGISTRY["daily"]
    with WarehouseWriter(open_backend(url)) as writer:
        print("ready", flush=True)
        for n in range(repeat):
            for day in weekdays(first, count):
                frame = make_frame(spec, daily_rows(day, codes(rows), close=10.0 + n))
                result = writer.write_partition(spec, day, frame, make_raw(spec, day, frame))
                print(f"done {day} {result.commit_conflicts} {result.raw_id}", flush=True)
    print("finished", flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=("write",))
    parser.add_argument("url")
    parser.add_argument("first")
    parser.add_argument("count", type=int)
    parser.add_argument("rows", type=int)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--pause-at", type=int, default=0)
    args = parser.parse_args(argv)
    if args.pause_at:
        pause_inside_write(args.pause_at)
    write(args.url, args.first, args.count, args.rows, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
