"""Run every benchmark, print one table of figures vs targets, and record it.

    python benchmarks/run_all.py            # the quick set: a few minutes on 2 cores
    python benchmarks/run_all.py --full     # the full scale: within about an hour
    python benchmarks/run_all.py --only loaders,snapshot

Each benchmark runs in its own process (so memory and imports never leak from one into
the next) and writes its figures as JSON; this script collects them, prints the table
with the machine they came from, and rewrites that scale's section of
benchmarks/RESULTS.md (the other scale's section is kept). A benchmark that fails is a
row saying so, never a crash: the runner always exits 0, like the benchmarks.
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

BENCHES = ("upsert", "loaders", "backfill", "snapshot", "checks", "memory")
RESULTS_MD = benchlib.BENCH_DIR / "RESULTS.md"
RESULTS_DIR = benchlib.BENCH_DIR / "results"
TIMEOUT_S = {"quick": 20 * 60, "full": 90 * 60}

_HEADER = """# Benchmark results

The latest figures of `benchmarks/run_all.py` (`make bench` runs the quick set, `make
bench-full` the full scale), each measured against its baseline in the same run. Targets
come from issues 2 and 6; "MISSED" is a finding, never hidden. What each benchmark does
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
    if workdir is not None and name != "upsert":
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


def machine_lines(load_before: tuple[float, ...], load_after: tuple[float, ...]) -> list[str]:
    info = benchlib.machine()
    info["load average"] = (
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (1-minute; above ~0.5 means "
        "other work shared the 2 cores and the figures are pessimistic)"
    )
    return [f"- {key}: {value}" for key, value in info.items()]


def render_section(scale: str, figures: list[Figure], durations: dict[str, float],
                   problems: dict[str, str], machine: list[str], when: str) -> str:
    start, end = _section_markers(scale)
    ran = ", ".join(f"{name} {seconds:.0f}s" for name, seconds in durations.items())
    lines = [
        start,
        f"## {'Full scale' if scale == 'full' else 'Quick set'} ({when})",
        "",
        benchlib.markdown_table(figures),
        "",
    ]
    if problems:
        lines += [f"- **{name} did not complete**: {why}" for name, why in problems.items()] + [""]
    lines += [
        f"Run time: {sum(durations.values()) / 60:.1f} min ({ran}).",
        "",
        "Machine:",
        *machine,
        end,
    ]
    return "\n".join(lines)


def update_results_md(scale: str, section: str) -> None:
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else _HEADER
    start, end = _section_markers(scale)
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        # Quick set first, then the full scale, whatever order they were run in.
        if scale == "quick" and _section_markers("full")[0] in text:
            marker = _section_markers("full")[0]
            text = text.replace(marker, section + "\n\n" + marker)
        else:
            text = text.rstrip() + "\n\n" + section + "\n"
    RESULTS_MD.write_text(text)


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
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_before = os.getloadavg()
    figures: list[Figure] = []
    durations: dict[str, float] = {}
    problems: dict[str, str] = {}
    for name in names:
        log(f"=== bench_{name} ({scale}) ===")
        got, seconds, problem = run_bench(name, args.full, args.workdir)
        figures += got
        durations[name] = seconds
        if problem:
            problems[name] = problem
            log(f"bench_{name}: {problem}")
    machine = machine_lines(load_before, os.getloadavg())
    section = render_section(scale, figures, durations, problems, machine, when)
    print()
    print(section.split("\n", 1)[1].rsplit("\n", 1)[0])  # without the markers
    if not args.no_record and not args.only:
        update_results_md(scale, section)
        log(f"recorded in {RESULTS_MD.relative_to(benchlib.PROJECT)}")
    elif not args.no_record:
        log("a subset ran: RESULTS.md keeps the last complete run (use the table above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
