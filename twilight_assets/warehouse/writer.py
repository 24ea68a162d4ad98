"""The one read-write connection to the warehouse, shared by a process's worker threads.

A partition is written in one transaction: the raw response, the normalized upsert and
the progress mark commit together or not at all; a failure is then recorded in the
ledger in a transaction of its own. Rows are written in bulk only: the batch is
registered with DuckDB and upserted by one INSERT ... SELECT (row-by-row inserts ran
~1,000x slower here, see DESIGN.md).

What a write costs, and why it is shaped so (5,000-row daily batches, benchmarks/):
one query checks the batch and counts its distinct keys and those the table already
holds; only a batch with repeated keys pays for the window that resolves them, and a
batch with no key in the table (every first load) is a plain INSERT, since ON CONFLICT
runs as a MERGE that costs about as much again as the insert. The ledger and freshness
rows are updated by key, inserted only when missing. What is left is mostly DuckDB's
insert and commit, and Python's JSON encoding of the raw payload.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from twilight_assets import config
from twilight_assets.errors import DataValidationError, SchemaMismatchError, WarehouseError
from twilight_assets.specs import DatasetSpec, FieldSpec, Grain
from twilight_assets.warehouse.progress import canonical_partition, progress_key
from twilight_assets.warehouse.quality import CheckRecord
from twilight_assets.warehouse.schema import apply_schema, quote

log = logging.getLogger(__name__)

SOURCES = ("tushare", "simulator")
WRITE_STATUSES = ("done", "market_closed")
SECRET_KEYS = frozenset({"token", "ts_type_name"})
"""Keys stripped from every stored params object, whatever the caller already did."""
MAX_ERROR_CHARS = 2000
BOOKKEEPING = (("source", "VARCHAR"), ("ingested_at", "TIMESTAMP"), ("raw_id", "BIGINT"))
CHECKPOINT_THRESHOLD = "256MB"
"""WAL size that triggers DuckDB's automatic checkpoint (its default is 16MB).

