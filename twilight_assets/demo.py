"""`make demo`: the real pipeline, through Dagster's CLI, against the simulator.

It starts one simulator for all runs (`twilight simulator serve`, a process of its own,
chosen explicitly: TWILIGHT_SOURCE=simulator), then runs the project's jobs on the
instance in $DAGSTER_HOME with `dagster job execute`, as a user would from the command
line: reference lists, the calendar, the last 30 trading days of market data, every
simulated stock and index, their checks, and a snapshot. It ends with a summary read
from that snapshot and the monitor's report.

The runs are the project's jobs, from the project's own code location, with one choice
made by run config (IN_PROCESS): each run executes its steps in one process; and jobs that
need nothing of each other run at the same time. Measured here (2 cores), the production executor's process per step made the demo
a sum of start-ups: six runs, ~34 steps and ~68 process spawns took 158 s of jobs on a
quiet machine, most of it importing the code location again in every step.
`benchmarks/bench_demo.py` times it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from twilight_assets import config
from twilight_assets.errors import SourceConfigError

DEMO_TRADING_DAYS = 30
_INTERESTING = re.compile(
    r"(STEP_FAILURE|written, \d+ failed of|partition\(s\) to fetch|partition\(s\) registered|"
    r"published snapshot|Asset check .* failed)"
)
_CHECK = re.compile(r"Asset check '[^']+' on '[^']+' (passed|failed)")
_SIMULATOR_READY = "simulator listening on "


def _say(message: str) -> None:
    print(message, flush=True)


def _choose_source() -> subprocess.Popen | None:
    """With nothing configured, start the demo's own simulator and choose it explicitly,
    as any simulator run must (TWILIGHT_SOURCE=simulator at TUSHARE_HTTP_URL); otherwise
    use what the environment chooses. Returns the simulator process it started, if any."""
    choice = (os.environ.get(config.SOURCE_VARIABLE) or "").strip().lower()
    if config.tushare_token() is None and config.tushare_http_url() is None and choice in ("", config.SIMULATOR):
        server, url = _start_simulator()
        os.environ[config.SOURCE_VARIABLE] = config.SIMULATOR
        os.environ[config.URL_VARIABLE] = url
        _say(f"No TUSHARE_TOKEN: serving the simulator at {url} (TWILIGHT_SOURCE=simulator)")
        return server
    settings = config.source_settings(token=os.environ.get(config.TOKEN_VARIABLE))
    _say(f"Using the configured source: {settings.name} at {settings.http_url or 'Tushare Pro'}")
    return None


def _start_simulator(timeout_s: float = 60) -> tuple[subprocess.Popen, str]:
    """`twilight simulator serve` on a free loopback port, as `make dev` starts it: the
    simulator is a package of its own that production modules never import."""
    log_dir = Path(os.environ["DAGSTER_HOME"]) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "demo-simulator.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "twilight_assets.cli", "simulator", "serve", "--host", "127.0.0.1", "--port", "0"],
            stdout=log, stderr=subprocess.STDOUT, text=True,
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for line in log_path.read_text().splitlines():
            if line.startswith(_SIMULATOR_READY):
                return server, line[len(_SIMULATOR_READY):].strip()
        if server.poll() is not None:
            break
        time.sleep(0.1)
    _stop(server)
    raise SourceConfigError(f"the simulator did not start; its output:\n{log_path.read_text()[-2000:]}")


def _stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.terminate()  # SIGTERM ends `twilight simulator serve` cleanly
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


IN_PROCESS = {"execution": {"config": {"in_process": {}}}}
"""Run config: a run's steps one after the other in the run's own process (the code
location's executor takes a process per step unless told so)."""


def _run_config() -> Path:
    path = Path(os.environ["DAGSTER_HOME"]) / "logs" / "in_process.yaml"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(IN_PROCESS))  # JSON is YAML
    return path


def run_job(job: str, tags: dict[str, str] | None = None, label: str = "") -> bool:
    """Run one job with `dagster job execute`, showing its progress as it goes (each line
    prefixed with the job: the demo runs independent jobs at the same time)."""
    cmd = [
        sys.executable, "-m", "dagster", "job", "execute",
        "-m", "twilight_assets.definitions", "-a", "defs", "-j", job, "-c", str(_run_config()),
    ]
    if tags:
        cmd += ["--tags", json.dumps(tags)]
    _say(f"==> {job} {label}".rstrip())
    started = time.monotonic()
    log_dir = Path(os.environ["DAGSTER_HOME"]) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"demo-{job}.log"
    checks = {"passed": 0, "failed": 0}
    with open(log_path, "w") as log, subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            if match := _CHECK.search(line):
                checks[match.group(1)] += 1
            if _INTERESTING.search(line):
                _say(f"    [{job}] " + _compact(line))
    ok = proc.returncode == 0
    outcome = "ok" if ok else "FAILED"
    _say(
        f"<== {job} {outcome} in {time.monotonic() - started:.1f}s; checks: {checks['passed']} passed, "
        f"{checks['failed']} failed (log: {log_path})"
    )
    return ok


def _compact(line: str) -> str:
    # Dagster's log lines are long: keep the step and the message (the job is the prefix).
    parts = [p.strip() for p in line.split(" - ") if p.strip()]
    return " - ".join(parts[-2:])[:200]


def _range(keys: list[str]) -> dict[str, str]:
    return {ASSET_PARTITION_RANGE_START_TAG: keys[0], ASSET_PARTITION_RANGE_END_TAG: keys[-1]}


