"""Peak memory of a full-market ingest, and how long the code location takes to load.

1. A child process (so nothing else counts) runs what the assets run, through
   `ingest_partitions` and the writer lease, against the simulator in a process of its
   own with 5,500 stocks: one trading day of daily, daily_basic and adj_factor (every
   stock's row in one batch), then the four per-stock financial statements for a sample
   of stocks over the simulator's whole history. Its peak RSS (getrusage ru_maxrss) is
   the figure (target <= 1 GB); the RSS after imports is printed beside it.
2. With 5,500 stock and 500 index partitions registered in a temp DAGSTER_HOME: the
   wall time of `dagster definitions validate` (a fresh process loading the code
   location, as the webserver and daemon do), and of a fresh process that loads the
   repository and lists every asset's partitions (target <= 5 s each).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import benchlib
from benchlib import Figure, log
from sim_process import SimulatorProcess

BENCH = "memory"
STOCKS = 5_500
INDEXES = 500
SIM_START = dt.date(2015, 1, 5)
SIM_AS_OF = dt.date(2024, 12, 31)
FINANCIALS = ("income", "balancesheet", "cashflow", "fina_indicator")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def ingest_child(warehouse: str, url: str, token: str, sample: int) -> dict:
    """Runs in the measured child process."""
    after_start = rss_mb()
    from twilight_assets.ingest import ingest_partitions
    from twilight_assets.resources import WarehouseResource
    from twilight_assets.sources.tushare import RateLimiter, TushareSource
    from twilight_assets.specs import get_spec

    after_imports = rss_mb()
    resource_ = WarehouseResource(warehouse=warehouse, snapshot_dir=str(Path(warehouse).parent / "snapshots"),
                                  archive_dir=str(Path(warehouse).parent / "archive"))
    source = TushareSource(token, url, source_name="simulator", rate_limiter=RateLimiter())
    steps: dict[str, dict] = {}

    def run(api: str, keys: list) -> None:
        started = time.perf_counter()
        report = ingest_partitions(get_spec(api), keys, source=source, open_writer=resource_.writer,
                                   archive=resource_.archive())
        steps[api] = {
            "partitions": len(keys), "rows": report.rows_written, "failed": len(report.failures),
            "seconds": round(time.perf_counter() - started, 2), "peak_rss_mb": round(rss_mb(), 1),
            "first_error": report.failures[0].error if report.failures else None,
        }

    run("trade_cal", [str(SIM_AS_OF.year)])
    day = SIM_AS_OF.isoformat()
    for api in ("daily", "daily_basic", "adj_factor"):
        run(api, [day])
    run("stock_basic", [None])
    with resource_.writer() as writer:
        codes = writer.query(
            "SELECT ts_code FROM normalized_stock_basic ORDER BY hash(ts_code) LIMIT ?", [sample]
        )["ts_code"].tolist()
    for api in FINANCIALS:
        run(api, codes)
    return {"after_start_mb": after_start, "after_imports_mb": after_imports,
            "peak_rss_mb": rss_mb(), "steps": steps}


def measure_ingest(work: Path, sample: int) -> dict:
    with SimulatorProcess(n_stocks=STOCKS, n_indexes=INDEXES, start=SIM_START, as_of=SIM_AS_OF) as sim:
        code = (
            "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_memory as b; "
            "print(json.dumps(b.ingest_child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))))"
        )
        env = {k: v for k, v in os.environ.items() if k != "TUSHARE_TOKEN"}
        return benchlib.run_json(
            [sys.executable, "-c", code, benchlib.BENCH_DIR, work / "warehouse.duckdb", sim.url,
             sim.token, sample],
            env=env, timeout=3600,
        )


_LIST_PARTITIONS = """
import json, time
started = time.perf_counter()
import dagster as dg
from twilight_assets.definitions import defs
repo = defs.get_repository_def()
with dg.DagsterInstance.get() as instance:
    counts = {}
    for key in repo.asset_graph.get_all_asset_keys():
        node = repo.asset_graph.get(key)
        if node.partitions_def is not None:
            counts[key.to_user_string()] = len(
                node.partitions_def.get_partition_keys(dynamic_partitions_store=instance))