A checkpoint rewrites the last row group of every table appended to since the last one.
raw_responses has one row per partition write, each holding ~0.6 MB of payload, so its
last row group holds every payload until 122,880 writes fill it, and every checkpoint
rewrites the whole raw archive (150 daily payloads: ~0.6 s). At the default that came
every ~14 daily writes and more than doubled the mean write time by 300 writes; the
commits stay as durable (the WAL is synced at every commit), only a process that dies
replays a longer WAL when the file is next opened, and the writer checkpoints when it
closes. Measured peak memory did not grow. (The lasting fix is a raw layout of many
small rows, which seals row groups as it goes: that is the DDL's to make.)"""
_RECEIVED = "__twilight_received"
"""Batch column holding each row's arrival order, for the last-received tie-break."""


@dataclass(frozen=True)
class RawResponse:
    api_name: str
    partition_key: str | None
    source: str  # "tushare" or "simulator"; goes to normalized.source
    request_params: list[dict]  # one per call, token removed
    fields: list[str]
    pages: list[dict]  # [{"params": ..., "fields": [...], "items": [[...], ...]}]
    row_count: int
    fetched_at: dt.datetime

    @property
    def encoded(self) -> EncodedRaw:
        """The JSON the raw table stores (secrets removed), encoded once, on first use.

        Encoding a 5,000-row page is ~12 ms of Python, a third of a write: a caller that
        builds the response in a fetching thread can touch this there, so the thread
        holding the writer finds it done. The pages must not change afterwards."""
        # Not functools.cached_property: on 3.11 it takes one lock for every instance,
        # so threads encoding different responses would queue. Two threads racing on the
        # same response at worst encode it twice.
        cached = self.__dict__.get("_encoded")
        if cached is None:
            cached = _encode_raw(self)
            object.__setattr__(self, "_encoded", cached)  # a frozen dataclass
        return cached


@dataclass(frozen=True)
class WriteResult:
    raw_id: int
    progress_key: str
    rows_received: int
    rows_written: int  # after resolving in-batch duplicate keys
    duplicates_dropped: int
    status: str
    rows_changed: int = 0  # inserted, or updated because a value differed
    rows_removed: int = 0  # in the partition before, and no longer served by the source


class WarehouseWriter:
    """Opens the live file read-write (one per process) and applies the schema.

    Every method takes one lock, so worker threads can share the writer (the seed's
    A0.3): DuckDB lets one process hold the file, and one connection's transactions are
    serialised anyway.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).resolve()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = duckdb.connect(
                str(self.path), config={"checkpoint_threshold": CHECKPOINT_THRESHOLD}
            )
        except duckdb.IOException as exc:
            raise WarehouseError(
                f"cannot open the warehouse {self.path} for writing: another process holds "
                f"it (one writer at a time; readers use snapshots). {exc}"
            ) from exc
        self._lock = threading.RLock()
        self._batch_names = itertools.count()
        self._closed = False
        try:
            self.schema_applied: list[str] = apply_schema(self._conn)
        except BaseException:
            self._conn.close()
            raise

    # --- writing ------------------------------------------------------------------------

    def write_partition(
        self,
        spec: DatasetSpec,
        partition_key: str | None,
        frame: pd.DataFrame | pa.Table,
        raw: RawResponse,
        *,
        status: str = "done",
    ) -> WriteResult:
        """Write one partition atomically; see the module docstring.

        `frame` has exactly `spec.field_names` as columns. On any failure nothing of the
        write is visible, the ledger records the failure, and the error is re-raised.
        """
        partition = canonical_partition(spec.api_name, partition_key)
        key = f"{spec.api_name}:{partition}"
        try:
            # Encoding the payload is the costliest Python step: done before taking the
            # lock (if the caller has not done it already), so other threads' writes run
            # meanwhile.
            encoded = raw.encoded
            with self._lock:
                self._require_open()
                return self._write(spec, partition, key, frame, raw, encoded, status)
        except BaseException as exc:
            self._record_failure(spec.api_name, partition, exc)
            raise

    def _write(
        self,
        spec: DatasetSpec,
        partition: str,
        key: str,
        frame: pd.DataFrame | pa.Table,
        raw: RawResponse,
        encoded: EncodedRaw,
        status: str,
    ) -> WriteResult:
        _check_request(spec, partition, raw, status)
        batch = _as_batch(_checked_frame(spec, partition, frame))
        rows_received = batch.num_rows if isinstance(batch, pa.Table) else len(batch)
        if status == "market_closed" and rows_received:
            raise DataValidationError(
                f"marked market_closed but {rows_received} rows arrived",
                api_name=spec.api_name, partition_key=partition,
            )
        view = f"_twilight_batch_{next(self._batch_names)}"
        with self._cursor() as conn:
            conn.register(view, batch)
            conn.begin()
            try:
                castable = _always_castable(spec, batch)
                shape = _inspect(conn, spec, partition, view, castable, raw.source)
                rows_written = shape.keys
                now = _utcnow()
                raw_id = _insert_raw(conn, spec, partition, key, raw, encoded, now)
                sql = upsert_sql(
                    spec, view, dedupe=rows_written < rows_received, new_keys_only=not shape.existing
                )
                changed = conn.execute(sql, [raw.source, now, raw_id]).fetchall()[0][0]
                removed = _remove_unserved(conn, spec, partition, view, raw.source)
                dropped = rows_received - rows_written
                _mark_done(conn, spec, partition, key, status, rows_written, dropped, raw_id, now)
                _update_freshness(conn, spec, partition, raw.source, rows_written, now)
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        if dropped:
            log.info("%s %s: %d in-batch duplicate keys resolved", spec.api_name, partition, dropped)
        if removed:
            log.info("%s %s: %d rows the source no longer serves removed", spec.api_name, partition, removed)
        return WriteResult(
            raw_id=raw_id, progress_key=key, rows_received=rows_received,
            rows_written=rows_written, duplicates_dropped=dropped, status=status,
            rows_changed=int(changed), rows_removed=removed,
        )

    def mark_failed(
        self, spec_or_api: DatasetSpec | str, partition_key: str | None, error: str
    ) -> None:
        """Record a failed attempt (attempts + 1, status failed, the error). Rows and raw id
        keep describing the last success, whose data stays untouched."""
        api = spec_or_api if isinstance(spec_or_api, str) else spec_or_api.api_name
        try:
            partition = canonical_partition(api, partition_key)
        except ValueError:
            partition = partition_key or "once"  # a bad key still gets its failure recorded
        with self._lock:
            self._require_open()
            with self._cursor() as conn:
                _mark_failed(conn, api, partition, error)

    def _record_failure(self, api: str, partition: str, exc: BaseException) -> None:
        if self._closed:
            return  # nothing was attempted; there is no ledger to write to
        try:
            self.mark_failed(api, partition, f"{type(exc).__name__}: {exc}")
        except Exception:  # the original error matters more; say why the ledger missed it
            log.exception("%s %s: could not record the failure in ingest_progress", api, partition)

    def record_check_results(self, records: list[CheckRecord]) -> int:
        """Append check results to quality_log (bulk); returns how many were written."""
        if not records:
            return 0
        frame = pd.DataFrame(
            {
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
                "evaluated_at": [_naive_utc(r.evaluated_at) for r in records],
            }
        )
        cols = ", ".join(quote(c) for c in frame.columns)
        with self._lock:
            self._require_open()
            view = f"_twilight_checks_{next(self._batch_names)}"
            with self._cursor() as conn:
                conn.register(view, frame)
                conn.execute(
                    f"INSERT INTO quality_log ({cols}) SELECT run_id, asset, check_name, "
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
        """Run SQL on the live file under the writer's lock (reads see committed data)."""
        with self._lock:
            self._require_open()
            with self._cursor() as conn:
                return conn.execute(sql, params or []).df()

    @contextmanager
    def quiesced(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the writer: no thread writes until the block ends (snapshots use this)."""
        with self._lock:
            self._require_open()
            yield self._conn

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
        result someone left unfetched on the shared connection (via quiesced()) cannot
        block the next write."""
        return self._conn.cursor()

    def _require_open(self) -> None:
        if self._closed:
            raise WarehouseError(f"the writer for {self.path} is closed")


# --- SQL ------------------------------------------------------------------------------


def upsert_sql(
    spec: DatasetSpec, batch_view: str, *, dedupe: bool = True, new_keys_only: bool = False
) -> str:
    """INSERT the batch into spec.table, one row per key, as the seed's A0.1 upsert.

    Binds three parameters: source, ingested_at, raw_id. `dedupe=False` is for a batch
    known to hold each key once; `new_keys_only=True` for one none of whose keys the
    table holds yet (see build_insert).
    """
    columns = [(f.name, f.sql_type) for f in spec.fields]
    if new_keys_only and not dedupe:
        return build_insert(
            table=spec.table, columns=columns, constants=BOOKKEEPING, batch_view=batch_view
        )
    return build_upsert(
        table=spec.table,
        columns=columns,
        constants=BOOKKEEPING,
        conflict_columns=spec.conflict_columns,
        prefer=[(c, desc) for c, desc in spec.dedupe.prefer if c in spec.field_names],
        batch_view=batch_view,
        dedupe=dedupe,
    )


def build_upsert(
    *,
    table: str,
    columns: Sequence[tuple[str, str]],
    constants: Sequence[tuple[str, str]],
    conflict_columns: Sequence[str],
    prefer: Sequence[tuple[str, bool]],
    batch_view: str,
    dedupe: bool = True,
) -> str:
    """The bulk upsert; every identifier is quoted and every value is bound.

    In-batch duplicate keys are resolved here rather than left to DuckDB (which keeps an
    arbitrary one): byte-identical rows collapse, otherwise the first by `prefer` wins and
    ties go to the row received last. A conflicting row is updated in every non-key
    column, but only when a value differs, so re-running a partition changes nothing
    (not even ingested_at or raw_id). When every column is a key there is nothing to
    update: DO NOTHING. `dedupe=False` drops the resolving window, for a batch already
    known to hold each key once (it costs a sort of the batch).
    """
    target, select, casts = _batch_select(columns, constants)
    key_exprs = [casts[c] for c in conflict_columns if c in casts]
    order = [f"{casts[c]} {'DESC' if desc else 'ASC'} NULLS LAST" for c, desc in prefer]
    order.append(f"b.{quote(_RECEIVED)} DESC")
    resolve = (
        f"QUALIFY row_number() OVER (PARTITION BY {', '.join(key_exprs)} "
        f"ORDER BY {', '.join(order)}) = 1"
        if key_exprs and dedupe
        else ""
    )
    data_columns = [name for name, _ in columns if name not in conflict_columns]
    if data_columns:
        updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in target if c not in conflict_columns)
        changed = " OR ".join(
            f"{quote(table)}.{quote(c)} IS DISTINCT FROM excluded.{quote(c)}" for c in data_columns
        )
        on_conflict = f"DO UPDATE SET {updates} WHERE {changed}"
    else:
        on_conflict = "DO NOTHING"
    return (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in target)}) "
        f"SELECT {', '.join(select)} FROM {quote(batch_view)} AS b {resolve} "
        f"ON CONFLICT ({', '.join(quote(c) for c in conflict_columns)}) {on_conflict}"
    )


