"""Every benchmark script still runs: each at a tiny scale, in a process of its own, as
`benchmarks/run_all.py` runs it (`--json` figures, a work dir). Nothing here looks at a
time: figures are printed, never asserted; a run is good when it exits 0 and wrote its
figures with values.

Left out: bench_backfill (its point is a minute of rate-limited calls) and bench_memory
(a 5,500-stock market and two Dagster code-location loads); bench_loaders runs without
its peers (dlt and the IO manager live in a venv of their own, made by run_all.py) and
bench_checks without its quality_sweep job (30-60 s of Dagster steps).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"

TINY = {
    "upsert": ["--batches", "2", "--seed-rows", "50", "--entities", "6", "--periods", "8"],
    "loaders": ["--days", "2", "--revised", "1", "--no-peers"],
    "archive": ["--market", "300", "--stocks", "2", "--rounds", "1"],
    "history": ["--first-year", "2025", "--last-year", "2025", "--stocks", "40", "--days", "6",
                "--snapshot-rounds", "1", "--workers", "2"],
    "snapshot": ["--rows", "20000", "--stocks", "200", "--rounds", "1"],
    # On the cluster TWILIGHT_TEST_PG names (make test starts one); without it the bench
    # starts a throwaway one itself (scripts/test_services.sh run).
    "ducklake": ["--partitions", "2", "--writers", "2", "--publish-rounds", "1"],
    "checks": ["--rows", "20000", "--stocks", "200", "--no-job"],
}


@pytest.mark.parametrize("bench", sorted(TINY))
def test_benchmark_runs_at_a_tiny_scale(bench: str, tmp_path: Path) -> None:
    out = tmp_path / f"{bench}.json"
    env = {k: v for k, v in os.environ.items() if k not in ("TUSHARE_TOKEN", "TWILIGHT_WAREHOUSE",
                                                           "TWILIGHT_SNAPSHOT_DIR")}
    env.update({"RUNTIME__DLTHUB_TELEMETRY": "false", "DAGSTER_DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "1",
                # A bench that forgot to name its archive writes here, not into data/archive.
                "TWILIGHT_ARCHIVE": str(tmp_path / "default-archive")})
    proc = subprocess.run(
        [sys.executable, str(BENCH_DIR / f"bench_{bench}.py"), "--json", str(out),
         "--workdir", str(tmp_path), *TINY[bench]],
        cwd=BENCH_DIR.parent, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    figures = json.loads(out.read_text())["figures"]
    assert figures, f"bench_{bench} wrote no figures"
    unmeasured = [f["name"] for f in figures if f["value"] is None]
    assert not unmeasured, f"bench_{bench} measured nothing for {unmeasured}: " + \
        "; ".join(f["note"] for f in figures if f["value"] is None)