print(json.dumps({"seconds": time.perf_counter() - started, "partitions": counts}))
"""


def measure_load(work: Path) -> dict:
    home = work / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(benchlib.PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ, **benchlib.QUIET_ENV, "DAGSTER_HOME": str(home),
        "TWILIGHT_WAREHOUSE": str(work / "load.duckdb"),
        "TWILIGHT_SNAPSHOT_DIR": str(work / "load_snapshots"),
    }
    env.pop("TUSHARE_TOKEN", None)
    register = (
        "import dagster as dg\n"
        "with dg.DagsterInstance.get() as instance:\n"
        f"    instance.add_dynamic_partitions('stocks', [f'{{i:06d}}.SZ' for i in range(1, {STOCKS} + 1)])\n"
        f"    instance.add_dynamic_partitions('indexes', [f'{{i:06d}}.CSI' for i in range({INDEXES})])\n"
    )
    subprocess.run([sys.executable, "-c", register], env=env, check=True, cwd=work)
    out: dict = {}
    started = time.perf_counter()
    validate = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate",
         "-m", "twilight_assets.definitions"],
        env=env, capture_output=True, text=True, cwd=work,
    )
    out["validate_s"] = time.perf_counter() - started
    out["validate_ok"] = validate.returncode == 0
    if not out["validate_ok"]:
        out["validate_error"] = (validate.stdout + validate.stderr)[-400:]
    started = time.perf_counter()
    listed = subprocess.run([sys.executable, "-c", _LIST_PARTITIONS], env=env, capture_output=True,
                            text=True, cwd=work)
    out["list_process_s"] = time.perf_counter() - started
    if listed.returncode == 0:
        detail = json.loads(listed.stdout.strip().splitlines()[-1])
        out["list_in_process_s"] = detail["seconds"]
        out["partitions"] = detail["partitions"]
    else:
        out["list_error"] = listed.stderr[-400:]
    return out


def main(argv: list[str] | None = None) -> int:
    args = benchlib.parse_args(__doc__.splitlines()[0], argv)
    sample = 500 if args.full else 50
    figures: list[Figure] = []
    extra: dict = {}
    with benchlib.workdir(args, BENCH) as work:
        log(f"full-market ingest in a child: {STOCKS:,} stocks, one day x 3 APIs, "
            f"{len(FINANCIALS)} statements for {sample} stocks")
        try:
            ingest = measure_ingest(work, sample)
            extra["ingest"] = ingest
            for api, step in ingest["steps"].items():
                log(f"  {api:<15} {step['partitions']:>4} partitions {step['rows']:>7,} rows "
                    f"{step['seconds']:6.1f}s  peak so far {step['peak_rss_mb']:6.0f} MB"
                    + (f"  {step['failed']} FAILED: {step['first_error']}" if step["failed"] else ""))
            failed = sum(s["failed"] for s in ingest["steps"].values())
            figures.append(Figure(
                BENCH, "peak RSS, full-market ingest", ingest["peak_rss_mb"], "MB", "<= 1024",
                note=f"{STOCKS:,} stocks x daily/daily_basic/adj_factor + financials of {sample}; "
                     f"{ingest['after_imports_mb']:.0f} MB after imports; {failed} partitions failed",
            ))
        except Exception as exc:
            figures.append(Figure(BENCH, "peak RSS, full-market ingest", None, "MB", "<= 1024",
                                  note=f"not measured: {type(exc).__name__}: {str(exc)[-300:]}"))
        log(f"code location load with {STOCKS:,} stock + {INDEXES} index partitions registered")
        load = measure_load(work)
        extra["load"] = load
        log(f"  {json.dumps({k: v for k, v in load.items() if k != 'partitions'})[:600]}")
        figures.append(Figure(
            BENCH, "dagster definitions validate", load["validate_s"] if load["validate_ok"] else None,
            "s", "<= 5",
            note="fresh process" if load["validate_ok"] else f"not measured: {load.get('validate_error', '')[-200:]}",
        ))
        figures.append(Figure(
            BENCH, "load repository + list partitions", load["list_process_s"] if "partitions" in load else None,
            "s", "<= 5",
            note=(f"fresh process; {load['list_in_process_s']:.1f}s after interpreter start; "
                  f"{sum(load['partitions'].values()):,} partition keys over {len(load['partitions'])} assets")
            if "partitions" in load else f"not measured: {load.get('list_error', '')[-200:]}",
        ))
    benchlib.report(BENCH, figures, args, extra=extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
