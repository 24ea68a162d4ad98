"""Source faults at 30% on a multi-partition ingest: every partition lands, nothing is
marked done that was not written, and the retries and throttle waits are counted.

Every trading day takes three pages here, so a fault often strikes after a partition's
first page has arrived. Retries and throttle waits are compared with the simulator's
own log of the faults it applied: the report must count exactly those.
"""

from __future__ import annotations

import shutil

import pytest

from tests.faults.checks import ledger, ledger_problems, partition_fingerprints
from tests.faults.children import open_writer, weekdays
from tests.faults.conftest import read_only
from twilight_assets.ingest import ingest_partitions
from twilight_assets.sources.ratelimit import RateLimiter
from tushare_sim import TRANSPORT_KINDS
from twilight_assets.sources.tushare import TushareSource
from twilight_assets.specs import REGISTRY

API = "daily"
DAYS = weekdays("2024-06-03", "2024-06-14")
RATE = 0.3
CLIENT_TIMEOUT_S = 1.0
HANG_S = 2.0
"""A `timeout` fault hangs past the client's timeout."""
RETRYABLE = TRANSPORT_KINDS - {"throttle"}


def faulty_source(sim, *, max_retries: int = 12, timeout_s: float = 30) -> TushareSource:
    """Generous retries: at 30%, twelve failures of one call in a row (p = 0.3^13) never
    happen, so a partition that does not land is a bug, not bad luck."""
    return TushareSource(
        sim.token, sim.url, source_name="simulator", rate_limiter=RateLimiter(),
        timeout_s=timeout_s, max_retries=max_retries, backoff_base_s=0.01,
        backoff_max_s=0.05, throttle_wait_s=0.01, max_throttle_waits=max_retries,
    )


def ingest(path, source, days=DAYS):
    return ingest_partitions(REGISTRY[API], days, source=source, open_writer=lambda: open_writer(path))


@pytest.fixture(scope="module")
def clean(template, fault_sim, tmp_path_factory) -> dict[str, tuple[int, int]]:
    """The fingerprints of the same days ingested without faults."""
    path = tmp_path_factory.mktemp("faults-clean") / "warehouse.duckdb"
    shutil.copyfile(template, path)
    assert not ingest(path, faulty_source(fault_sim)).failures
    with read_only(path) as conn:
        return partition_fingerprints(conn, API)


def applied(sim, kinds) -> int:
    return sum(1 for f in sim.fault_log if f["kind"] in kinds)


@pytest.mark.parametrize("kinds", [*([k] for k in sorted(TRANSPORT_KINDS)), sorted(TRANSPORT_KINDS)],
                         ids=[*sorted(TRANSPORT_KINDS), "all_six"])
def test_every_partition_lands_through_30_percent_faults(kinds, warehouse, fault_sim, clean):
    # Six kinds together: each at the rate that makes 30% of calls fail in all.
    rate = 1 - (1 - RATE) ** (1 / len(kinds))
    for kind in kinds:
        fault_sim.add_fault(kind, api_name=API, rate=rate, delay=HANG_S)
    # The short client timeout only where a hang is injected: elsewhere a slow clean call
    # on a loaded machine would add a retry the simulator did not cause.
    timeout_s = CLIENT_TIMEOUT_S if "timeout" in kinds else 30
    report = ingest(warehouse, faulty_source(fault_sim, timeout_s=timeout_s))

    assert report.failures == []
    with read_only(warehouse) as conn:
        assert ledger_problems(conn, API) == []
        prints = partition_fingerprints(conn, API)
        marks = ledger(conn, API)
    assert prints == clean  # the earlier days, and each new day whole and as served
    assert {d for d in DAYS if marks[d][0] in ("done", "market_closed")} == set(DAYS)

    faults = applied(fault_sim, kinds)
    assert faults > 0, "the simulator applied no fault"
    summary = report.summary
    assert summary["throttle_waits"] == applied(fault_sim, {"throttle"} & set(kinds))
    # A timed-out call may also be a slow clean one on a loaded machine: at least.
    if "timeout" in kinds:
        assert summary["retries"] >= applied(fault_sim, RETRYABLE & set(kinds))
    else:
        assert summary["retries"] == applied(fault_sim, RETRYABLE & set(kinds))
    assert summary["calls"] == summary["pages"] + summary["retries"] + summary["throttle_waits"]
    print(f"{'+'.join(kinds)}: {faults} faults in {summary['calls']} calls; {summary}")


def test_a_partition_that_never_gets_through_is_failed_and_empty(warehouse, fault_sim, clean):
    """Its first page arrives, every try of its second fails: nothing of it is written,
    its ledger row says failed and why, and the other days land."""
    victim = "2024-06-13"
    fault_sim.add_fault("http_502", api_name=API, match={"trade_date": victim.replace("-", ""), "offset": 100})
    report = ingest(warehouse, faulty_source(fault_sim, max_retries=2))

    assert [o.partition_key for o in report.failures] == [victim]
    error = report.failures[0].error
    assert f"dataset {API}" in error and f"partition {victim}" in error and "HTTP 502" in error
    with read_only(warehouse) as conn:
        assert ledger_problems(conn, API) == []
        prints = partition_fingerprints(conn, API)
        status, rows, raw_id, last_error, attempts = ledger(conn, API)[victim]
    assert victim not in prints
    assert (status, rows, raw_id, attempts) == ("failed", None, None, 1)
    assert "HTTP 502" in last_error and victim in last_error
    assert prints == {p: v for p, v in clean.items() if p != victim}


def test_dagster_metadata_shows_retries_and_throttle_waits(warehouse, fault_sim, monkeypatch):
    """The same counts reach the asset's materialization metadata."""
    import dagster as dg
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from twilight_assets.assets.datasets import build_dataset_asset
    from twilight_assets.resources import TushareResource, WarehouseResource

    monkeypatch.delenv("TUSHARE_TOKEN", raising=False)
    monkeypatch.setenv("TWILIGHT_SOURCE", "simulator")
    monkeypatch.setenv("TUSHARE_HTTP_URL", fault_sim.url)
    fault_sim.add_fault("http_500", api_name=API, rate=RATE)
    fault_sim.add_fault("throttle", api_name=API, rate=RATE)
    resources = {
        "warehouse": WarehouseResource(warehouse=str(warehouse), snapshot_dir=str(warehouse.parent / "snaps")),
        "tushare": TushareResource(max_retries=12, throttle_wait_s=0.01),
    }
    tags = {ASSET_PARTITION_RANGE_START_TAG: DAYS[0], ASSET_PARTITION_RANGE_END_TAG: DAYS[4]}
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([build_dataset_asset(REGISTRY[API])], instance=instance,
                                resources=resources, tags=tags)
        assert result.success
        # The run's totals are one observation of the asset, beside each partition's own event.
        (observed,) = [r.asset_observation for r in instance.fetch_observations(dg.AssetKey(API), limit=10).records
                       if r.run_id == result.run_id]
    meta = {k: v.value for k, v in observed.metadata.items()}
    assert meta["partitions_failed"] == 0 and meta["partitions_done"] + meta["partitions_market_closed"] == 5
    assert meta["retries"] == applied(fault_sim, {"http_500"}) > 0
    assert meta["throttle_waits"] == applied(fault_sim, {"throttle"}) > 0
