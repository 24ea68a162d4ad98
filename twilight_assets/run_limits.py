"""How long a run of each job may take before the daemon's run monitoring ends it.

A backstop for a run whose worker lives but makes no progress (a dead worker is caught much
sooner by LocalRunLauncher's health check). Each limit is several times the longest run the job
makes in normal use: backfills are split into runs of a bounded size (ranges of trading days in
one run per dataset, 500 stocks or indexes per run), each paced by Tushare's per-API quotas.
Runs without such a tag (`dagster asset materialize` of a selection) fall back to the
instance's `run_monitoring: max_runtime_seconds`.
"""

from __future__ import annotations

from dagster._core.storage.tags import MAX_RUNTIME_SECONDS_TAG

HOUR = 3600

MAX_RUNTIME_S: dict[str, int] = {
    # Two unpartitioned lists, a handful of calls.
    "reference_job": HOUR // 2,
    # One call per exchange and year.
    "calendar_job": HOUR // 2,
    # Decades of trading days for three APIs: about one call per day each at 500 calls/min.
    "daily_market_job": 6 * HOUR,
    # 500 stocks x eight APIs, statements in pages of 100 rows.
    "stock_job": 6 * HOUR,
    "index_job": 6 * HOUR,
    # Waits for the writer slot, then copies and verifies the file.
    "snapshot_job": HOUR,
    # Every check over whole tables.
    "quality_sweep": 2 * HOUR,
    # Compaction and expiry of a DuckLake, the archive's orphans.
    "maintenance_job": 2 * HOUR,
}


def max_runtime_tags(job_name: str) -> dict[str, str]:
    """The `dagster/max_runtime` tag for a job's runs (tags=... of define_asset_job)."""
    return {MAX_RUNTIME_SECONDS_TAG: str(MAX_RUNTIME_S[job_name])}
