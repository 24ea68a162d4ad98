"""The asset factory: every DatasetSpec becomes one partitioned Dagster asset.

What the UI shows of a run: each partition's materialization carries that partition's own
outcome (rows, status, raw response, duplicates, removed rows, absent fields, source),
also in a range run; the run's totals and the table's row count are one observation of
the asset per run. The column schema, descriptions and doc links live on the asset
definition, never on the events: a full history is ~84,000 partition events per backfill.
"""


import warnings
from contextlib import contextmanager
from typing import Iterator, Sequence

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from twilight_assets.entity_partitions import list_codes, register
from twilight_assets.ingest import IngestReport, PartitionOutcome, ingest_partitions
from twilight_assets.checks.factories import freshness_policy_for
from twilight_assets.partitions import ENTITY_LISTS, backfill_policy_for, partition_key_hint, partitions_for
from twilight_assets.resources import TushareResource, WarehouseResource
from twilight_assets.specs import REGISTRY, DatasetSpec, Grain
from twilight_assets.warehouse.schema import quote

# BackfillPolicy is what lets a decade of trading days run as a few runs instead of
# thousands; it is marked beta, and saying so seventeen times at every load helps nobody.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)

# Per-date datasets skip holidays by asking trade_cal; per-entity ones need the lists
# their partitions come from. Lineage says so, and the UI draws it.
_UPSTREAM: dict[Grain, tuple[str, ...]] = {Grain.PER_DATE: ("trade_cal",)}
_ENTITY_SOURCE = {partitions.name: api_name for api_name, partitions in ENTITY_LISTS.items()}
_FAILURES_LISTED = 20


def column_schema(spec: DatasetSpec) -> dg.TableSchema:
    keys = set(spec.conflict_columns)
    columns = [
        dg.TableColumn(
            name=f.name,
            type=f.sql_type,
            description=f.description + (f" [{f.unit}]" if f.unit else ""),
            constraints=dg.TableColumnConstraints(nullable=f.name not in keys),
        )
        for f in spec.fields
    ]
    columns += [
        dg.TableColumn("source", "VARCHAR", "tushare or simulator"),
        dg.TableColumn("ingested_at", "TIMESTAMP", "when the warehouse wrote the row (UTC)"),
        dg.TableColumn("raw_id", "BIGINT", "raw_responses row it came from"),
    ]
    key = ", ".join(spec.conflict_columns)
    return dg.TableSchema(
        columns=columns,
        constraints=dg.TableConstraints(
            other=[f"unique ({key}): the writer replaces a partition's rows; unique_key_{spec.api_name} checks it"]
        ),
    )


def _description(spec: DatasetSpec) -> str:
    text = (
        f"{spec.description}\n\n"
        f"Tushare API `{spec.api_name}` ([documentation]({spec.doc_url})) -> table "
        f"`{spec.table}`, key ({', '.join(spec.conflict_columns)}); grain `{spec.grain}`; "
        f"{spec.page_limit} rows per call; default quota {spec.calls_per_minute} calls/min."
    )
    if spec.api_name in ENTITY_LISTS:
        text += (
            f"\n\nMaterializing it registers every code it holds as a partition of "
            f"`{ENTITY_LISTS[spec.api_name].name}` (never removing one)."
        )
    hint = partition_key_hint(spec)
    return f"{text}\n\n{hint}" if hint else text


def _deps(spec: DatasetSpec) -> list[str]:
    deps = list(_UPSTREAM.get(spec.grain, ()))
    if spec.grain is Grain.PER_ENTITY:
        deps.append(_ENTITY_SOURCE[partitions_for(spec).name])
    return [d for d in deps if d != spec.api_name]


def _run_partition_keys(context: dg.AssetExecutionContext, spec: DatasetSpec) -> list[str | None]:
    """The run's partitions; a partitioned run with none is refused, never a success."""
    if not spec.is_partitioned:
        return [None]
    # In a single-run range backfill context.partition_key raises; partition_keys works
    # for one key, a range and a batch alike.
    keys = list(context.partition_keys)
    if keys:
        return keys
    tags = context.run.tags
    first, last = tags.get(ASSET_PARTITION_RANGE_START_TAG), tags.get(ASSET_PARTITION_RANGE_END_TAG)
    asked = f"partition range {first}...{last}" if first and last else "this run's partition selection"
    order = (
        "in the order they were registered" if spec.grain is Grain.PER_ENTITY else "earliest first"
    )
    raise dg.Failure(
        description=(
            f"{spec.api_name}: {asked} holds no partitions; nothing was fetched. Is it "
            f"reversed? A range names its first and last partition, {order}. "
            f"{partition_key_hint(spec)}"
        ),
        allow_retries=False,
    )


