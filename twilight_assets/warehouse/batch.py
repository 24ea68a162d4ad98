"""A partition's rows as the writer receives them: checked, and made ready to scan.

The writer accepts a pandas DataFrame or an Arrow table with exactly the spec's fields.
Before anything is written it proves, naming the field: no key is null, every value takes
its column's type, and every row belongs to the partition it is written under (a row
dated another day would be committed under this partition's done mark, and the ledger
would then be wrong for two partitions). One query checks all of it and counts the
batch's distinct keys, so a batch without repeated keys skips the window that resolves
them.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from twilight_assets.errors import DataValidationError, SchemaMismatchError
from twilight_assets.specs import DatasetSpec, FieldSpec, Grain
from twilight_assets.warehouse.values import quote

RECEIVED = "__twilight_received"
"""Batch column holding each row's arrival order, for the last-received tie-break."""

Batch = pd.DataFrame | pa.Table


@dataclass(frozen=True)
class BatchShape:
    rows: int  # as received, duplicates included
    keys: int  # distinct keys: the rows the write leaves


def checked_frame(spec: DatasetSpec, partition: str, frame: Batch) -> Batch:
    """`frame`, if its columns are exactly the spec's fields."""
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


def as_batch(frame: Batch) -> Batch:
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
            out[RECEIVED] = np.arange(len(frame), dtype=np.int64)
            return out
    return frame.append_column(RECEIVED, pa.array(np.arange(frame.num_rows, dtype=np.int64)))


def num_rows(batch: Batch) -> int:
    return batch.num_rows if isinstance(batch, pa.Table) else len(batch)


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


def always_castable(spec: DatasetSpec, batch: Batch) -> set[str]:
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


@dataclass(frozen=True)
class _Probe:
    field: str
    problem: str
    predicate: str
    params: tuple = ()


def _outside_partition(spec: DatasetSpec, partition: str) -> _Probe | None:
    column = spec.partition_column
    if column is None:
        return None
    col = f"b.{quote(column)}"
    if spec.grain is Grain.PER_DATE:
        pred, params = f"{col} IS NOT NULL AND TRY_CAST({col} AS DATE) <> CAST(? AS DATE)", (partition,)
    elif spec.grain is Grain.PER_DATE_YEAR:
        pred, params = f"{col} IS NOT NULL AND year(TRY_CAST({col} AS DATE)) <> ?", (int(partition),)
    else:
        pred, params = f"{col} IS NOT NULL AND CAST({col} AS VARCHAR) <> ?", (partition,)
    return _Probe(column, "row(s) outside the partition", pred, params)


def inspect(
    conn: duckdb.DuckDBPyConnection,
    spec: DatasetSpec,
    partition: str,
    view: str,
    castable: set[str],
) -> BatchShape:
    """Reject null keys, values that cannot take their column's type and rows of another
    partition, naming the field; count the batch's rows and distinct keys, in one pass.
    Columns in `castable` cannot fail their cast, so they are not probed."""
    probes: list[_Probe] = []
    for f in spec.fields:
        col = f"b.{quote(f.name)}"
        if f.name in spec.key_fields:
            probes.append(_Probe(f.name, "value(s) null in a key field", f"{col} IS NULL"))
        if f.name not in castable:
            probes.append(_Probe(
                f.name, f"value(s) cannot be read as {f.sql_type}",
                f"{col} IS NOT NULL AND TRY_CAST({col} AS {f.sql_type}) IS NULL",
            ))
    outside = _outside_partition(spec, partition)
    if outside is not None:
        probes.append(outside)
    counts = "".join(f"count(*) FILTER (WHERE {p.predicate}), " for p in probes)
    # TRY_CAST: a key that cannot be cast is reported by its probe above, by field name,
    # rather than failing this query with DuckDB's conversion error.
    keys = ", ".join(
        f"TRY_CAST(b.{quote(k)} AS {_field(spec, k).sql_type})" for k in spec.key_fields
    )
    params = [p for probe in probes for p in probe.params]
    row = conn.execute(
        f"SELECT {counts}count(*), count(DISTINCT ({keys})) FROM {quote(view)} AS b", params
    ).fetchall()[0]
    for probe, bad in zip(probes, row[:-2]):
        if bad:
            raise _problem(conn, spec, partition, view, probe, int(bad))
    return BatchShape(rows=int(row[-2]), keys=int(row[-1]))


def _problem(
    conn: duckdb.DuckDBPyConnection, spec: DatasetSpec, partition: str, view: str, probe: _Probe, bad: int
) -> DataValidationError:
    sample = conn.execute(
        f"SELECT DISTINCT CAST(b.{quote(probe.field)} AS VARCHAR) FROM {quote(view)} AS b "
        f"WHERE {probe.predicate} LIMIT 5",
        list(probe.params),
    ).fetchall()
    shown = [None if s[0] is None else s[0][:10] if probe.params else s[0] for s in sample]
    tail = "; nothing written" if probe.params else ""
    return DataValidationError(
        f"field {probe.field}: {bad} {probe.problem} (e.g. {shown}){tail}",
        api_name=spec.api_name, partition_key=partition,
    )
