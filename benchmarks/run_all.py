"""Run every benchmark, print one table of figures vs targets, and record it.

    python benchmarks/run_all.py            # the quick set: a few minutes on 2 cores
    python benchmarks/run_all.py --full     # the full scale: an hour or two (bench_history's
                                            # 21 years x 5,000 stocks is the longest)
    python benchmarks/run_all.py --only loaders,snapshot

Each benchmark runs in its own process (so memory and imports never leak from one into
the next) and writes its figures as JSON; this script collects them, prints the table
with the machine they came from, and merges them into that scale's section of
benchmarks/RESULTS.md (figures of benchmarks not run this time, and the other scale's
section, are kept). A benchmark that fails is a line saying so, never a crash: the
runner always exits 0, like the benchmarks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import benchlib
from benchlib import Figure, log

BENCHES = ("upsert", "loaders", "archive", "history", "ducklake", "fetch_lease", "backfill", "snapshot", "checks",
           "memory", "demo")
RESULTS_MD = benchlib.BENCH_DIR / "RESULTS.md"
RESULTS_DIR = benchlib.BENCH_DIR / "results"
TIMEOUT_S = {"quick": 20 * 60, "full": 150 * 60}

_HEADER = """# Benchmark results

The latest figures of `benchmarks/run_all.py` (`make bench` runs the quick set, `make
bench-full` the full scale), each measured against its baseline in the same run. Targets
come from issues 2, 6 and 10; "MISSED" is a finding, never hidden. What each benchmark does
and why is in the docstring at the top of its script. This file is rewritten by the
runner, one section per scale.
"""


def _section_markers(scale: str) -> tuple[str, str]:
    return f"<!-- {scale}:start -->", f"<!-- {scale}:end -->"


def run_bench(name: str, full: bool, workdir: Path | None) -> tuple[list[Figure], float, str | None]:
    script = benchlib.BENCH_DIR / f"bench_{name}.py"
    scale = "full" if full else "quick"
    out = RESULTS_DIR / scale / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(script), "--json", str(out)]
    if full:
        cmd.append("--full")
    if workdir is not None:
        cmd += ["--workdir", str(workdir)]
    env = {**os.environ, **benchlib.QUIET_ENV}
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, cwd=benchlib.PROJECT, timeout=TIMEOUT_S[scale])
        problem = None if proc.returncode == 0 else f"exited {proc.returncode}"
    except subprocess.TimeoutExpired:
        problem = f"timed out after {TIMEOUT_S[scale] // 60} min"
    seconds = time.perf_counter() - started
    if not out.exists():
        return [], seconds, problem or "wrote no figures"
    figures = [Figure.from_dict(f) for f in json.loads(out.read_text())["figures"]]
    return figures, seconds, problem


def render_section(scale: str, runs: dict[str, dict]) -> str:
    """The scale's section: one table, when and how loaded each benchmark ran, the machine,
    and the runs as JSON (so re-running one benchmark keeps the others' figures)."""
    start, end = _section_markers(scale)
    ordered = {name: runs[name] for name in BENCHES if name in runs}
    figures = [Figure.from_dict(f) for run in ordered.values() for f in run["figures"]]
    lines = [start, f"## {'Full scale' if scale == 'full' else 'Quick set'}", "",
             benchlib.markdown_table(figures), ""]
    for name, run in ordered.items():
        problem = f" **did not complete: {run['problem']}**" if run.get("problem") else ""
        lines.append(
            f"- bench_{name}: {run['when']}, {run['seconds']:.0f} s, load average "
            f"{run['load'][0]:.1f} -> {run['load'][1]:.1f}{problem}"
        )
    machine = next(iter(ordered.values()))["machine"] if ordered else {}
    lines += [
        "",
        "A load average above ~0.5 means other work shared the 2 cores: those figures are "
        "pessimistic. Machine:",
        *[f"- {key}: {value}" for key, value in machine.items()],
        f"<!-- runs: {json.dumps(ordered, default=str)} -->",
        end,
    ]
    return "\n".join(lines)


def recorded_runs(text: str, scale: str) -> dict[str, dict]:
    start, end = _section_markers(scale)
    match = re.search(re.escape(start) + r".*?<!-- runs: (.*?) -->.*?" + re.escape(end), text, re.DOTALL)
    return json.loads(match.group(1)) if match else {}


def update_results_md(scale: str, runs: dict[str, dict]) -> str:
    """Merge `runs` into the scale's section of RESULTS.md; returns the section."""
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else _HEADER
    section = render_section(scale, {**recorded_runs(text, scale), **runs})
    start, end = _section_markers(scale)
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    elif scale == "quick" and _section_markers("full")[0] in text:
        # Quick set first, then the full scale, whatever order they were run in.
        marker = _section_markers("full")[0]
        text = text.replace(marker, section + "\n\n" + marker)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    RESULTS_MD.write_text(text)
    return section


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full scale (about an hour)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(BENCHES)}")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the benchmarks build their temporary warehouses (default: temp dirs)")
    parser.add_argument("--no-record", action="store_true", help="do not rewrite RESULTS.md")
    args = parser.parse_args(argv)
    names = [n for n in (args.only.split(",") if args.only else BENCHES) if n]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {', '.join(BENCHES)}")
    scale = "full" if args.full else "quick"
    machine = benchlib.machine()
    runs: dict[str, dict] = {}
    for name in names:
        log(f"=== bench_{name} ({scale}) ===")
        load_before = os.getloadavg()[0]
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        figures, seconds, problem = run_bench(name, args.full, args.workdir)
        runs[name] = {
            "when": when, "seconds": seconds, "load": [load_before, os.getloadavg()[0]],
            "problem": problem, "machine": machine, "figures": [f.as_dict() for f in figures],
        }
        if problem:
            log(f"bench_{name}: {problem}")
    if args.no_record:
        section = render_section(scale, runs)
    else:
        section = update_results_md(scale, runs)
        log(f"recorded in {RESULTS_MD.relative_to(benchlib.PROJECT)}")
    print()
    # The table as recorded (other benchmarks' latest figures included), without the JSON.
    print("\n".join(line for line in section.splitlines() if not line.startswith("<!--")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