def partition_metadata(outcome: PartitionOutcome, source: str | None) -> dict[str, object]:
    """What one partition's materialization says: its own outcome, nothing shared."""
    meta: dict[str, object] = {
        "dagster/row_count": outcome.rows_written,
        "status": outcome.status,
        "raw_id": outcome.raw_id,
        "duplicates_dropped": outcome.duplicates_dropped,
        "rows_removed": outcome.rows_removed,
        "absent_fields": dg.MetadataValue.json(list(outcome.absent_fields)),
        "source": source,
    }
    if outcome.extra_fields:
        meta["undocumented_fields"] = dg.MetadataValue.json(list(outcome.extra_fields))
    if outcome.commit_conflicts:  # DuckLake commits retried after another writer's won
        meta["commit_conflicts"] = outcome.commit_conflicts
    return meta


def run_metadata(report: IngestReport, table_rows: int) -> dict[str, object]:
    """The run's totals, and the table's rows once the run is done."""
    return {
        "table_rows": table_rows,
        **report.summary,
        "fetch_s": round(report.fetch_s, 3),
        "write_s": round(report.write_s, 3),
    }


def progress_line(api_name: str, written: int, failed: int, total: int) -> str:
    return f"{api_name}: {written} written, {failed} failed of {total} partitions"


def _failure(spec: DatasetSpec, report: IngestReport) -> dg.Failure:
    failed = report.failures
    written = len(report.outcomes) - len(failed)
    lines = [f"- {spec.api_name} partition {o.partition_key}: {o.error}" for o in failed[:_FAILURES_LISTED]]
    if len(failed) > _FAILURES_LISTED:
        lines.append(f"... and {len(failed) - _FAILURES_LISTED} more")
    kept = "nothing was written" if not written else f"the {written} written stay in the warehouse"
    return dg.Failure(
        description=(
            f"{progress_line(spec.api_name, written, len(failed), len(report.outcomes))} "
            f"({kept}); the failed ones:\n" + "\n".join(lines)
        ),
        metadata={
            **report.summary,
            "failed_partitions": dg.MetadataValue.json([o.partition_key for o in failed][:500]),
        },
        allow_retries=True,
    )


def _report_written_partitions(context: dg.AssetExecutionContext, report: IngestReport) -> None:
    """The step fails, but the partitions it wrote are in the warehouse: say so, so the UI
    shows them materialized and a retry of the failed ones does not refetch them all.
    (Events logged through the context are dropped when the step raises, so these are
    reported to the instance directly, tagged with the run.)"""
    for o in report.outcomes:
        if o.status != "failed" and o.partition_key is not None:
            context.instance.report_runless_asset_event(
                dg.AssetMaterialization(
                    asset_key=context.asset_key,
                    partition=o.partition_key,
                    metadata={**partition_metadata(o, report.source), "written_by_run": context.run_id},
                )
            )


class _Tally:
    """Counts partitions as the writer records them, for progress lines while a run goes
    on: every partition ingest finishes is written (done or market closed) or marked
    failed through the writer, whereas its report is only handed over at the end."""

    def __init__(self) -> None:
        self.written = 0
        self.failed = 0

    @contextmanager
    def counting(self, warehouse: WarehouseResource) -> Iterator["_CountingWriter"]:
        with warehouse.writer() as writer:
            yield _CountingWriter(writer, self)


class _CountingWriter:
    def __init__(self, writer, tally: _Tally) -> None:
        self._writer = writer
        self._tally = tally

    def write_partition(self, *args, **kwargs):
        try:
            result = self._writer.write_partition(*args, **kwargs)
        except Exception:
            self._tally.failed += 1
            raise
        self._tally.written += 1
        return result

    def mark_failed(self, *args, **kwargs) -> None:
        self._writer.mark_failed(*args, **kwargs)
        self._tally.failed += 1

    def __getattr__(self, name: str):
        return getattr(self._writer, name)