def partition_predicate(spec: DatasetSpec, partition: str) -> tuple[str, list[Any]]:
    """SQL (over the table, aliased t) selecting one partition's rows, and its values."""
    column = spec.partition_column
    if spec.grain is Grain.ONCE or column is None:
        return "TRUE", []
    if spec.grain is Grain.PER_DATE_YEAR:
        return f"t.{quote(column)} BETWEEN ?::DATE AND ?::DATE", [f"{partition}-01-01", f"{partition}-12-31"]
    if spec.grain is Grain.PER_DATE:
        return f"t.{quote(column)} = ?::DATE", [partition]
    return f"t.{quote(column)} = ?", [partition]


def _remove_unserved(
    conn: duckdb.DuckDBPyConnection, spec: DatasetSpec, partition: str, view: str, source: str
) -> int:
    """A partition mirrors what the source serves now: rows of it whose key the source
    no longer sends (a correction that drops a row) go, in the same transaction, so the
    ledger's row count is the partition's. raw_responses keeps every earlier answer."""
    where, params = partition_predicate(spec, partition)
    same_key = " AND ".join(f"b.{quote(c)} = t.{quote(c)}" for c in spec.key_fields)
    sql = (
        f"DELETE FROM {quote(spec.table)} AS t WHERE t.source = ? AND {where} "
        f"AND NOT EXISTS (SELECT 1 FROM {quote(view)} AS b WHERE {same_key})"
    )
    return int(conn.execute(sql, [source, *params]).fetchall()[0][0])


