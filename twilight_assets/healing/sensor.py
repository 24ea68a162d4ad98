"""`coverage_healing_sensor`: closes the gaps a published snapshot shows, with no human.

Each tick reads the current snapshot (never the live warehouse, so it never waits for or
holds up a writer), finds its gaps (gaps.py), asks Dagster which of them were
materialized since and which heal runs are still queued or running, and lets plan.py
decide. It asks for the rest in batches: one run per dataset and span of neighbouring
partitions (a run costs seconds; re-fetching a healthy partition between two gaps is
harmless and idempotent). Every run says what it heals and why in its tags; the tick's
log lists it; partitions whose retry budget is spent become an observation of their
asset (heal/exhausted) and are not asked for again. Off by default, like every schedule.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from typing import Any, Mapping

import dagster as dg
from dagster._core.storage.dagster_run import NOT_FINISHED_STATUSES
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    SENSOR_NAME_TAG,
)

from twilight_assets.errors import NoSnapshotError
from twilight_assets.freshness import due_dates
from twilight_assets.healing.gaps import Gap, find_gaps
from twilight_assets.healing.plan import Asked, Decision, Evidence, HealPolicy, HealState, decide
from twilight_assets.partitions import partitions_for
from twilight_assets.resources import WarehouseResource
from twilight_assets.specs import REGISTRY

SENSOR_NAME = "coverage_healing_sensor"
BATCH_TAG = "twilight/heal_batch"
REASON_TAG = "twilight/heal_reason"
ATTEMPT_TAG = "twilight/heal_attempt"
INTERVAL_ENV = "TWILIGHT_HEAL_INTERVAL_S"
MAX_SPAN = 50
"""Most partitions one heal run covers, gaps and the healthy ones between them."""
_SHOWN = 8


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


def _materialized(instance: dg.DagsterInstance, gaps: list[Gap], since: dt.datetime) -> dict[str, dt.datetime]:
    """Gap key -> latest materialization after `since`, one query (paged) per dataset."""
    by_api: dict[str, list[Gap]] = defaultdict(list)
    for gap in gaps:
        by_api[gap.api_name].append(gap)
    found: dict[str, dt.datetime] = {}
    for api, members in by_api.items():
        partitions = [g.partition_key for g in members if g.partition_key is not None] or None
        records_filter = dg.AssetRecordsFilter(
            asset_key=dg.AssetKey(api), asset_partitions=partitions, after_timestamp=since.timestamp())
        cursor = None
        while True:
            result = instance.fetch_materializations(records_filter, limit=1000, cursor=cursor)
            for record in result.records:
                key = f"{api}:{record.partition_key or 'once'}"
                at = dt.datetime.fromtimestamp(record.timestamp, dt.timezone.utc)
                found[key] = max(found.get(key, at), at)
            if not result.has_more:
                break
            cursor = result.cursor
    return found


def _running_batches(instance: dg.DagsterInstance) -> frozenset[str]:
    runs = instance.get_runs(filters=dg.RunsFilter(tags={SENSOR_NAME_TAG: SENSOR_NAME},
                                                   statuses=list(NOT_FINISHED_STATUSES)))
    return frozenset(r.tags[BATCH_TAG] for r in runs if BATCH_TAG in r.tags)


def _positions(api: str, instance: dg.DagsterInstance) -> dict[str, int]:
    """Each partition key's place in its partitions definition (registration order for
    stocks and indexes), so neighbouring gaps can share a run."""
    definition = partitions_for(REGISTRY[api])
    if definition is None:
        return {}
    keys = definition.get_partition_keys(dynamic_partitions_store=instance)
    return {k: i for i, k in enumerate(keys)}


def _batches(requests: list[tuple[Gap, int]], instance: dg.DagsterInstance) -> tuple[list[list[tuple[Gap, int]]], list[Gap]]:
    """Requests grouped into runs (one dataset, a span of at most MAX_SPAN partitions), and
    the gaps no run can name (a code not registered as a partition, a day not yet one)."""
    by_api: dict[str, list[tuple[Gap, int]]] = defaultdict(list)
    for item in requests:
        by_api[item[0].api_name].append(item)
    runs: list[list[tuple[Gap, int]]] = []
    unnamed: list[Gap] = []
    for api, items in sorted(by_api.items()):
        if not REGISTRY[api].is_partitioned:
            runs.append(items)
            continue
        where = _positions(api, instance)
        unnamed += [g for g, _ in items if g.partition_key not in where]
        placed = sorted((where[g.partition_key], g, n) for g, n in items if g.partition_key in where)
        current: list[tuple[int, Gap, int]] = []
        for item in placed:
            if current and item[0] - current[0][0] >= MAX_SPAN:
                runs.append([(g, n) for _, g, n in current])
                current = []
            current.append(item)
        if current:
            runs.append([(g, n) for _, g, n in current])
    return runs, unnamed


def _run_request(batch: list[tuple[Gap, int]], now: dt.datetime, job_of: Mapping[str, str]) -> tuple[str, dg.RunRequest]:
    gaps = [g for g, _ in batch]
    api = gaps[0].api_name
    first, last = gaps[0].partition_key, gaps[-1].partition_key
    batch_id = f"heal:{api}:{first or 'once'}..{last or 'once'}:{now:%Y%m%dT%H%M%S}"
    kinds = sorted({g.kind for g in gaps})
    reason = f"{len(gaps)} gap(s) ({', '.join(kinds)}): " + "; ".join(
        f"{g.partition_key or 'once'} {g.reason}" for g in gaps[:3])
    tags = {BATCH_TAG: batch_id, REASON_TAG: reason[:500], ATTEMPT_TAG: str(max(n for _, n in batch))}
    partition_key = None
    if first is not None and first == last:
        partition_key = first
    elif first is not None:
        tags |= {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}
    return batch_id, dg.RunRequest(run_key=batch_id, job_name=job_of[api], asset_selection=[dg.AssetKey(api)],
                                   partition_key=partition_key, tags=tags)


def _shown(gaps: list[Gap]) -> str:
    names = ", ".join(f"{g.api_name} {g.partition_key or 'once'}" for g in gaps[:_SHOWN])
    return names + (f" and {len(gaps) - _SHOWN} more" if len(gaps) > _SHOWN else "")


def _exhausted_observations(gaps: list[Gap], policy: HealPolicy) -> list[dg.AssetObservation]:
    by_api: dict[str, list[Gap]] = defaultdict(list)
    for gap in gaps:
        by_api[gap.api_name].append(gap)
    return [
        dg.AssetObservation(
            asset_key=dg.AssetKey(api),
            description=f"{len(members)} partition(s) still broken after {policy.attempts} heal runs; "
                        "not retried until they change",
            metadata={
                "heal/exhausted": dg.MetadataValue.json(
                    [{"partition": g.partition_key or "once", "reason": g.reason[:300]} for g in members[:100]]),
                "heal/exhausted_count": len(members),
            },
        )
        for api, members in sorted(by_api.items())
    ]


def _summary(decision: Decision, unnamed: list[Gap], runs: int) -> list[str]:
    lines = []
    if decision.request:
        lines.append(f"asked for {len(decision.request)} partition(s) in {runs} run(s): "
                     + _shown([g for g, _ in decision.request]))
    for label, gaps in (("healed, awaiting the next snapshot", decision.healed),
                        ("heal run queued or running", decision.in_flight),
                        ("waiting out the backoff", decision.backing_off),
                        ("deferred to the next tick", decision.deferred),
                        ("exhausted (retry budget spent; see heal/exhausted)", decision.exhausted),
                        ("not a partition yet (run `twilight partitions sync`?)", unnamed)):
        if gaps:
            lines.append(f"{label}: {len(gaps)}: {_shown(gaps)}")
    return lines


def build_coverage_healing_sensor(job_of: Mapping[str, Any]) -> dg.SensorDefinition:
    """The sensor, asking for runs of `job_of[api_name]` (the asset job that holds each
    dataset: one partitions definition per job) with just that dataset selected."""
    job_names = {api: job.name for api, job in job_of.items()}

    @dg.sensor(
        name=SENSOR_NAME,
        jobs=list({job.name: job for job in job_of.values()}.values()),
        minimum_interval_seconds=int(os.environ.get(INTERVAL_ENV, "300")),
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Self-healing coverage: reads the published snapshot's gaps (failed partitions, "
        "open days without rows, stocks and indexes listed but never ingested) and asks for just "
        "those partitions, in batches, each up to TWILIGHT_HEAL_ATTEMPTS times (default 3) with a "
        "doubling backoff; what it gives up on is observed on the asset as heal/exhausted. Runs "
        "carry twilight/heal_reason. It never opens the live warehouse.",
    )
    def coverage_healing_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
        now = dt.datetime.now(dt.timezone.utc)
        policy = HealPolicy.from_env()
        try:
            with warehouse.reader() as reader:
                snapshot_at = _utc(reader.info.created_at)
                gaps = find_gaps(reader, due_dates(now)[1])
        except NoSnapshotError as exc:
            return dg.SkipReason(f"no snapshot to read gaps from: {exc}")
        state = HealState.loads(context.cursor)
        evidence = Evidence(
            snapshot_at=snapshot_at,
            materialized_at=_materialized(context.instance, gaps, snapshot_at),
            running_batches=_running_batches(context.instance),
        )
        decision, state = decide(gaps, state, evidence, now, policy)
        runs, unnamed = _batches(decision.request, context.instance)
        unnamed_keys = {g.key for g in unnamed}
        requests = []
        for batch in runs:
            batch = [(g, n) for g, n in batch if g.key not in unnamed_keys]
            if not batch:
                continue
            batch_id, request = _run_request(batch, now, job_names)
            requests.append(request)
            for gap, attempt in batch:
                state.asked[gap.key] = Asked(attempt, now, batch_id)
        for line in _summary(decision, unnamed, len(requests)):
            context.log.info(line)
        skip = None if requests else dg.SkipReason(
            f"snapshot of {snapshot_at:%Y-%m-%d %H:%M} UTC: {len(gaps)} gap(s), none to ask for now"
            + (f"; {len(decision.exhausted)} exhausted" if decision.exhausted else ""))
        return dg.SensorResult(
            run_requests=requests, skip_reason=skip, cursor=state.dumps(),
            asset_events=_exhausted_observations(decision.newly_exhausted, policy),
        )

    return coverage_healing_sensor
