"""What every section of the report needs to read a snapshot: its SQL files, rows as
JSON-safe records, and the warehouse's naive-UTC timestamps and dates as Python values."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from typing import Any

from twilight_assets.checks.runner import json_safe
from twilight_assets.warehouse.reader import WarehouseReader
from twilight_assets.warehouse.schema import quote

_IDENTIFIER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


@cache
def _sql_file(name: str) -> str:
    return resources.files("twilight_assets.monitor").joinpath("sql", name).read_text("utf-8")


def sql(name: str, **identifiers: str) -> str:
    """monitor/sql/<name> with each `{{ key }}` replaced by the quoted identifier given
    (identifiers come from specs, never from data); values stay bound parameters."""

    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in identifiers:
            raise ValueError(f"monitor/sql/{name} names {{{{ {key} }}}}, which was not given")
        return quote(identifiers[key])

    return _IDENTIFIER.sub(substitute, _sql_file(name)).strip().rstrip(";")


def records(reader: WarehouseReader, query: str, params: list | None = None) -> list[dict[str, Any]]:
    frame = reader.query(query, params or [])
    return [{k: json_safe(v) for k, v in row.items()} for row in frame.to_dict("records")]


def scalar(reader: WarehouseReader, query: str, params: list | None = None) -> Any:
    """The first column of the first row, JSON-safe (None for NULL, NaT and no row)."""
    frame = reader.query(query, params or [])
    return json_safe(frame.iloc[0, 0]) if len(frame) else None


def utc(moment: Any) -> dt.datetime | None:
    """Timestamps in the warehouse and snapshot info are naive UTC."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if hasattr(moment, "to_pydatetime"):
        moment = moment.to_pydatetime()
    if not isinstance(moment, dt.datetime):
        return None
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


def as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return None


def plural(n: int, noun: str, many: str | None = None) -> str:
    return f"{n} {noun if n == 1 else many or noun + 's'}"
