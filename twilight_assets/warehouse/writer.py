"""The one place that writes a partition: its transaction, start to end.

A partition write is one transaction: the raw response's record (its pages are already in
the raw archive), the partition's rows replaced by the batch, every new version of a
financial report, and the ledger's attempt row commit together or not at all; a failure
is then appended to the ledger in a transaction of its own. The pieces live beside this
module (batch checks in batch.py, SQL in write_sql.py, records in raw.py and ledger.py);
this one orders them, and owns the rules that span them:

- a partition's rows belong to it (a row of another day or stock is refused, by field);
- a warehouse holds one source's rows: a simulator write into a Tushare warehouse (or
  the reverse) is refused unless mixing was allowed on purpose;
- on a DuckLake, where writers on several hosts commit at once, a partition is written
  by one process at a time (an advisory lock) and a commit that conflicts with another
  writer's is retried, a bounded number of times.

Rows are written in bulk only: the batch is registered with DuckDB and inserted by one
INSERT ... SELECT (row-by-row inserts ran ~1,000x slower, DESIGN.md).
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from twilight_assets import config
from twilight_assets.errors import DataValidationError, WarehouseError
from twilight_assets.specs import DatasetSpec
from twilight_assets.warehouse import ledger, raw as raw_records, write_sql
from twilight_assets.warehouse.backend import Backend, as_backend
from twilight_assets.warehouse.batch import Batch, always_castable, as_batch, checked_frame, inspect, num_rows
from twilight_assets.warehouse.ledger import Attempt, canonical_partition, progress_key
from twilight_assets.warehouse.quality import CheckRecord
from twilight_assets.warehouse.raw import RawResponse
from twilight_assets.warehouse.schema import ensure_schema, quote
from twilight_assets.warehouse.values import SOURCES, naive_utc, new_id, statement, to_json, transaction, utcnow

log = logging.getLogger(__name__)

WRITE_STATUSES = ("done", "market_closed")
COMMIT_ATTEMPTS = 8
"""How often a conflicting DuckLake commit is tried before the partition fails."""
CONFLICT_BACKOFF_S = 0.05


class MixedSourcesError(WarehouseError):
    """Rows of one source would land in a warehouse that holds another's."""


class CommitConflictError(WarehouseError):
    """A DuckLake commit lost to other writers' COMMIT_ATTEMPTS times in a row."""


class CatalogConnectionLost(WarehouseError):
    """The session with a DuckLake's PostgreSQL catalog died mid-write (a restart, a crash,
    the network): the write is whole or absent, and can be retried."""


@dataclass(frozen=True)
class WriteResult:
    raw_id: int
    progress_key: str
    rows_received: int
    rows_written: int  # after resolving in-batch duplicate keys
    duplicates_dropped: int
    status: str
    rows_replaced: int = 0  # rows the partition held before (this source), now rewritten
    rows_removed: int = 0  # of those, rows whose key the source no longer serves
    revisions_added: int = 0  # versions of financial reports not seen before
    commit_conflicts: int = 0  # DuckLake commits retried after losing to another writer's


