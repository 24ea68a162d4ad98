"""Publishing a snapshot vs copying the same file with `cp` and fsyncing it.

A warehouse is built with the real DDL (benchmarks/synth.py): a few hundred MB in the
quick set, about 1.7 GB in the full set. Then, alternately, a few times each:

- baseline: `cp` of the warehouse file plus `sync` of the copy (the least any durable
  copy costs), with no writer open;
- ours: with a writer open and one day's rows just changed (so CHECKPOINT has a WAL to
  fold in, as after a daily ingest), `publish_snapshot(writer, dir)`: checkpoint, count,
  copy in a child, verify the copy read-only, fsync, atomic rename, prune.

Reported: the whole publish and the time writers were held, each as a ratio of the
baseline's median, plus the publish's own breakdown.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

import benchlib
import synth
from benchlib import Figure, copy_and_sync, log

BENCH = "snapshot"
ROUNDS = {"quick": 7, "full": 5}
"""Alternating rounds of baseline and publish; medians absorb a burst of other load."""


def settle() -> None:
    """Flush every dirty page first, so no measurement pays for the one before it."""
    subprocess.run(["sync"], check=True)


def copy_only(source: Path, target: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["cp", "--", str(source), str(target)], check=True)
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def touch_one_day(writer) -> int:
    """Change one day's bars so the publish's CHECKPOINT has work, as after an ingest."""
    with writer.quiesced() as conn:
        return conn.execute(
            "UPDATE normalized_daily SET vol = vol + 1 "
            "WHERE trade_date = (SELECT max(trade_date) FROM normalized_daily)"
        ).fetchall()[0][0]


def main(argv: list[str] | None = None) -> int:
    def extra(parser) -> None:
        parser.add_argument("--rows", type=int, default=None, help="rows per per-date table, quick set (default 1M)")
        parser.add_argument("--stocks", type=int, default=None, help="stocks in the market (default 5,500)")
        parser.add_argument("--rounds", type=int, default=None, help="publish rounds (default 7, full 5)")

    args = benchlib.parse_args(__doc__.splitlines()[0], argv, extra)
    from twilight_assets.warehouse.snapshots import publish_snapshot
    from twilight_assets.warehouse.writer import WarehouseWriter

    with benchlib.workdir(args, BENCH) as work:
        shape, built = synth.build_market_warehouse(work, full=args.full, full_rows=7_000_000, log=log,
                                                    quick_rows=args.rows, stocks=args.stocks)
        baseline, plain, publishes = [], [], []
        rounds = args.rounds or ROUNDS["full" if args.full else "quick"]
        for round_ in range(rounds):
            settle()
            plain.append(copy_only(built.path, work / "plain-copy.duckdb"))
            settle()
            baseline.append(copy_and_sync(built.path, work / "baseline-copy.duckdb"))
            with WarehouseWriter(built.path) as writer:
                changed = touch_one_day(writer)
                settle()
                info = publish_snapshot(writer, work / "snapshots", keep=2)
            publishes.append(info)
            log(
                f"round {round_ + 1}: cp+sync {baseline[-1]:.2f}s; publish {info.duration_s:.2f}s "
                f"(held {info.writers_held_s:.2f}s: checkpoint {info.checkpoint_s:.2f}s, "
                f"copy {info.copy_s:.2f}s; verify {info.verify_s:.2f}s; {changed} rows changed)"
            )

    base = statistics.median(baseline)
    duration = statistics.median(i.duration_s for i in publishes)
    held = statistics.median(i.writers_held_s for i in publishes)
    size = f"{publishes[-1].bytes / 1e6:,.0f} MB file"
    figures = [
        Figure(BENCH, "publish_snapshot, whole", duration, "s", "<= 1.5",
               baseline_name="cp + fsync", baseline_value=base, note=size),
        Figure(BENCH, "publish_snapshot, writers held", held, "s", "<= 1.5",
               baseline_name="cp + fsync", baseline_value=base, note=size),
    ]
    breakdown = {
        name: statistics.median(getattr(i, name) for i in publishes)
        for name in ("checkpoint_s", "copy_s", "verify_s", "writers_held_s", "duration_s")
    }
    breakdown["fsync_rename_prune_s"] = breakdown["duration_s"] - breakdown["writers_held_s"] - breakdown["verify_s"]
    breakdown["cp_without_fsync_s"] = statistics.median(plain)
    breakdown["cp_plus_fsync_s"] = base
    print()
    print(f"publish breakdown (medians of {len(publishes)} rounds):")
    for name, seconds in breakdown.items():
        print(f"  {name:<24} {seconds:7.2f} s")
    benchlib.report(BENCH, figures, args, extra={
        "bytes": publishes[-1].bytes, "table_rows": built.table_rows,
        "build_s": built.seconds, "breakdown_s": breakdown,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