def _register_codes(context: dg.AssetExecutionContext, spec: DatasetSpec, writer) -> dict[str, int]:
    """A list's step registers its codes as partitions, so a stock can be materialized the
    moment its list is, with no sensor running."""
    if spec.api_name not in ENTITY_LISTS:
        return {}
    codes = list_codes(writer, [spec.api_name])
    added = register(context.instance, codes)
    name = ENTITY_LISTS[spec.api_name].name
    context.log.info(f"{spec.api_name}: {len(added[name])} new {name} partition(s) registered")
    return {f"{name}_added": len(added[name]), f"{name}_registered": len(codes[name])}


def _finish(
    context: dg.AssetExecutionContext,
    spec: DatasetSpec,
    report: IngestReport,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    with warehouse.writer() as writer:
        table_rows = int(writer.query(f"SELECT count(*) AS n FROM {quote(spec.table)}")["n"][0])
        extra = _register_codes(context, spec, writer)
    if not spec.is_partitioned:
        (outcome,) = report.outcomes
        return dg.MaterializeResult(
            metadata={**partition_metadata(outcome, report.source), **run_metadata(report, table_rows), **extra}
        )
    for o in report.outcomes:
        context.add_asset_metadata(partition_metadata(o, report.source), partition_key=o.partition_key)
    context.log_event(
        dg.AssetObservation(
            asset_key=context.asset_key,
            description=f"run {context.run_id[:8]}: totals over its {len(report.outcomes)} partitions; "
            f"table_rows is {spec.table}'s row count after it",
            metadata=run_metadata(report, table_rows),
        )
    )
    return dg.MaterializeResult()


def build_dataset_asset(spec: DatasetSpec) -> dg.AssetsDefinition:
    @dg.asset(
        name=spec.api_name,
        group_name=spec.family.value,
        kinds={"duckdb", "tushare"},
        description=_description(spec),
        partitions_def=partitions_for(spec),
        backfill_policy=backfill_policy_for(spec),
        deps=_deps(spec),
        freshness_policy=freshness_policy_for(spec),
        metadata={
            "dagster/table_name": spec.table,
            "dagster/column_schema": column_schema(spec),
            "grain": spec.grain.value,
            "conflict_columns": ", ".join(spec.conflict_columns),
            "tushare_doc": dg.MetadataValue.url(spec.doc_url),
        },
        tags={"family": spec.family.value, "grain": spec.grain.value},
    )
    def _asset(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        tushare: TushareResource,
    ) -> dg.MaterializeResult:
        keys = _run_partition_keys(context, spec)
        context.log.info(f"{spec.api_name}: {len(keys)} partition(s) to fetch")
        tally = _Tally()
        said: list[str] = []

        def progress(_finished: int, total: int) -> None:
            said.append(progress_line(spec.api_name, tally.written, tally.failed, total))
            context.log.info(said[-1])

        def waiting() -> None:
            context.log.info(f"{spec.api_name}: another run is fetching this API; waiting for its lease")

        # Tushare's quotas are per API: runs of one API take turns (a kernel lease, which
        # a killed run cannot leak); different APIs fetch in parallel, and all of them
        # queue only for the moments they write.
        with tushare.fetch_lease(spec.api_name, on_wait=waiting, warehouse=warehouse) as fetch_wait_s:
            report = ingest_partitions(
                spec, keys, source=tushare.source(), open_writer=lambda: tally.counting(warehouse),
                workers=tushare.workers, on_progress=progress, archive=warehouse.archive(),
            )
        report.lease_wait_s += fetch_wait_s
        failed = len(report.failures)
        final = progress_line(spec.api_name, len(report.outcomes) - failed, failed, len(keys))
        if not said or said[-1] != final:
            context.log.info(final)
        if report.failures:
            _report_written_partitions(context, report)
            raise _failure(spec, report)
        return _finish(context, spec, report, warehouse)

    return _asset


def build_dataset_assets(specs: Sequence[DatasetSpec] = tuple(REGISTRY.values())) -> list[dg.AssetsDefinition]:
    return [build_dataset_asset(spec) for spec in specs]