class WarehouseWriter:
    """The warehouse open for writing in this process, shared by its worker threads.

    Open it through `Backend.writer()` (which takes the writer lease where one is
    needed); a path opens a warehouse file directly, for tests and scripts that hold
    the lease themselves or need none. Every method takes one lock, so worker threads
    can share the writer (the seed's A0.3): one connection's transactions are
    serialised anyway.
    """

    def __init__(self, target: Backend | str | Path, *, allow_mixed_sources: bool | None = None) -> None:
        self.backend = as_backend(target)
        self.allow_mixed_sources = (
            config.allow_mixed_sources() if allow_mixed_sources is None else allow_mixed_sources
        )
        self._conn = self.backend.connect()
        self._lock = threading.RLock()
        self._batch_names = itertools.count()
        self._sources: set[str] | None = None
        self._closed = False
        try:
            with self.backend.named_lock("schema"):
                self.schema_applied: list[str] = ensure_schema(self._conn)
        except BaseException:
            self._conn.close()
            raise

    @property
    def path(self) -> Path:
        """The warehouse file (or a DuckLake's local catalog); see backend.location."""
        local = self.backend.location.local_file
        if local is None:
            raise WarehouseError(f"{self.backend.location.label} is not a local file")
        return local

    # --- writing ------------------------------------------------------------------------

    def write_partition(
        self,
        spec: DatasetSpec,
        partition_key: str | None,
        frame: Batch,
        raw: RawResponse,
        *,
        status: str = "done",
        rewrite_of: raw_records.StoredResponse | None = None,
    ) -> WriteResult:
        """Write one partition atomically; see the module docstring.

        `frame` has exactly `spec.field_names` as columns. `rewrite_of` re-normalizes a
        response already recorded (`twilight rebuild`): its raw row is kept, and its id
        and time go to the rows, so a rebuilt partition equals what ingest wrote. On any
        failure nothing of the write is visible, the ledger records the failure, and the
        error is re-raised.
        """
        partition = canonical_partition(spec.api_name, partition_key)
        try:
            _check_request(spec, partition, raw, status)
            batch = as_batch(checked_frame(spec, partition, frame))
            if status == "market_closed" and num_rows(batch):
                raise DataValidationError(
                    f"marked market_closed but {num_rows(batch)} rows arrived",
                    api_name=spec.api_name, partition_key=partition,
                )
            with self.backend.partition_lock(f"{spec.api_name}:{partition}"):
                return self._commit_with_retries(spec, partition, batch, raw, status, rewrite_of)
        except BaseException as exc:
            self._record_failure(spec.api_name, partition, exc)
            raise

    def _commit_with_retries(
        self, spec: DatasetSpec, partition: str, batch: Batch, raw: RawResponse, status: str,
        rewrite_of: raw_records.StoredResponse | None,
    ) -> WriteResult:
        conflicts = 0
        while True:
            try:
                with self._lock:
                    self._require_open()
                    result = self._write(spec, partition, batch, raw, status, rewrite_of)
            except duckdb.Error as exc:
                label = self.backend.location.label
                where = f"dataset {spec.api_name}, partition {partition}"
                cause = f"{type(exc).__name__}: {str(exc).strip()}"
                if self.backend.lost_catalog(exc):
                    raise CatalogConnectionLost(
                        f"{where}: the connection to the lake's catalog ({label}) was lost: its "
                        f"PostgreSQL restarted or is unreachable. The write committed whole or not at "
                        f"all, and a retry rewrites the partition, so retrying is safe ({cause})"
                    ) from exc
                if not self.backend.is_conflict(exc):
                    raise WarehouseError(
                        f"{where}: {label} refused the write ({cause}); nothing of it was committed"
                    ) from exc
                if conflicts + 1 >= COMMIT_ATTEMPTS:
                    raise CommitConflictError(
                        f"{where}: gave up after {COMMIT_ATTEMPTS} commit attempts, each losing to "
                        f"another writer's commit to the same tables ({label}); nothing of it was "
                        f"committed, and retrying the partition later is safe. The last: {cause}"
                    ) from exc
                conflicts += 1
                delay = CONFLICT_BACKOFF_S * 2 ** (conflicts - 1) * (0.5 + random.random())
                log.warning("%s %s: commit conflicted with another writer's (%d/%d); retrying in %.2fs",
                            spec.api_name, partition, conflicts, COMMIT_ATTEMPTS - 1, delay)
                time.sleep(delay)
                continue
            if conflicts:
                result = _with_conflicts(result, conflicts)
            return result

    def _write(
        self, spec: DatasetSpec, partition: str, batch: Batch, raw: RawResponse, status: str,
        rewrite_of: raw_records.StoredResponse | None,
    ) -> WriteResult:
        key = f"{spec.api_name}:{partition}"
        view = f"_twilight_batch_{next(self._batch_names)}"
        with self._cursor() as conn:
            conn.register(view, batch)
            with transaction(conn):
                self._require_source(conn, spec, partition, raw.source)
                shape = inspect(conn, spec, partition, view, always_castable(spec, batch))
                conflicts = _revision_conflicts(conn, spec, view)
                if rewrite_of is None:
                    raw_id, written_at = new_id(), utcnow()
                    raw_records.insert(conn, raw, raw_id=raw_id, partition=partition, progress_key=key,
                                       written_at=written_at, revision_conflicts=conflicts)
                else:
                    raw_id, written_at = rewrite_of.raw_id, naive_utc(rewrite_of.written_at)
                replaced, removed = _replace(conn, spec, partition, view, raw.source, shape, raw_id, written_at)
                added = _append_revisions(conn, spec, partition, view, raw.source, raw_id, written_at)
                dropped = shape.rows - shape.keys
                # A rebuild rewrites the partition without fetching: recorded, but not an attempt.
                ledger.append(conn, Attempt(
                    spec.api_name, partition, status,
                    written_at if rewrite_of is None else utcnow(),
                    attempts=1 if rewrite_of is None else 0, rows=shape.keys,
                    duplicates_dropped=dropped, rows_removed=removed,
                    absent_fields=tuple(raw.absent_fields), source=raw.source, raw_id=raw_id,
                ))
        if dropped:
            log.info("%s %s: %d in-batch duplicate keys resolved", spec.api_name, partition, dropped)
        if removed:
            log.info("%s %s: %d rows the source no longer serves removed", spec.api_name, partition, removed)
        return WriteResult(
            raw_id=raw_id, progress_key=key, rows_received=shape.rows, rows_written=shape.keys,
            duplicates_dropped=dropped, status=status, rows_replaced=replaced,
            rows_removed=removed, revisions_added=added,
        )

    def _require_source(self, conn: duckdb.DuckDBPyConnection, spec: DatasetSpec, partition: str,
                        source: str) -> None:
        """A warehouse holds one source's rows; the sources present are read once per open
        (under the writer lease nobody else adds one; on a DuckLake the race is between
        two first writes of different sources, which the next write then refuses)."""
        if self._sources is None:
            self._sources = {r[0] for r in conn.execute(statement("warehouse_sources")).fetchall()}
        others = self._sources - {source}
        if others and not self.allow_mixed_sources:
            raise MixedSourcesError(
                f"dataset {spec.api_name}, partition {partition}: refusing to write {source} rows "
                f"into {self.backend.location.label}, which holds {', '.join(sorted(others))} rows. "
                "Point TWILIGHT_WAREHOUSE at a warehouse of its own, or set "
                "TWILIGHT_ALLOW_MIXED_SOURCES=1 to mix them on purpose"
            )
        self._sources.add(source)

    def record_revisions(self, spec: DatasetSpec, partition_key: str | None, frame: Batch,
                         recorded: raw_records.StoredResponse) -> int:
        """Append the versions a recorded response served to revisions_<api>, and nothing
        else: how a warehouse that predates revisions tables regains its history."""
        partition = canonical_partition(spec.api_name, partition_key)
        batch = as_batch(checked_frame(spec, partition, frame))
        with self.backend.partition_lock(f"{spec.api_name}:{partition}"), self._lock:
            self._require_open()
            view = f"_twilight_batch_{next(self._batch_names)}"
            with self._cursor() as conn:
                conn.register(view, batch)
                with transaction(conn):
                    inspect(conn, spec, partition, view, always_castable(spec, batch))
                    added = _append_revisions(conn, spec, partition, view, recorded.response.source,
                                              recorded.raw_id, naive_utc(recorded.written_at))
        return added

    def mark_failed(self, spec_or_api: DatasetSpec | str, partition_key: str | None, error: str) -> None:
        """Record a failed attempt (status failed, the error). The partition's rows, and the
        ledger's description of its last success, stay untouched."""
        api = spec_or_api if isinstance(spec_or_api, str) else spec_or_api.api_name
        try:
            partition = canonical_partition(api, partition_key)
        except ValueError:
            partition = partition_key or "once"  # a bad key still gets its failure recorded
        with self._lock:
            self._require_open()
            with self._cursor() as conn:
                ledger.record_failure(conn, api, partition, error)

    def _record_failure(self, api: str, partition: str, exc: BaseException) -> None:
        if self._closed:
            return  # nothing was attempted; there is no ledger to write to
        try:
            self.mark_failed(api, partition, f"{type(exc).__name__}: {exc}")
        except Exception:  # the original error matters more; say why the ledger missed it
            log.exception("%s %s: could not record the failure in the ledger", api, partition)

    def record_check_results(self, records: list[CheckRecord]) -> int:
        """Append check results to quality_log (bulk); returns how many were written."""
        if not records:
            return 0
        frame = pd.DataFrame(
            {
                "id": [new_id() for _ in records],
                "run_id": [r.run_id for r in records],
                "asset": [r.asset for r in records],
                "check_name": [r.check_name for r in records],
                "partition": [r.partition for r in records],
                "severity": [r.severity for r in records],
                "passed": [bool(r.passed) for r in records],
                "metric": pd.array([r.metric for r in records], dtype="Float64"),
                "threshold": pd.array([r.threshold for r in records], dtype="Float64"),
                "failed_rows": pd.array([r.failed_rows for r in records], dtype="Int64"),
                "samples": [to_json(r.samples) for r in records],
                "message": [r.message for r in records],
                "evaluated_at": [naive_utc(r.evaluated_at) for r in records],
            }
        )
        cols = ", ".join(quote(c) for c in frame.columns)
        with self._lock:
            self._require_open()
            view = f"_twilight_checks_{next(self._batch_names)}"
            with self._cursor() as conn:
                conn.register(view, frame)
                conn.execute(
                    f"INSERT INTO quality_log ({cols}) SELECT id, run_id, asset, check_name, "
                    f'"partition", severity, passed, metric, threshold, failed_rows, '
                    f"CAST(samples AS JSON), message, CAST(evaluated_at AS TIMESTAMP) FROM {view}"
                ).fetchall()
        return len(records)

    # --- reading and holding ------------------------------------------------------------

    def progress(self, api_name: str, partition_keys: list[str] | None = None) -> pd.DataFrame:
        """Ledger rows of one dataset, optionally only the given partitions."""
        sql = "SELECT * FROM ingest_progress WHERE api_name = ?"
        params: list[Any] = [api_name]
        if partition_keys is not None:
            sql += " AND list_contains(?, progress_key)"
            params.append([progress_key(api_name, k) for k in partition_keys])
        return self.query(sql + " ORDER BY partition_key", params)

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL on the live warehouse (reads see committed data)."""
        with self._lock:
            self._require_open()
            with self._cursor() as conn:
                return conn.execute(sql, params or []).df()

    @contextmanager
    def quiesced(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the writer: no thread writes until the block ends (snapshots use this)."""
        with self._lock:
            self._require_open()
            with self._cursor() as conn:
                yield conn

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def __enter__(self) -> WarehouseWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor per operation: its registered batch views die with it, and a
        result someone left unfetched on another cursor cannot block the next write."""
        return self.backend.cursor(self._conn)

    def _require_open(self) -> None:
        if self._closed:
            raise WarehouseError(f"the writer for {self.backend.location.label} is closed")


# --- the steps of a write ---------------------------------------------------------------


def _replace(
    conn: duckdb.DuckDBPyConnection, spec: DatasetSpec, partition: str, view: str, source: str,
    shape: Any, raw_id: int, written_at: Any,
) -> tuple[int, int]:
    """Delete the partition's rows of this source (if it has any) and insert the batch.

    Returns (rows replaced, of those the ones whose key the source no longer serves).
    A first load finds nothing to delete and skips the DELETE: on a DuckLake a delete
    makes every concurrent writer of the table conflict, an insert alone does not."""
    sql, params = write_sql.census_sql(spec, view, partition, source)
    replaced, removed = conn.execute(sql, params).fetchall()[0]
    if replaced:
        sql, params = write_sql.delete_sql(spec, partition, source)
        conn.execute(sql, params).fetchall()
    if shape.rows:
        insert = write_sql.insert_sql(spec, view, dedupe=shape.keys < shape.rows)
        conn.execute(insert, [source, written_at, raw_id]).fetchall()
    return int(replaced), int(removed)


def _append_revisions(
    conn: duckdb.DuckDBPyConnection, spec: DatasetSpec, partition: str, view: str, source: str,
    raw_id: int, written_at: Any,
) -> int:
    if spec.revisions_table is None:
        return 0
    sql, params = write_sql.revisions_insert_sql(spec, view, partition, source, raw_id, written_at)
    return int(conn.execute(sql, params).fetchall()[0][0])


def _revision_conflicts(conn: duckdb.DuckDBPyConnection, spec: DatasetSpec, view: str) -> list[dict] | None:
    sql = write_sql.revision_conflicts_sql(spec, view)
    if sql is None:
        return None
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return [dict(zip(names, (str(v) for v in row))) for row in rows] or None


def _with_conflicts(result: WriteResult, conflicts: int) -> WriteResult:
    from dataclasses import replace

    return replace(result, commit_conflicts=conflicts)


def _check_request(spec: DatasetSpec, partition: str, raw: RawResponse, status: str) -> None:
    problems = []
    if status not in WRITE_STATUSES:
        problems.append(f"status must be one of {WRITE_STATUSES}, not {status!r}")
    if raw.api_name != spec.api_name:
        problems.append(f"the raw response is for {raw.api_name!r}")
    elif _canonical_or_none(spec.api_name, raw.partition_key) != partition:
        problems.append(f"the raw response is for partition {raw.partition_key!r}")
    if raw.source not in SOURCES:
        problems.append(f"field source: must be one of {SOURCES}, not {raw.source!r}")
    if problems:
        raise DataValidationError("; ".join(problems), api_name=spec.api_name, partition_key=partition)


def _canonical_or_none(api_name: str, partition_key: str | None) -> str | None:
    try:
        return canonical_partition(api_name, partition_key)
    except ValueError:
        return None