def _recent_trading_range(warehouse, n: int) -> list[str]:
    from twilight_assets.partitions import trading_days

    latest = trading_days.get_last_partition_key()
    with warehouse.writer() as writer:
        frame = writer.query(
            "SELECT strftime(cal_date, '%Y-%m-%d') AS day FROM normalized_trade_cal "
            "WHERE exchange = 'SSE' AND is_open = 1 AND cal_date <= ?::DATE "
            "ORDER BY cal_date DESC LIMIT ?",
            [latest, n],
        )
    days = sorted(frame["day"].tolist())
    if not days:
        raise SystemExit("demo: trade_cal has no open days; the calendar job did not load")
    # The range runs over weekday partitions, so the holidays inside it are recorded as
    # market closed rather than skipped.
    return [days[0], latest]


def _summary(reader) -> str:
    """What landed, read back from the published snapshot (never the live file)."""
    frame = reader.query(
        "SELECT p.api_name, count(*) FILTER (WHERE p.status = 'done') AS done, "
        "count(*) FILTER (WHERE p.status = 'market_closed') AS closed, "
        "count(*) FILTER (WHERE p.status = 'failed') AS failed, sum(p.rows) AS rows "
        "FROM ingest_progress p GROUP BY p.api_name ORDER BY p.api_name"
    )
    info = reader.info
    lines = [
        f"\nSnapshot {info.snapshot_id} ({info.bytes / 1e6:.1f} MB, {info.path})",
        f"{'dataset':<18}{'partitions done':>16}{'closed':>8}{'failed':>8}{'rows':>10}{'table rows':>12}",
    ]
    for row in frame.itertuples():
        table_rows = info.table_rows.get(f"normalized_{row.api_name}", 0)
        lines.append(
            f"{row.api_name:<18}{row.done:>16}{row.closed:>8}{row.failed:>8}{int(row.rows or 0):>10}{table_rows:>12}"
        )
    return "\n".join(lines)


def _run_jobs(instance, warehouse) -> bool:
    """The lists and the calendar at once; market data as soon as the calendar is in,
    stocks and indexes as soon as the lists registered them (those three at once); then
    the snapshot, once everything else has finished."""
    this_year = dt.date.today().year

    def market_data() -> bool:
        days = _recent_trading_range(warehouse, DEMO_TRADING_DAYS)
        return run_job("daily_market_job", _range(days),
                       f"(last {DEMO_TRADING_DAYS} trading days: {days[0]}..{days[-1]})")

    def entities(job: str, name: str) -> bool:
        keys = instance.get_dynamic_partitions(name)
        if not keys:
            _say(f"<== {job} skipped: no {name} partitions (reference_job registers them)")
            return False
        return run_job(job, _range(keys), f"({len(keys)} {name})")

    with ThreadPoolExecutor(max_workers=3) as pool:
        first = {
            pool.submit(run_job, "reference_job", None, "(stock_basic L/D/P, index_basic)"): "lists",
            pool.submit(
                run_job, "calendar_job", _range([str(this_year - 1), str(this_year + 1)]),
                f"(trade_cal {this_year - 1}..{this_year + 1})",
            ): "calendar",
        }
        results, later = [], []
        pending = set(first)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                results.append(future.result())
                if first[future] == "calendar":
                    later.append(pool.submit(market_data))
                else:  # the lists registered their stocks and indexes as partitions
                    later += [pool.submit(entities, "stock_job", "stocks"),
                              pool.submit(entities, "index_job", "indexes")]
        results += [future.result() for future in later]
    results.append(run_job("snapshot_job", label="(publish a read-only snapshot)"))
    return all(results)


def main() -> int:
    os.environ.setdefault("DAGSTER_HOME", str(Path("dagster_home").resolve()))
    os.environ.setdefault("TWILIGHT_WAREHOUSE", config.warehouse_url())
    os.environ.setdefault("TWILIGHT_SNAPSHOT_DIR", str(config.snapshot_dir()))

    try:
        server = _choose_source()
    except SourceConfigError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    try:
        return _demo()
    finally:
        _stop(server)


def _demo() -> int:
    import dagster as dg

    from twilight_assets.resources import WarehouseResource

    instance = dg.DagsterInstance.get()  # creates $DAGSTER_HOME's storage once, before runs
    warehouse = WarehouseResource(
        warehouse=os.environ["TWILIGHT_WAREHOUSE"], snapshot_dir=os.environ["TWILIGHT_SNAPSHOT_DIR"]
    )
    _say(f"Dagster instance: {os.environ['DAGSTER_HOME']}\nWarehouse: {warehouse.backend().location.label}")
    _say(
        "Each job runs as `dagster job execute -m twilight_assets.definitions -j <job> -c "
        "in_process.yaml`: each run's steps in one process; jobs that need nothing of each "
        "other run at the same time.\n"
    )
    ok = _run_jobs(instance, warehouse)

    with warehouse.reader() as reader:
        _say(_summary(reader))
    _say("\n==> twilight monitor (reads the same snapshot)")
    subprocess.run([sys.executable, "-m", "twilight_assets.cli", "monitor"], check=False)
    _say(
        "\nDone. `make dev` opens the UI on http://127.0.0.1:3000 with these runs, partitions "
        "and check results; `twilight monitor` re-reads the snapshot."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