def build_insert(
    *,
    table: str,
    columns: Sequence[tuple[str, str]],
    constants: Sequence[tuple[str, str]],
    batch_view: str,
) -> str:
    """A plain bulk INSERT of the batch, for when the upsert could only insert.

    The writer uses it for a batch that holds each key once and none that the table
    holds (checked in the same transaction, under the writer's lock, so nothing can add
    one in between): the upsert would then insert every row and update none, and DuckDB
    runs ON CONFLICT as a MERGE (a group-by of the batch and a join with the table) that
    roughly doubles the cost of the insert. Binds the same parameters as build_upsert.
    Should a key exist after all, the primary key refuses the row and the write fails.
    """
    target, select, _ = _batch_select(columns, constants)
    return (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in target)}) "
        f"SELECT {', '.join(select)} FROM {quote(batch_view)} AS b"
    )


def _batch_select(
    columns: Sequence[tuple[str, str]], constants: Sequence[tuple[str, str]]
) -> tuple[list[str], list[str], dict[str, str]]:
    """Target columns, their SELECT expressions from batch `b`, and each column's cast."""
    casts = {name: f"CAST(b.{quote(name)} AS {sql_type})" for name, sql_type in columns}
    select = [casts[name] for name, _ in columns]
    select += [f"CAST(? AS {sql_type})" for _, sql_type in constants]
    target = [name for name, _ in columns] + [name for name, _ in constants]
    return target, select, casts


@dataclass(frozen=True)
class BatchShape:
    keys: int  # distinct keys in the batch: the rows the write leaves
    existing: int  # of those, how many the table already holds


