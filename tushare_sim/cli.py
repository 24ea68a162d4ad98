"""`twilight simulator serve`: run the Tushare-compatible simulator until Ctrl-C.

Prints one readiness line, `simulator listening on URL`, then serves. Point the project
at it with TWILIGHT_SOURCE=simulator and TUSHARE_HTTP_URL=URL (it sends the simulator's
public token, the default --token).
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading

from twilight_assets.config import SIMULATOR_TOKEN

from .config import SimulatorConfig
from .server import SimulatorServer

READY_PREFIX = "simulator listening on "


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    defaults = SimulatorConfig()
    parser = argparse.ArgumentParser(prog="twilight simulator", description="Tushare-compatible simulator")
    sub = parser.add_subparsers(dest="action", required=True)
    serve = sub.add_parser("serve", help="serve the 17 APIs over HTTP until interrupted")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--stocks", type=int, default=defaults.n_stocks, help="stocks in the universe (up to ~5,500+)")
    serve.add_argument("--indexes", type=int, default=defaults.n_indexes, help="indexes in the universe")
    serve.add_argument("--start", type=_date, default=defaults.start, help="first day of history")
    serve.add_argument("--as-of", type=_date, default=None, help="last day of market data (default: today)")
    serve.add_argument("--seed", type=int, default=defaults.seed, help="same seed, same market")
    serve.add_argument("--token", default=defaults.token, help="the token clients must send")
    serve.add_argument("--quota", type=int, default=None, help="calls per minute per API (default: unlimited)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.stocks < 1 or args.indexes < 0:
        print("twilight simulator: --stocks must be at least 1 and --indexes at least 0", file=sys.stderr)
        return 2
    config = SimulatorConfig(seed=args.seed, n_stocks=args.stocks, n_indexes=args.indexes, start=args.start,
                             as_of=args.as_of, token=args.token, calls_per_minute=args.quota)
    done = threading.Event()
    # SIGTERM ends it as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with SimulatorServer(config, host=args.host, port=args.port) as server:
        print(f"{READY_PREFIX}{server.url}", flush=True)
        print(f"  {config.n_stocks} stocks, {config.n_indexes} indexes, {config.start} .. {server.as_of}", flush=True)
        print(f"  choose it: TWILIGHT_SOURCE=simulator TUSHARE_HTTP_URL={server.url}; Ctrl-C stops it", flush=True)
        if config.token != SIMULATOR_TOKEN:
            print("  (a custom --token: the project sends it only as TUSHARE_TOKEN, which labels "
                  "rows tushare)", flush=True)
        try:
            done.wait()
        except KeyboardInterrupt:
            pass
    return 0
