"""The check registry as Dagster asset checks, a sweep job, its schedule and the
freshness policies the UI shows.

One `multi_asset_check` per asset (a step costs seconds here, so never one per check).
A step opens the warehouse only through `WarehouseResource.writer()`, which takes the
cross-process writer lease, evaluates the selected checks, appends every result to
quality_log, and lets go before Dagster records the results.

Scope: when the run carries partitions (a single partition, a single-run range, or a
subset), the checks judge exactly those (cheap); a run without partitions, such as the
quality_sweep job, judges whole tables.
"""


import datetime as dt
import json
import logging
from collections import defaultdict
from typing import Any, Iterable, Sequence

import dagster as dg

from twilight_assets.checks.definitions import CHECK_SPECS, CheckSpec, ScopeKind, Severity
from twilight_assets.checks.runner import (
    CheckOutcome,
    KeyRange,
    Scope,
    evaluate,
    normalize_scope,
    scope_label,
    to_record,
)
from twilight_assets.errors import WarehouseError
from twilight_assets.freshness import (
    PER_DATE_LOWER_BOUND,
    REFRESH,
    TIMEZONE,
    per_date_deadline_cron,
)
from twilight_assets.resources import WarehouseResource
from twilight_assets.run_limits import max_runtime_tags
from twilight_assets.specs import REGISTRY, DatasetSpec, Grain

log = logging.getLogger("twilight_assets.checks")

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
SWEEP_CRON = "30 20 * * 1-5"
"""Weekdays 20:30 Asia/Shanghai: after the post-close ingest and freshness.PER_DATE_DUE."""

_SEVERITY = {Severity.ERROR: dg.AssetCheckSeverity.ERROR, Severity.WARN: dg.AssetCheckSeverity.WARN}


def asset_check_spec(check: CheckSpec) -> dg.AssetCheckSpec:
    threshold = "" if check.threshold is None else f" Threshold: {check.threshold:g}."
    return dg.AssetCheckSpec(
        check.name,
        asset=dg.AssetKey([check.asset]),
        blocking=check.blocking,
        description=f"[{check.kind.value}, {check.severity.value}] {check.description}{threshold}",
        metadata={"kind": check.kind.value, "severity": check.severity.value,
                  "sql_file": f"checks/sql/{check.sql_file}"},
    )


def run_scope(context: dg.AssetCheckExecutionContext, dataset: DatasetSpec) -> Scope:
    """The partitions this run materialized, in a form the runner can bind cheaply.

    A time range (per-date, per-year) stays a range: BETWEEN prunes by zone map, where
    8,000 listed keys would not. Dynamic partitions (stocks, indexes) are listed: their
    range order is the order they were added, which SQL cannot know.
    """
    if dataset.grain is Grain.ONCE:
        return None
    tags = context.run.tags
    if dataset.grain is not Grain.PER_ENTITY and tags.get(RANGE_START_TAG) and tags.get(RANGE_END_TAG):
        return KeyRange(tags[RANGE_START_TAG], tags[RANGE_END_TAG])
    try:
        keys = context.op_execution_context.partition_keys
    except dg.DagsterInvariantViolationError:  # not a partitioned run: a full sweep
        return None
    return frozenset(keys) if keys else None


def _safe_scope(check: CheckSpec, scope: Scope) -> Scope:
    """Partition keys of another grain (a run of a differently partitioned asset) do not
    scope this check: it sweeps the table instead of judging nothing."""
    try:
        normalize_scope(check, scope)
    except ValueError:
        log.warning("%s: run partitions %s do not fit %s; sweeping the table",
                    check.name, scope, check.asset)
        return None
    return scope


def _failed_to_evaluate(check: CheckSpec, scope: Scope, error: Exception) -> CheckOutcome:
    return CheckOutcome(
        check=check, passed=False, evaluated=False, metric=None, failed_rows=0, samples=[],
        message=f"could not evaluate: {error}",
        scope=scope_label(normalize_scope(check, scope)) if scope is not None else None,
        duration_s=0.0,
    )


def evaluate_checks(
    warehouse: WarehouseResource,
    checks: Sequence[CheckSpec],
    scope: Scope,
    *,
    run_id: str | None,
    now: dt.datetime | None = None,
) -> list[CheckOutcome]:
    """Evaluate `checks` under the writer lease and append each result to quality_log."""
    outcomes: list[CheckOutcome] = []
    evaluated_at = dt.datetime.now(dt.timezone.utc)
    with warehouse.writer() as writer:
        for check in checks:
            check_scope = _safe_scope(check, scope)
            try:
                outcomes.append(evaluate(writer, check, check_scope, now=now))
            except WarehouseError as exc:
                # One broken query must not hide the other checks' results.
                log.error("%s", exc)
                outcomes.append(_failed_to_evaluate(check, check_scope, exc))
        writer.record_check_results(
            [to_record(o, run_id=run_id, evaluated_at=evaluated_at) for o in outcomes]
        )
    return outcomes


