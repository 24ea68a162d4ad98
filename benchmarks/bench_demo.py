"""`make demo` after install: its jobs against the 2-minute target, and where the time goes.

Runs what `make demo` runs (`python -m twilight_assets.demo`: its own simulator over HTTP,
the project's jobs through `dagster job execute` on a real instance, the summary and the
monitor) on a fresh copy of dagster_home/dagster.yaml and a fresh data directory, with no
source configured (the demo chooses the simulator, as on a new clone). The install is not
timed: `make demo` skips it once the venv is there.

Reported:
- the demo's jobs: from the first job's start to the last one's end, against 120 s (the
  target of issue 9: the jobs in under 2 minutes on this machine when it is quiet);
- the whole demo (simulator start, jobs, summary, monitor) against the sum of its runs'
  step durations read from the Dagster event log: what the demo costs beyond the work
  its steps do (process start-up, code-location loads, run bookkeeping);
- for context, each run's wall, event-log run and step times, the CPU seconds the demo
  and its children used, and the load average (the target is for a quiet machine; on a
  busy one the CPU seconds say more than the wall).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import benchlib
from benchlib import Figure, log

BENCH = "demo"
TARGET_S = 120.0
_JOB_DONE = re.compile(r"^<== (\w+) (ok|FAILED) in ([\d.]+)s")
_SOURCE_VARIABLES = ("TUSHARE_TOKEN", "TUSHARE_HTTP_URL", "TWILIGHT_SOURCE", "TWILIGHT_ALLOW_MIXED_SOURCES")


def demo_env(work: Path) -> dict[str, str]:
    home = work / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(benchlib.PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    data = work / "data"
    env = {k: v for k, v in os.environ.items() if k not in _SOURCE_VARIABLES}
    env.update(benchlib.QUIET_ENV)
    env.update({
        "DAGSTER_HOME": str(home),
        "TWILIGHT_WAREHOUSE": str(data / "warehouse.duckdb"),
        "TWILIGHT_SNAPSHOT_DIR": str(data / "snapshots"),
        "TWILIGHT_ARCHIVE": str(data / "archive"),
    })
    env.pop("TWILIGHT_LAKE_DATA", None)
    return env


def run_demo(env: dict[str, str], transcript: Path) -> tuple[float, float, int, str]:
    """Returns (wall seconds, CPU seconds of the demo and its children, exit code, output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "twilight_assets.demo"], cwd=benchlib.PROJECT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30 * 60)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    transcript.write_text(proc.stdout)
    return wall, cpu, proc.returncode, proc.stdout


def runs_from_event_log(home: str) -> list[dict]:
    """Each run of the instance, oldest first: its job, status, start and end (the event
    log's RUN_START and run end) and the sum of its steps' durations."""
    import dagster as dg

    rows = []
    with dg.DagsterInstance.from_config(home) as instance:
        for run in reversed(instance.get_runs()):
            stats = instance.get_run_stats(run.run_id)
            steps = instance.get_run_step_stats(run.run_id)
            rows.append({
                "job": run.job_name,
                "status": run.status.value,
                "start": stats.start_time,
                "end": stats.end_time,
                "run_s": (stats.end_time - stats.start_time) if stats.start_time and stats.end_time else None,
                "steps": len(steps),
                "steps_s": sum(s.end_time - s.start_time for s in steps if s.start_time and s.end_time),
            })
    return rows


def main(argv: list[str] | None = None) -> int:
    args = benchlib.parse_args(__doc__.splitlines()[0], argv)
    load_before = os.getloadavg()
    with benchlib.workdir(args, BENCH) as work:
        env = demo_env(work)
        log(f"python -m twilight_assets.demo on a fresh instance ({env['DAGSTER_HOME']}); "
            f"load average {load_before[0]:.1f}")
        wall, cpu, code, output = run_demo(env, work / "demo-output.txt")
        load_after = os.getloadavg()
        if code != 0:
            log(f"the demo exited {code}; its last lines:\n{output[-3000:]}")
        cli_wall = {m.group(1): float(m.group(3)) for m in map(_JOB_DONE.match, output.splitlines()) if m}
        runs = runs_from_event_log(env["DAGSTER_HOME"])

    started = [r["start"] for r in runs if r["start"]]
    ended = [r["end"] for r in runs if r["end"]]
    # Dagster's run start is after the CLI loaded the code location and wrote the run's
    # planned events; the demo's own clock per job includes all of that.
    jobs_s = (max(ended) - min(started)) if started and ended else None
    cli_sum = sum(cli_wall.values()) or None
    steps_s = sum(r["steps_s"] for r in runs)
    runs_s = sum(r["run_s"] or 0 for r in runs)
    print()
    print(f"{'job':<18}{'status':>9}{'CLI wall s':>12}{'run s':>8}{'steps':>7}{'step s':>8}")
    for r in runs:
        print(f"{r['job']:<18}{r['status']:>9}{cli_wall.get(r['job'], float('nan')):>12.1f}"
              f"{r['run_s'] or float('nan'):>8.1f}{r['steps']:>7}{r['steps_s']:>8.1f}")
    print(f"{'sum':<18}{'':>9}{cli_sum or float('nan'):>12.1f}{runs_s:>8.1f}"
          f"{sum(r['steps'] for r in runs):>7}{steps_s:>8.1f}")
    # The jobs' span starts when the first run starts in the event log: add what its CLI
    # spent before that (loading the code location), so nothing of the jobs is left out.
    first = min(runs, key=lambda r: r["start"] or float("inf"), default=None)
    if jobs_s is not None and first is not None and first["job"] in cli_wall and first["run_s"]:
        jobs_s += max(cli_wall[first["job"]] - first["run_s"], 0.0)
    load = f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after, on {os.cpu_count()} cores"
    print(f"\nwhole demo {wall:.1f} s; jobs {jobs_s or float('nan'):.1f} s "
          f"({(jobs_s or 0) / TARGET_S:.2f} of the {TARGET_S:.0f} s target); "
          f"sum of step durations {steps_s:.1f} s; CPU {cpu:.1f} s; {load}")
    ok = code == 0 and bool(runs) and all(r["status"] == "SUCCESS" for r in runs)
    note = ("" if ok else "the demo or one of its runs FAILED; ") + load
    figures = [
        Figure(BENCH, "make demo's jobs, first start to last end", jobs_s, "s", "<= 1",
               baseline_name="target", baseline_value=TARGET_S,
               note=f"{len(runs)} runs, {sum(r['steps'] for r in runs)} steps; {note}"),
        Figure(BENCH, "make demo, whole (after install)", wall, "s", None,
               baseline_name="sum of its runs' step durations (event log)", baseline_value=steps_s or None,
               note=f"simulator, jobs, summary and monitor; CPU {cpu:.0f} s of the demo and its children"),
    ]
    benchlib.report(BENCH, figures, args, extra={
        "runs": runs, "cli_wall_s": cli_wall, "cpu_s": cpu, "exit_code": code,
        "load_average_before": load_before, "load_average_after": load_after,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
