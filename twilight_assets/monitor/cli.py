"""`twilight monitor`: the warehouse's health, read from the latest snapshot.

Exit code: 0 healthy, 1 warnings, 2 errors (no snapshot at all is an error), for cron
and alerting. `--json` prints the report as data; `--html FILE` writes one
self-contained page (inline CSS and SVG); `--png FILE` writes its picture of the
history for a notebook or a chat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from twilight_assets.errors import NoSnapshotError, WarehouseError
from twilight_assets.monitor.html import render_html
from twilight_assets.monitor.reading import utc
from twilight_assets.monitor.report import COVERAGE_DAYS, build_report, no_snapshot_report
from twilight_assets.monitor.text import render_text
from twilight_assets.warehouse.reader import WarehouseReader


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="twilight monitor", description=__doc__.split("\n\n")[0])
    p.add_argument("--snapshot", metavar="ID", help="a published snapshot id (default: the current one)")
    p.add_argument("--snapshot-dir", metavar="DIR", type=Path,
                   help="where snapshots are published (default: TWILIGHT_SNAPSHOT_DIR)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--html", metavar="FILE", type=Path, help="also write a self-contained HTML page")
    p.add_argument("--png", metavar="FILE", type=Path,
                   help="also write the history heatmaps and listing-year bars as a PNG")
    p.add_argument("--watch", metavar="SECONDS", type=float,
                   help="refresh every SECONDS, reopening the newest snapshot each time")
    p.add_argument("--iterations", metavar="N", type=int,
                   help="with --watch: stop after N reports (default: until interrupted)")
    p.add_argument("--now", metavar="ISO_TIME", type=_moment,
                   help="judge as of this moment (ISO 8601, UTC unless it has an offset), "
                        "e.g. to replay an old snapshot; default: now")
    p.add_argument("--days", metavar="N", type=int, default=COVERAGE_DAYS,
                   help=f"open days in the recent coverage strip (default {COVERAGE_DAYS})")
    return p


def _moment(text: str) -> dt.datetime:
    try:
        return utc(dt.datetime.fromisoformat(text))  # type: ignore[return-value]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None


def _write(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write(path)


def run_once(args: argparse.Namespace) -> int:
    try:
        with WarehouseReader(args.snapshot_dir, args.snapshot) as reader:
            report = build_report(reader, now=args.now, coverage_days=args.days)
    except NoSnapshotError as exc:
        report = no_snapshot_report(exc, args.now)
        print(f"twilight monitor: {exc}", file=sys.stderr)
    except WarehouseError as exc:
        report = no_snapshot_report(exc, args.now)
        print(f"twilight monitor: cannot read the snapshot: {exc}", file=sys.stderr)
    if args.html:
        _write(args.html, lambda p: p.write_text(render_html(report), encoding="utf-8"))
    if args.png:
        from twilight_assets.monitor.png import render_png

        _write(args.png, lambda p: render_png(report, p))
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render_text(report), flush=True)
    return int(report["exit_code"])


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.watch is None:
        return run_once(args)
    if args.watch <= 0:
        parser.error("--watch needs a positive number of seconds")
    code, done = 0, 0
    try:
        while args.iterations is None or done < args.iterations:
            if done:
                time.sleep(args.watch)
            code = run_once(args)
            done += 1
    except KeyboardInterrupt:
        pass
    return code


if __name__ == "__main__":
    sys.exit(main())