def _samples_markdown(samples: list[dict[str, Any]]) -> str:
    if not samples:
        return "(none)"
    columns = list(samples[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in samples:
        cells = ("" if row.get(c) is None else str(row[c]).replace("|", "\\|") for c in columns)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def check_result(outcome: CheckOutcome) -> dg.AssetCheckResult:
    check = outcome.check
    metadata: dict[str, Any] = {
        "failed_rows": dg.MetadataValue.int(outcome.failed_rows),
        "scope": dg.MetadataValue.text(outcome.scope or "full table"),
        "evaluated": dg.MetadataValue.bool(outcome.evaluated),
        "message": dg.MetadataValue.text(outcome.message),
        "duration_s": dg.MetadataValue.float(round(outcome.duration_s, 3)),
    }
    if outcome.metric is not None:
        metadata["metric"] = dg.MetadataValue.float(float(outcome.metric))
    if check.threshold is not None:
        metadata["threshold"] = dg.MetadataValue.float(float(check.threshold))
    if outcome.samples:
        metadata["samples"] = dg.MetadataValue.json(json.loads(json.dumps(outcome.samples)))
        metadata["samples_table"] = dg.MetadataValue.md(_samples_markdown(outcome.samples))
    return dg.AssetCheckResult(
        check_name=check.name,
        asset_key=dg.AssetKey([check.asset]),
        passed=outcome.passed,
        severity=_SEVERITY[check.severity],
        description=outcome.message,
        metadata=metadata,
    )


def build_asset_check(asset: str, checks: Sequence[CheckSpec]) -> dg.AssetChecksDefinition:
    dataset = REGISTRY[asset]
    by_name = {c.name: c for c in checks}

    @dg.multi_asset_check(
        specs=[asset_check_spec(c) for c in checks],
        can_subset=True,
        name=f"checks_{asset}",
        description=f"Quality checks of {dataset.table} ({len(checks)} checks, one step).",
    )
    def _checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterable[dg.AssetCheckResult]:
        selected = [by_name[k.name] for k in context.selected_asset_check_keys if k.name in by_name]
        selected.sort(key=lambda c: c.name)
        scope = run_scope(context, dataset)
        outcomes = evaluate_checks(warehouse, selected, scope, run_id=context.run.run_id)
        failed = [o for o in outcomes if not o.passed]
        judged = {o.scope for o in outcomes if o.scope}
        context.log.info(
            f"{asset}: {len(outcomes) - len(failed)}/{len(outcomes)} checks passed over "
            f"{', '.join(sorted(judged)) or 'the full table'}"
        )
        for outcome in failed:
            context.log.warning(f"{outcome.check.name}: {outcome.message}")
        for outcome in outcomes:
            yield check_result(outcome)

    return _checks


def build_asset_checks(specs: Iterable[CheckSpec] = CHECK_SPECS) -> list[dg.AssetChecksDefinition]:
    """One multi-asset check (one step) per asset that has checks."""
    by_asset: dict[str, list[CheckSpec]] = defaultdict(list)
    for check in specs:
        by_asset[check.asset].append(check)
    return [build_asset_check(asset, checks) for asset, checks in by_asset.items()]


def freshness_policy_for(spec: DatasetSpec) -> dg.FreshnessPolicy:
    """What the UI's freshness state expects of each dataset's materializations, by the
    rule in twilight_assets.freshness.

    Per-date data must be materialized each weekday between the scheduled ingest (18:00)
    and PER_DATE_DUE (20:00) Asia/Shanghai; the monitor and the fresh_* checks judge the
    data itself against trade_cal by the same deadline. Other grains warn once a refresh
    is missed and fail once two are.
    """
    if spec.grain is Grain.PER_DATE:
        return dg.FreshnessPolicy.cron(
            deadline_cron=per_date_deadline_cron(),
            lower_bound_delta=PER_DATE_LOWER_BOUND,
            timezone=TIMEZONE,
        )
    window = REFRESH[spec.grain]
    return dg.FreshnessPolicy.time_window(fail_window=window.stale_after, warn_window=window.late_after)


ALL_CHECKS: list[dg.AssetChecksDefinition] = build_asset_checks()

quality_sweep_job = dg.define_asset_job(
    "quality_sweep",
    selection=dg.AssetSelection.all_asset_checks(),
    # Seventeen check steps, each a new process under the default executor, cost more
    # than the SQL they run: one process runs them all, one after another.
    executor_def=dg.in_process_executor,
    tags=max_runtime_tags("quality_sweep"),
    description="Every quality check over whole tables (no partitions): results in the UI "
    "and in quality_log. Dagster has no `asset check` CLI; run this job instead: "
    "`dagster job launch -j quality_sweep` or from the UI.",
)

quality_sweep_schedule = dg.ScheduleDefinition(
    name="quality_sweep_schedule",
    job=quality_sweep_job,
    cron_schedule=SWEEP_CRON,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Full quality sweep on weekday evenings (Asia/Shanghai), after the daily "
    "ingest; stopped until you turn it on.",
)
