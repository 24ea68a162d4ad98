"""Fetch a batch of partitions with worker threads and write each one atomically.

This is where the source and the warehouse meet; it knows nothing of Dagster, so the
asset factory, benchmarks and tests drive the same code. Fetching runs in threads that
share the source's rate limiter; writing happens on the calling thread in short bursts
under the writer lease, so another process waiting to write waits seconds, not the
length of a rate-limited backfill.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Callable, Iterable

import pandas as pd

from twilight_assets import config
from twilight_assets.errors import SourceError
from twilight_assets.sources.tushare import FetchResult, TushareSource
from twilight_assets.specs import DatasetSpec, Grain
from twilight_assets.warehouse.archive import Archive
from twilight_assets.warehouse.raw import RawResponse
from twilight_assets.warehouse.writer import WarehouseWriter

log = logging.getLogger("twilight_assets.ingest")

OpenWriter = Callable[[], AbstractContextManager[WarehouseWriter]]

FLUSH_EVERY_S = 2.0
FLUSH_AT_PARTITIONS = 25


@dataclass(frozen=True)
class PartitionOutcome:
    partition_key: str | None
    status: str  # done | market_closed | failed
    rows_received: int = 0
    rows_written: int = 0
    duplicates_dropped: int = 0
    raw_id: int | None = None
    calls: int = 0
    pages: int = 0
    throttle_waits: int = 0
    retries: int = 0
    extra_fields: tuple[str, ...] = ()
    error: str | None = None
    rows_removed: int = 0
    absent_fields: tuple[str, ...] = ()
    """Documented fields the source did not serve (written as NULL)."""
    commit_conflicts: int = 0
    """DuckLake commits retried because another writer's won the race."""


@dataclass
class IngestReport:
    api_name: str
    source: str | None = None
    outcomes: list[PartitionOutcome] = field(default_factory=list)
    fetch_s: float = 0.0
    write_s: float = 0.0
    lease_wait_s: float = 0.0

    def _sum(self, attr: str) -> int:
        return sum(getattr(o, attr) for o in self.outcomes)

    @property
    def failures(self) -> list[PartitionOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def rows_written(self) -> int:
        return self._sum("rows_written")

    @property
    def summary(self) -> dict[str, int | float | str | None]:
        by_status: dict[str, int] = {}
        for o in self.outcomes:
            by_status[o.status] = by_status.get(o.status, 0) + 1
        return {
            "source": self.source,
            "partitions": len(self.outcomes),
            "partitions_done": by_status.get("done", 0),
            "partitions_market_closed": by_status.get("market_closed", 0),
            "partitions_failed": by_status.get("failed", 0),
            "rows_received": self._sum("rows_received"),
            "rows_written": self.rows_written,
            "duplicates_dropped": self._sum("duplicates_dropped"),
            "rows_removed": self._sum("rows_removed"),
            "commit_conflicts": self._sum("commit_conflicts"),
            "calls": self._sum("calls"),
            "pages": self._sum("pages"),
            "throttle_waits": self._sum("throttle_waits"),
            "retries": self._sum("retries"),
            "lease_wait_s": round(self.lease_wait_s, 3),
        }


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def raw_response(result: FetchResult, archive: Archive | None = None) -> RawResponse:
    """Archive the pages (durably, before any transaction names them) and describe them.
    `archive` defaults to TWILIGHT_ARCHIVE."""
    archive = archive if archive is not None else Archive(config.archive_root())
    ref = archive.store(result.api_name, result.pages)
    return RawResponse(
        api_name=result.api_name, partition_key=result.partition_key, source=result.source,
        request_params=result.request_params, fields=result.fields, row_count=result.row_count,
        pages=len(result.pages), fetched_at=_utcnow(), archive=ref,
        absent_fields=tuple(result.absent_fields),
    )


def closed_day_response(spec: DatasetSpec, key: str, source: str) -> RawResponse:
    """What a market-closed day leaves in raw_responses: nothing was asked, nothing came."""
    return RawResponse(
        api_name=spec.api_name, partition_key=key, source=source, request_params=[],
        fields=[], row_count=0, pages=0, fetched_at=_utcnow(), archive=None,
    )


def _empty_frame(spec: DatasetSpec) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="object") for name in spec.field_names})


def open_days(writer: WarehouseWriter, days: Iterable[str]) -> dict[str, bool]:
    """What trade_cal says of each day: True open, False closed; unknown days absent."""
    days = sorted(days)
    if not days:
        return {}
    frame = writer.query(
        "SELECT strftime(cal_date, '%Y-%m-%d') AS day, max(is_open) AS is_open "
        "FROM normalized_trade_cal WHERE exchange = 'SSE' AND cal_date BETWEEN ?::DATE AND ?::DATE "
        "GROUP BY cal_date",
        [days[0], days[-1]],
    )
    wanted = set(days)
    return {d: bool(o) for d, o in zip(frame["day"], frame["is_open"]) if d in wanted}


