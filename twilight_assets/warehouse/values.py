"""Small things every warehouse module shares: UTC times, ids, JSON text, error text.

They sit below the writer and its parts (batch, write SQL, archive, ledger) so those can
share them without importing one another or the writer.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
import time
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any, Iterator, Protocol

import duckdb

import numpy as np
import pandas as pd

BOOKKEEPING = (("source", "VARCHAR"), ("ingested_at", "TIMESTAMP"), ("raw_id", "BIGINT"))
"""Columns every normalized row carries besides the spec's fields."""
SOURCES = ("tushare", "simulator")
MAX_ERROR_CHARS = 2000
_RANDOM_BITS = 10


class Queryable(Protocol):
    """Anything that answers SQL with a DataFrame: a WarehouseWriter (the live warehouse),
    a WarehouseReader (a snapshot), a version of a DuckLake."""

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame: ...


def utcnow() -> dt.datetime:
    """Now, as the naive UTC timestamp every warehouse column holds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def naive_utc(moment: dt.datetime) -> dt.datetime:
    if isinstance(moment, pd.Timestamp):
        moment = moment.to_pydatetime()
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def new_id() -> int:
    """A 63-bit id ordered by time: microseconds since the epoch, then random bits.

    Made by the writing process, not by a sequence, because DuckLake has no sequences
    and writers on several hosts commit at once. Two ids collide only when two writes
    start in the same microsecond and draw the same 10 random bits (1 in 1,024 of an
    already rare coincidence); ids stay below 2**63 until the year 2255."""
    return (time.time_ns() // 1000) << _RANDOM_BITS | secrets.randbits(_RANDOM_BITS)


def truncate(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """Keep the start (what failed) and the end (the innermost cause) of a long error."""
    if len(text) <= limit:
        return text
    head, tail = limit * 3 // 4, limit // 4
    return f"{text[:head]} ...[{len(text) - head - tail} chars cut]... {text[-tail:]}"


def to_json(obj: Any) -> str:
    """JSON text for a JSON column: dates as ISO strings, NaN as null."""
    try:
        return json.dumps(obj, **_JSON_OPTIONS)
    except ValueError:  # NaN/inf somewhere: rare (Tushare sends null), so only then walk it
        return json.dumps(_finite(obj), **_JSON_OPTIONS)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, np.generic):
        return _finite(value.item())
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


_JSON_OPTIONS: dict[str, Any] = dict(
    default=_json_default,
    allow_nan=False,
    ensure_ascii=False,
    check_circular=False,  # payloads are trees from JSON; skipping the check is faster
    separators=(",", ":"),
)


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def quote(identifier: str) -> str:
    """A quoted SQL identifier. Identifiers come only from specs and the DDL; quoting also
    covers Tushare fields that are SQL keywords (desc, change, open)."""
    return '"' + identifier.replace('"', '""') + '"'


@cache
def statement(name: str) -> str:
    """A static SQL statement of the warehouse's own, from warehouse/sql/<name>.sql."""
    return resources.files("twilight_assets.warehouse").joinpath("sql", f"{name}.sql").read_text("utf-8")


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN, then COMMIT if the block succeeds, else ROLLBACK and re-raise the block's
    error (a COMMIT that failed, such as a DuckLake conflict, has ended the transaction
    already, and the rollback's own complaint about that would hide the cause)."""
    conn.begin()
    try:
        yield conn
        conn.commit()
    except BaseException:
        try:
            conn.rollback()
        except duckdb.Error:
            pass
        raise