def _inspect(
    conn: duckdb.DuckDBPyConnection,
    spec: DatasetSpec,
    partition: str,
    view: str,
    castable: set[str],
    source: str,
) -> BatchShape:
    """Reject keys that are null and values that cannot take their column's type, naming
    the field; count the batch's distinct keys and how many of them the table holds, in
    one pass. Columns in `castable` cannot fail their cast, so they are not probed."""
    checks: list[tuple[str, str, str]] = []  # (field, what is wrong, SQL predicate)
    for f in spec.fields:
        col = f"b.{quote(f.name)}"
        if f.name in spec.key_fields:
            checks.append((f.name, "is null but is part of the key", f"{col} IS NULL"))
        if f.name in castable:
            continue
        checks.append(
            (f.name, f"cannot be read as {f.sql_type}",
             f"{col} IS NOT NULL AND TRY_CAST({col} AS {f.sql_type}) IS NULL")
        )
    counts = "".join(f"count(*) FILTER (WHERE {pred}), " for _, _, pred in checks)
    # TRY_CAST: a key that cannot be cast is reported by its check above, by field name,
    # rather than failing this query with DuckDB's conversion error.
    keys = ", ".join(
        f"TRY_CAST(b.{quote(k)} AS {_field(spec, k).sql_type}) AS {quote(k)}"
        for k in spec.key_fields
    )
    matches = [f"t.{quote(k)} = k.{quote(k)}" for k in spec.key_fields]
    constants = []
    if "source" in spec.conflict_columns:  # the one key column that is ours, not Tushare's
        matches.append('t."source" = ?')
        constants.append(source)
    row = conn.execute(
        f"WITH k AS (SELECT DISTINCT {keys} FROM {quote(view)} AS b) "
        f"SELECT {counts}(SELECT count(*) FROM k), "
        f"(SELECT count(*) FROM k JOIN {quote(spec.table)} AS t ON {' AND '.join(matches)}) "
        f"FROM {quote(view)} AS b",
        constants,
    ).fetchall()[0]
    for (name, problem, pred), bad in zip(checks, row[:-2]):
        if bad:
            sample = conn.execute(
                f"SELECT DISTINCT CAST(b.{quote(name)} AS VARCHAR) FROM {quote(view)} AS b "
                f"WHERE {pred} LIMIT 3"
            ).fetchall()
            raise DataValidationError(
                f"field {name}: {bad} value(s) {problem} (e.g. {[s[0] for s in sample]})",
                api_name=spec.api_name, partition_key=partition,
            )
    return BatchShape(keys=int(row[-2]), existing=int(row[-1]))


@dataclass(frozen=True)
class EncodedRaw:
    request_params: str  # JSON, secrets removed
    payload: str  # JSON of the pages, secrets removed
    pages: int


def _encode_raw(raw: RawResponse) -> EncodedRaw:
    token = config.tushare_token() or ""
    pages = [scrub_secrets(p, token) for p in raw.pages]
    return EncodedRaw(to_json(scrub_secrets(raw.request_params, token)), to_json(pages), len(pages))


def _insert_raw(
    conn: duckdb.DuckDBPyConnection,
    spec: DatasetSpec,
    partition: str,
    key: str,
    raw: RawResponse,
    encoded: EncodedRaw,
    now: dt.datetime,
) -> int:
    return conn.execute(
        "INSERT INTO raw_responses (api_name, partition_key, progress_key, source, request_params, "
        "fields, row_count, pages, fetched_at, written_at, payload) "
        "VALUES (?, ?, ?, ?, CAST(? AS JSON), ?, ?, ?, ?, ?, CAST(? AS JSON)) RETURNING raw_id",
        [
            spec.api_name, partition, key, raw.source, encoded.request_params, list(raw.fields),
            int(raw.row_count), encoded.pages, _naive_utc(raw.fetched_at), now, encoded.payload,
        ],
    ).fetchall()[0][0]


def _mark_done(
    conn: duckdb.DuckDBPyConnection,
    spec: DatasetSpec,
    partition: str,
    key: str,
    status: str,
    rows: int,
    dropped: int,
    raw_id: int,
    now: dt.datetime,
) -> None:
    # UPDATE by the primary key, INSERT only when there was no row: one row by its key is
    # an index lookup, where ON CONFLICT plans a MERGE that scans the table (3x the time).
    # The writer's lock and the transaction keep anything from adding the row in between.
    updated = conn.execute(
        "UPDATE ingest_progress SET status = ?, attempts = attempts + 1, rows = ?, "
        "duplicates_dropped = ?, raw_id = ?, last_error = NULL, updated_at = ? "
        "WHERE progress_key = ?",
        [status, rows, dropped, raw_id, now, key],
    ).fetchall()[0][0]
    if not updated:
        conn.execute(
            "INSERT INTO ingest_progress (progress_key, api_name, partition_key, status, "
            "attempts, rows, duplicates_dropped, raw_id, last_error, updated_at) "
            "VALUES (?, ?, ?, ?, 1, ?, ?, ?, NULL, ?)",
            [key, spec.api_name, partition, status, rows, dropped, raw_id, now],
        ).fetchall()


