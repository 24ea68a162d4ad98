"""The simulator in a process of its own, so it never shares a GIL with what is measured.

`SimulatorProcess(config_kwargs)` starts `python sim_process.py JSON`, which serves
`SimulatorServer(SimulatorConfig(**kwargs))` on 127.0.0.1 and prints `READY <url>`; the
server stops when its stdin closes (so it cannot outlive the benchmark) or on SIGTERM.
`calls_per_minute` may be a per-API dict, which `twilight simulator serve` cannot take.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

READY = "READY "


class SimulatorProcess:
    def __init__(self, **config: object) -> None:
        self.config = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in config.items()}
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> SimulatorProcess:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), json.dumps(self.config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        line = self.proc.stdout.readline()
        if not line.startswith(READY):
            self.stop()
            raise RuntimeError(f"the simulator did not start: {line!r}")
        self.url = line[len(READY):].strip()
        return self

    @property
    def token(self) -> str:
        from tushare_sim import SimulatorConfig

        return str(self.config.get("token", SimulatorConfig().token))

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _serve(config_json: str) -> None:
    from tushare_sim import SimulatorConfig, SimulatorServer

    raw = json.loads(config_json)
    for key in ("start", "as_of"):
        if raw.get(key):
            raw[key] = dt.date.fromisoformat(raw[key])
    with SimulatorServer(SimulatorConfig(**raw)) as server:
        print(f"{READY}{server.url}", flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or dies)


if __name__ == "__main__":
    os.environ.pop("TUSHARE_TOKEN", None)
    _serve(sys.argv[1])
