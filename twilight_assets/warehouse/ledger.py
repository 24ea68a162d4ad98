"""The ingest ledger: its one key, `<api_name>:<partition>`, and its append-only rows.

The seed's ledger was keyed by (api_name, trade_date), which cannot name a stock, an
index, a year or a dataset fetched once, so per-entity work was recorded as `t3:...`
markers squeezed into api_name. Every partition now has one canonical spelling, and the
ledger is keyed by `progress_key(api, partition)`:

    daily:2024-01-02      trade dates, ISO (YYYYMMDD is accepted and converted)
    income:000001.SZ      stocks and indexes, by ts_code (upper-cased)
    trade_cal:2024        years
    stock_basic:once      datasets fetched whole
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb

from twilight_assets.errors import WarehouseError
from twilight_assets.specs import HISTORY_START, ONCE_PARTITION, REGISTRY, EntityType, Grain
from twilight_assets.warehouse.values import new_id, statement, transaction, truncate, utcnow

LEGACY_PREFIX = "legacy"
"""api_name part of keys for legacy ledger rows that name no known partition."""

_YYYYMMDD = re.compile(r"^\d{8}$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
# Stocks (000001.SZ), indexes of every market (000300.SH, 801010.SI, H30269.CSI, CI005001.WI).
_TS_CODE = re.compile(r"^[0-9A-Z]{1,12}\.[A-Z]{2,4}$")


class PartitionKeyError(WarehouseError, ValueError):
    """A partition key that does not fit its dataset's grain."""

    def __init__(self, api_name: str, partition_key: str | None, why: str) -> None:
        super().__init__(f"dataset {api_name}, partition {partition_key!r}: {why}")
        self.api_name = api_name
        self.partition_key = partition_key


def progress_key(api_name: str, partition_key: str | None) -> str:
    """The ledger key of one partition of one dataset (see the module docstring)."""
    return f"{api_name}:{canonical_partition(api_name, partition_key)}"


def canonical_partition(api_name: str, partition_key: str | None) -> str:
    """The one spelling of a partition key. Datasets in the registry are checked against
    their grain; unknown api names only get the generic normalisation."""
    spec = REGISTRY.get(api_name)
    if spec is None:
        return _generic(partition_key)
    if spec.grain is Grain.ONCE:
        if partition_key not in (None, "", ONCE_PARTITION):
            raise PartitionKeyError(api_name, partition_key, "a dataset fetched once takes no partition key")
        return ONCE_PARTITION
    if not partition_key:
        raise PartitionKeyError(api_name, partition_key, f"a {spec.grain} dataset needs a partition key")
    key = partition_key.strip()
    if spec.entity_type is EntityType.TRADE_DATE:
        day = _parse_day(key)
        if day is None:
            raise PartitionKeyError(api_name, partition_key, "expected a trade date YYYY-MM-DD or YYYYMMDD")
        return day.isoformat()
    if spec.entity_type is EntityType.YEAR:
        if not _YEAR.match(key):
            raise PartitionKeyError(api_name, partition_key, "expected a year YYYY")
        return key
    code = key.upper()
    if not _TS_CODE.match(code):
        raise PartitionKeyError(api_name, partition_key, "expected a ts_code such as 000001.SZ")
    return code


def _generic(partition_key: str | None) -> str:
    if not partition_key:
        return ONCE_PARTITION
    day = _parse_day(partition_key.strip())
    return day.isoformat() if day else partition_key.strip()


def _parse_day(text: str) -> dt.date | None:
    try:
        if _ISO_DAY.match(text):
            return dt.date.fromisoformat(text)
        if _YYYYMMDD.match(text):
            return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None
    return None


# --- the seed's ledger ------------------------------------------------------------------


def is_real_trade_date(day: dt.date | None) -> bool:
    """False for NULL and for sentinels (1970-01-01 and the like) that the seed's scripts
    wrote where a marker had no date: nothing traded before the exchange opened."""
    return day is not None and day >= HISTORY_START


def legacy_progress_key(api_name: str | None, trade_date: dt.date | None) -> str:
    """Map one row of the seed's `backfill_progress` to a ledger key.

    Plain rows are (api, trade date); a date only names a partition of a per-date
    dataset (one day of trade_cal does not make its year done). Markers squeeze the partition into api_name
    (`t3:income:000001.SZ`, NULL or sentinel trade_date). A row that names a known dataset
    and a partition that fits its grain gets that partition's key; anything else keeps
    its original text under `legacy:` so the row is carried over rather than dropped.
    """
    name = (api_name or "").strip()
    real_day = trade_date if is_real_trade_date(trade_date) else None
    mapped = _map_legacy(name, real_day)
    if mapped is not None:
        return mapped
    suffix = f"@{real_day.isoformat()}" if real_day else ""
    return f"{LEGACY_PREFIX}:{name}{suffix}"


def _map_legacy(name: str, day: dt.date | None) -> str | None:
    parts = name.split(":")
    # The dataset is the first part, or the second after a task tag such as `t3`.
    for i in (0, 1):
        if i < len(parts) and parts[i] in REGISTRY:
            api, rest = parts[i], ":".join(parts[i + 1 :])
            break
    else:
        return None
    spec = REGISTRY[api]
    if rest:
        candidate: str | None = rest
    elif spec.grain is Grain.ONCE:
        candidate = None
    elif day is not None and spec.entity_type is EntityType.TRADE_DATE:
        candidate = day.isoformat()
    else:
        return None
    try:
        return progress_key(api, candidate)
    except PartitionKeyError:
        return None


# --- writing the ledger -------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One ledger row: what one attempt at one partition did."""

    api_name: str
    partition: str
    status: str
    at: dt.datetime
    attempts: int = 1
    """1 for a try; 0 for a rewrite that fetched nothing (a rebuild from the archive)."""
    rows: int | None = None
    duplicates_dropped: int | None = None
    rows_removed: int | None = None
    absent_fields: tuple[str, ...] = ()
    source: str | None = None
    raw_id: int | None = None
    error: str | None = None

    @property
    def progress_key(self) -> str:
        return f"{self.api_name}:{self.partition}"


def append(conn: duckdb.DuckDBPyConnection, attempt: Attempt) -> None:
    """Append `attempt` to ingest_log, inside the caller's transaction."""
    conn.execute(
        statement("ledger_append"),
        {
            "attempt_id": new_id(), "progress_key": attempt.progress_key,
            "api_name": attempt.api_name, "partition_key": attempt.partition,
            "status": attempt.status, "attempts": attempt.attempts, "rows": attempt.rows,
            "duplicates_dropped": attempt.duplicates_dropped, "rows_removed": attempt.rows_removed,
            "absent_fields": list(attempt.absent_fields), "source": attempt.source,
            "raw_id": attempt.raw_id,
            "error": truncate(attempt.error) if attempt.error is not None else None,
            "attempted_at": attempt.at,
        },
    ).fetchall()


def record_failure(conn: duckdb.DuckDBPyConnection, api_name: str, partition: str, error: str) -> None:
    """Append a failed attempt in a transaction of its own: the data, and the ledger's
    description of the last success, stay as they were."""
    with transaction(conn):
        append(conn, Attempt(api_name, partition, "failed", utcnow(), error=error))