def _mark_failed(conn: duckdb.DuckDBPyConnection, api: str, partition: str, error: str) -> None:
    conn.begin()
    try:
        conn.execute(
            "INSERT INTO ingest_progress (progress_key, api_name, partition_key, status, "
            "attempts, last_error, updated_at) VALUES (?, ?, ?, 'failed', 1, ?, ?) "
            "ON CONFLICT (progress_key) DO UPDATE SET status = 'failed', "
            "attempts = ingest_progress.attempts + 1, last_error = excluded.last_error, "
            "updated_at = excluded.updated_at",
            [f"{api}:{partition}", api, partition, _truncate(_redact(error)), _utcnow()],
        ).fetchall()
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


def _update_freshness(
    conn: duckdb.DuckDBPyConnection,
    spec: DatasetSpec,
    partition: str,
    source: str,
    rows: int,
    now: dt.datetime,
) -> None:
    # latest_partition keeps the greatest key: for dates and years, the newest reached.
    # UPDATE first, as _mark_done does: after its first write a dataset always has a row.
    updated = conn.execute(
        "UPDATE source_freshness SET source = ?, latest_partition = greatest(latest_partition, ?), "
        "last_partition = ?, last_success_at = ?, rows = ? WHERE api_name = ?",
        [source, partition, partition, now, rows, spec.api_name],
    ).fetchall()[0][0]
    if not updated:
        conn.execute(
            "INSERT INTO source_freshness (api_name, source, latest_partition, last_partition, "
            "last_success_at, rows) VALUES (?, ?, ?, ?, ?, ?)",
            [spec.api_name, source, partition, partition, now, rows],
        ).fetchall()


# --- checking what callers hand over ----------------------------------------------------


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


def _checked_frame(
    spec: DatasetSpec, partition: str, frame: pd.DataFrame | pa.Table
) -> pd.DataFrame | pa.Table:
    if isinstance(frame, pa.Table):
        names = list(frame.column_names)
    elif isinstance(frame, pd.DataFrame):
        names = [str(c) for c in frame.columns]
    else:
        raise DataValidationError(
            f"expected a pandas DataFrame or pyarrow Table, got {type(frame).__name__}",
            api_name=spec.api_name, partition_key=partition,
        )
    expected = list(spec.field_names)
    missing = [c for c in expected if c not in names]
    extra = [c for c in names if c not in expected]
    duplicated = sorted({c for c in names if names.count(c) > 1})
    if missing or extra or duplicated:
        parts = [
            f"{label} field(s) {', '.join(cols)}"
            for label, cols in (("missing", missing), ("unexpected", extra), ("repeated", duplicated))
            if cols
        ]
        raise SchemaMismatchError(
            "; ".join(parts) + f" (the spec documents {len(expected)} fields)",
            api_name=spec.api_name, partition_key=partition,
        )
    return frame


def _as_batch(frame: pd.DataFrame | pa.Table) -> pd.DataFrame | pa.Table:
    """The batch as DuckDB will scan it, with each row's arrival order added.

    A pandas frame goes over as an Arrow table when its columns convert as they are: the
    batch is scanned several times (checks, key counts, the write), and DuckDB reads
    Arrow without converting Python strings on every scan. A column Arrow cannot type
    (mixed values, which the checks must still name) keeps the frame as it is.
    """
    if isinstance(frame, pd.DataFrame):
        try:
            frame = _arrow_table(frame)
        except pa.ArrowException:  # invalid, mistyped or unsupported values alike
            out = frame.copy(deep=False)
            out[_RECEIVED] = np.arange(len(frame), dtype=np.int64)
            return out
    return frame.append_column(_RECEIVED, pa.array(np.arange(frame.num_rows, dtype=np.int64)))


