"""What every benchmark shares: arguments, figures, the machine, the results table.

A benchmark measures a figure and its baseline in the same run and prints their ratio
next to the target. It never asserts and always exits 0: a missed target is a finding
to report, not a crash. Each script can run alone (`python benchmarks/bench_x.py
[--full]`) or under `run_all.py`, which collects the JSON every script writes.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

BENCH_DIR = Path(__file__).resolve().parent
PROJECT = BENCH_DIR.parent
PEER_VENV = BENCH_DIR / ".venv-peers"
PEER_REQUIREMENTS = BENCH_DIR / "requirements-peers.txt"

# Nothing a benchmark runs may phone home: dlt and Dagster both have telemetry.
QUIET_ENV = {
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
}


@dataclass
class Figure:
    """One measured figure against a baseline measured in the same run.

    `ratio` is figure/baseline for throughputs ("x faster") and times alike; `target`
    says which way is good: ">= 10" means the ratio should be at least 10, "<= 1.1" at
    most 1.1. A figure with no baseline (an absolute target such as seconds or MB) has
    baseline None and its ratio is the value itself.
    """

    bench: str
    name: str
    value: float | None
    unit: str
    target: str | None  # ">= 10", "<= 1.1", "<= 60" (compared against `ratio`); None: context
    baseline_name: str | None = None
    baseline_value: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None:
            return None
        if self.baseline_name is None:
            return self.value
        if not self.baseline_value:
            return None
        return self.value / self.baseline_value

    @property
    def met(self) -> bool | None:
        ratio = self.ratio
        if ratio is None or self.target is None:
            return None
        op, bound = self.target.split()
        return ratio >= float(bound) if op == ">=" else ratio <= float(bound)

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "ratio": self.ratio, "met": self.met}

    @classmethod
    def from_dict(cls, data: dict) -> Figure:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def parse_args(description: str, argv: Sequence[str] | None = None,
               extra: Callable[[argparse.ArgumentParser], None] | None = None) -> argparse.Namespace:
    """The arguments every benchmark takes; `extra` adds a benchmark's own (scale knobs,
    so the smoke test can run it in seconds)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--full", action="store_true", help="the full scale (slow)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--workdir", type=Path, default=None,
        help="where temporary warehouses go (default: a fresh temp dir, removed after)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    if extra is not None:
        extra(parser)
    return parser.parse_args(argv)


@contextmanager
def workdir(args: argparse.Namespace, bench: str) -> Iterator[Path]:
    if args.workdir is not None:
        path = args.workdir / bench
        path.mkdir(parents=True, exist_ok=True)
    else:
        path = Path(tempfile.mkdtemp(prefix=f"twilight-{bench}-"))
    try:
        yield path
    finally:
        if not args.keep:
            shutil.rmtree(path, ignore_errors=True)


def fmt(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}g}"


def _verdict(figure: Figure) -> str:
    if figure.target is None:
        return "reference" if figure.ratio is not None else "n/a"
    return {True: "met", False: "MISSED", None: "n/a"}[figure.met]


def _value(value: float | None, unit: str) -> str:
    return "not measured" if value is None else f"{fmt(value)} {unit}"


def _target(figure: Figure) -> str:
    if figure.target is None:
        return "-"
    return figure.target + ("x" if figure.baseline_name else f" {figure.unit}")


def markdown_table(figures: Sequence[Figure]) -> str:
    lines = [
        "| benchmark | figure | value | baseline | ratio | target | status | note |",
        "| --- | --- | ---: | --- | ---: | --- | --- | --- |",
    ]
    for f in figures:
        baseline = f"{f.baseline_name}: {_value(f.baseline_value, f.unit)}" if f.baseline_name else "-"
        ratio = fmt(f.ratio) + "x" if f.baseline_name and f.ratio is not None else "-"
        lines.append(
            f"| {f.bench} | {f.name} | {_value(f.value, f.unit)} | {baseline} | {ratio} | "
            f"{_target(f)} | {_verdict(f)} | {f.note} |"
        )
    return "\n".join(lines)


def report(bench: str, figures: Sequence[Figure], args: argparse.Namespace, extra: dict | None = None) -> None:
    """Print the figures as a table and write them as JSON if asked."""
    print()
    print(f"== {bench}: {'full' if args.full else 'quick'} set ==")
    print(markdown_table(figures))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {"bench": bench, "scale": "full" if args.full else "quick",
                 "figures": [f.as_dict() for f in figures], "extra": extra or {}},
                indent=2, default=str,
            )
        )


def copy_and_sync(source: Path, target: Path) -> float:
    """Seconds to `cp` a file and sync the copy: the floor a snapshot publish is held to."""
    started = time.perf_counter()
    subprocess.run(["sh", "-c", 'cp -- "$1" "$2" && sync -- "$2"', "sh", str(source), str(target)], check=True)
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the machine ----------------------------------------------------------------------


def machine() -> dict[str, str]:
    """What the figures were measured on, in the words a reader compares machines by."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        import psutil

        mem = f"{psutil.virtual_memory().total / 2**30:.0f} GiB"
    except ImportError:
        pass
    versions = {}
    for name in ("duckdb", "dagster", "pandas", "pyarrow"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = "absent"
    disk = shutil.disk_usage(tempfile.gettempdir())
    return {
        "cpu": f"{cpu}, {os.cpu_count()} logical cores",
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "libraries": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "temp disk": f"{tempfile.gettempdir()} ({disk.free / 2**30:.0f} GiB free)",
    }


# --- the peers' virtual environment ---------------------------------------------------


def _requirements_hash() -> str:
    return hashlib.sha256(PEER_REQUIREMENTS.read_bytes()).hexdigest()[:16]


def peer_python() -> Path:
    """The peers' interpreter, creating their venv from requirements-peers.txt if needed.

    The peers (dlt, dagster-duckdb-pandas) need pandas < 3, which the project's venv must
    never get, so they live in their own venv and run in subprocesses.
    """
    python = PEER_VENV / "bin" / "python"
    stamp = PEER_VENV / ".installed"
    wanted = _requirements_hash()
    if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return python
    log(f"creating the peers' venv {PEER_VENV.relative_to(PROJECT)} (one time, ~30 s)")
    base = getattr(sys, "_base_executable", None) or sys.executable
    subprocess.run([base, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-r", str(PEER_REQUIREMENTS)],
        check=True,
    )
    stamp.write_text(wanted)
    return python


def run_json(cmd: Sequence[str], *, env: dict | None = None, timeout: float | None = None) -> dict:
    """Run a helper that prints one JSON object as its last stdout line."""
    full_env = {**os.environ, **QUIET_ENV, **(env or {})}
    proc = subprocess.run(
        list(map(str, cmd)), capture_output=True, text=True, env=full_env, timeout=timeout
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, cmd[:3]))} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    return json.loads(lines[-1])