class _Ingest:
    def __init__(self, spec: DatasetSpec, source: TushareSource, open_writer: OpenWriter) -> None:
        self.spec = spec
        self.source = source
        self.open_writer = open_writer
        self.report = IngestReport(api_name=spec.api_name)
        self.calendar: dict[str, bool] = {}

    def _check_fetch(self, key: str | None, result: FetchResult) -> None:
        """Zero rows for a trading day is a source that has not published, not a fact.
        (That every row belongs to its partition is the writer's rule.)"""
        if self.spec.grain is not Grain.PER_DATE or result.row_count:
            return
        if key in self.calendar:
            raise SourceError(
                "the source returned no rows for an open trading day (not published yet?); "
                "nothing recorded as done",
                api_name=self.spec.api_name, partition_key=key,
            )
        raise SourceError(
            f"the source returned no rows and trade_cal has no entry for {key}: load trade_cal "
            "for that year first, so a holiday can be told from missing data",
            api_name=self.spec.api_name, partition_key=key,
        )

    def write(self, ready: list[tuple[str | None, _Fetched | None, BaseException | None]]) -> None:
        if not ready:
            return
        started = time.monotonic()
        with self.open_writer() as writer:
            # Waiting for the writer lease, and opening the file, is time not spent writing.
            self.report.lease_wait_s += time.monotonic() - started
            for key, result, error in ready:
                self.report.outcomes.append(self._write_one(writer, key, result, error))
        self.report.write_s += time.monotonic() - started

    def _write_one(
        self,
        writer: WarehouseWriter,
        key: str | None,
        fetched: _Fetched | None,
        error: BaseException | None,
    ) -> PartitionOutcome:
        result = fetched.result if fetched is not None else None
        if error is None and result is not None:
            try:
                self._check_fetch(key, result)
            except SourceError as exc:
                error = exc
        if error is not None or result is None:
            message = str(error)
            writer.mark_failed(self.spec, key, message)
            log.warning("%s %s failed: %s", self.spec.api_name, key, message)
            return PartitionOutcome(key, "failed", error=message)
        try:
            written = writer.write_partition(self.spec, key, result.frame, fetched.raw)
        except Exception as exc:  # the writer has already rolled back and marked it failed
            log.warning("%s %s failed to write: %s", self.spec.api_name, key, exc)
            return PartitionOutcome(key, "failed", rows_received=result.row_count, error=str(exc))
        return PartitionOutcome(
            key, written.status, result.row_count, written.rows_written,
            written.duplicates_dropped, written.raw_id, result.calls, result.pages_fetched,
            result.throttle_waits, result.retries, tuple(result.extra_fields),
            rows_removed=written.rows_removed, absent_fields=tuple(result.absent_fields),
            commit_conflicts=written.commit_conflicts,
        )

    def mark_closed(self, keys: list[str]) -> None:
        if not keys:
            return
        with self.open_writer() as writer:
            for key in keys:
                raw = closed_day_response(self.spec, key, self.source.source_name)
                written = writer.write_partition(
                    self.spec, key, _empty_frame(self.spec), raw, status="market_closed"
                )
                self.report.outcomes.append(PartitionOutcome(key, written.status, raw_id=written.raw_id))


@dataclass(frozen=True)
class _Fetched:
    result: FetchResult
    raw: RawResponse


def _fetch(source: TushareSource, spec: DatasetSpec, key: str | None, archive: Archive) -> _Fetched:
    """Fetch, and archive the response while still on the worker thread: compressing and
    fsyncing it is the costliest step of a write, and the writer is the serialized part."""
    result = source.fetch(spec, key)
    return _Fetched(result, raw_response(result, archive))


def ingest_partitions(
    spec: DatasetSpec,
    partition_keys: list[str | None],
    *,
    source: TushareSource,
    open_writer: OpenWriter,
    workers: int = 4,
    on_progress: Callable[[int, int], None] | None = None,
    archive: Archive | None = None,
) -> IngestReport:
    """Fetch and write every partition; a failed one is recorded and the rest go on.

    Responses go to `archive` (default: TWILIGHT_ARCHIVE) before their partition commits."""
    archive = archive if archive is not None else Archive(config.archive_root())
    job = _Ingest(spec, source, open_writer)
    job.report.source = source.source_name
    keys = list(partition_keys)
    if spec.grain is Grain.PER_DATE:
        with open_writer() as writer:
            job.calendar = open_days(writer, [k for k in keys if k])
        closed = [k for k in keys if job.calendar.get(k) is False]
        job.mark_closed(closed)
        keys = [k for k in keys if k not in set(closed)]

    started = time.monotonic()
    ready: list[tuple[str | None, _Fetched | None, BaseException | None]] = []
    last_flush = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix=f"fetch-{spec.api_name}") as pool:
        pending: dict[Future, str | None] = {pool.submit(_fetch, source, spec, k, archive): k for k in keys}
        while pending:
            done, _ = wait(pending, timeout=FLUSH_EVERY_S, return_when=FIRST_COMPLETED)
            for fut in done:
                key = pending.pop(fut)
                error = fut.exception()
                ready.append((key, None if error else fut.result(), error))
            due = time.monotonic() - last_flush >= FLUSH_EVERY_S
            if ready and (due or len(ready) >= FLUSH_AT_PARTITIONS or not pending):
                job.write(ready)
                ready = []
                last_flush = time.monotonic()
                if on_progress:
                    on_progress(len(job.report.outcomes), len(partition_keys))
    job.write(ready)
    job.report.fetch_s = time.monotonic() - started
    return job.report