def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    """The frame's columns as Arrow arrays, NaN as null (as DuckDB reads pandas floats).

    The float64 columns (most of a financial statement's ~90) come out of one 2-D copy:
    taking each column as a Series costs ~25 us apiece, 2.5 ms for a 90-column frame."""
    names = [str(c) for c in frame.columns]
    arrays: dict[str, pa.Array] = {}
    floats = frame.select_dtypes(include="float64")
    if floats.shape[1]:
        block = floats.to_numpy()
        for j, name in enumerate(floats.columns):
            arrays[str(name)] = pa.array(block[:, j], from_pandas=True)
    for name, column in zip(names, frame.columns):
        if name not in arrays:
            arrays[name] = pa.array(frame[column], from_pandas=True)
    return pa.Table.from_arrays([arrays[n] for n in names], names=names)


# Which column kinds always convert to a SQL type (numpy dtype kinds: f float, i/u int,
# b bool, M datetime64). Anything converts to VARCHAR.
_CASTABLE_KINDS = {"DOUBLE": "fiub", "BIGINT": "iub", "DATE": "M"}


def _always_castable(spec: DatasetSpec, batch: pd.DataFrame | pa.Table) -> set[str]:
    """Fields whose column type guarantees the cast succeeds (no need to probe values)."""
    out = set()
    for f in spec.fields:
        if f.sql_type == "VARCHAR":
            out.add(f.name)
            continue
        if isinstance(batch, pa.Table):
            t = batch.schema.field(f.name).type
            ok = {
                "DOUBLE": pa.types.is_floating(t) or pa.types.is_integer(t),
                "BIGINT": pa.types.is_integer(t),
                "DATE": pa.types.is_timestamp(t) or pa.types.is_date(t),
            }.get(f.sql_type, False)
        else:
            ok = batch[f.name].dtype.kind in _CASTABLE_KINDS.get(f.sql_type, "")
        if ok:
            out.add(f.name)
    return out


def _field(spec: DatasetSpec, name: str) -> FieldSpec:
    return next(f for f in spec.fields if f.name == name)


# --- values ---------------------------------------------------------------------------


def scrub_secrets(obj: Any, token: str | None = None) -> Any:
    """`obj` without any key named token (or ts_type_name), at any depth, and with the
    configured token's value masked wherever it appears in a string. Data rows (a page's
    `items`) are passed through as they are: walking them would cost more than the write."""
    token = token if token is not None else (config.tushare_token() or "")
    if isinstance(obj, dict):
        return {
            k: (v if k == "items" else scrub_secrets(v, token))
            for k, v in obj.items()
            if str(k).lower() not in SECRET_KEYS
        }
    if isinstance(obj, (list, tuple)):
        return [scrub_secrets(v, token) for v in obj]
    if isinstance(obj, str) and token and token in obj:
        return obj.replace(token, "***")
    return obj


def to_json(obj: Any) -> str:
    """JSON text for a JSON column: dates as ISO strings, NaN as null."""
    try:
        return json.dumps(obj, **_JSON_OPTIONS)
    except ValueError:  # NaN/inf somewhere: rare (Tushare sends null), so only then walk it
        return json.dumps(_finite(obj), **_JSON_OPTIONS)


_JSON_OPTIONS: dict[str, Any] = dict(
    default=None,  # set below, once _json_default exists
    allow_nan=False,
    ensure_ascii=False,
    check_circular=False,  # payloads are trees from JSON; skipping the check is faster
    separators=(",", ":"),
)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, np.generic):
        return _finite(value.item())
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


_JSON_OPTIONS["default"] = _json_default


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def _redact(text: str) -> str:
    token = config.tushare_token()
    return text.replace(token, "***") if token else text


def _truncate(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """Keep the start (what failed) and the end (the innermost cause) of a long error."""
    if len(text) <= limit:
        return text
    head, tail = limit * 3 // 4, limit // 4
    return f"{text[:head]} ...[{len(text) - head - tail} chars cut]... {text[-tail:]}"


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    if isinstance(moment, pd.Timestamp):
        moment = moment.to_pydatetime()
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
