"""`twilight`: the project's command line. Each subcommand's module parses its own flags."""

from __future__ import annotations

import importlib
import sys

# subcommand -> (module, help). Modules load lazily: `twilight monitor` must not pay for
# importing Dagster.
COMMANDS = {
    "migrate": ("twilight_assets.migrate", "bring a warehouse up to date (or --to a DuckLake), keeping every row"),
    "rebuild": ("twilight_assets.rebuild", "re-normalize a dataset from the raw archive, offline"),
    "archive": ("twilight_assets.warehouse.archive", "maintain the raw archive (gc: remove orphans)"),
    "snapshot": ("twilight_assets.snapshot_cli", "list or publish read-only snapshots"),
    "simulator": ("tushare_sim.cli", "run the Tushare-compatible simulator"),
    "monitor": ("twilight_assets.monitor.cli", "health report over the latest snapshot"),
    "partitions": ("twilight_assets.entity_partitions", "register stock and index partitions in $DAGSTER_HOME"),
}


def _usage() -> str:
    lines = ["usage: twilight COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<10} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        print(_usage())
        return 0
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        print(f"twilight: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
