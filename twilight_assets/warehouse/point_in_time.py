"""Research reads without look-ahead or survivorship bias, as DataFrames.

Each method is a thin, validated call of a table macro that lives in the warehouse
(sql/07_point_in_time.sql), so a notebook through `WarehouseReader` and any other DuckDB
client on a snapshot get the same answer. Dates are `datetime.date`, ISO strings or
anything pandas reads as a day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterable, Sequence

import pandas as pd

from twilight_assets.specs import REGISTRY, Family
from twilight_assets.warehouse.values import quote

FUNDAMENTAL_DATASETS = tuple(s.api_name for s in REGISTRY.values() if s.family is Family.FINANCIAL)
ADJUSTMENTS = (None, "qfq", "hfq")
EXCHANGES = ("SSE", "SZSE", "BSE")
_FAR_FUTURE = dt.date(9999, 12, 31)


class PointInTimeReads:
    """Mixed into WarehouseReader: uses only its `query(sql, params)`."""

    query: Callable[..., pd.DataFrame]

    def fundamentals(
        self,
        dataset: str,
        ts_codes: Iterable[str] | str | None = None,
        as_of: Any = None,
        fields: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """For each stock, period (and report type) the latest version of `dataset`
        announced on or before `as_of` (by f_ann_date, else ann_date, inclusive), never a
        later one; `as_of` None: every version the warehouse knows. `fields` narrows the
        columns; the identifying ones (ts_code, end_date, report_type, the announcement
        dates, update_flag) always come along."""
        if dataset not in FUNDAMENTAL_DATASETS:
            raise ValueError(f"fundamentals: {dataset!r} is not one of {', '.join(FUNDAMENTAL_DATASETS)}")
        spec = REGISTRY[dataset]
        columns = _columns(dataset, spec.field_names, fields)
        day = _FAR_FUTURE if as_of is None else _day(as_of, "as_of")
        sql = f"SELECT {columns} FROM {dataset}_as_of(?)"
        params: list[Any] = [day]
        codes = _codes(ts_codes)
        if codes is not None:
            sql += " WHERE list_contains(?, ts_code)"
            params.append(codes)
        order = [c for c in ("ts_code", "end_date", "report_type") if c in spec.field_names]
        return self.query(f"{sql} ORDER BY {', '.join(order)}", params)

    def prices(
        self,
        ts_codes: Iterable[str] | str | None,
        start: Any,
        end: Any,
        adjust: str | None = None,
        as_of: Any = None,
    ) -> pd.DataFrame:
        """Daily bars of `ts_codes` (None: every stock) from `start` to `end`, unadjusted,
        'hfq' (price x adj_factor) or 'qfq' (relative to the factor known on `as_of`,
        default the latest). With `as_of`, nothing after it is returned: a backtest at D
        sees what it would have seen at D. Suspended days are absent, not filled."""
        if adjust not in ADJUSTMENTS:
            raise ValueError(f"prices: adjust must be None, 'qfq' or 'hfq', not {adjust!r}")
        first, last = _day(start, "start"), _day(end, "end")
        if first > last:
            raise ValueError(f"prices: start {first} is after end {last}")
        known = None if as_of is None else _day(as_of, "as_of")
        return self.query(
            "SELECT * FROM prices(?, ?, ?, ?, ?)",
            [first, last, adjust, known, _codes(ts_codes)],
        )

    def universe(self, day: Any, exchange: str | None = None) -> pd.DataFrame:
        """The stocks listed on `day` (list_date <= day, not delisted on or before it), from
        the listed, delisted and paused lists: no survivorship bias. `exchange`: SSE,
        SZSE or BSE."""
        if exchange is not None and exchange not in EXCHANGES:
            raise ValueError(f"universe: exchange must be one of {', '.join(EXCHANGES)}, not {exchange!r}")
        return self.query("SELECT * FROM universe(?, ?)", [_day(day, "day"), exchange])

    def index_members(self, index_code: str, day: Any) -> pd.DataFrame:
        """Constituents and weights (percent) of `index_code` in force on `day`: the index's
        latest published weights on or before it. Empty before its first publication."""
        return self.query("SELECT * FROM index_members(?, ?)", [index_code, _day(day, "day")])


def _day(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}: not a day: {value!r}") from exc


def _codes(ts_codes: Iterable[str] | str | None) -> list[str] | None:
    if ts_codes is None:
        return None
    return [ts_codes] if isinstance(ts_codes, str) else list(ts_codes)


_IDENTITY = ("ts_code", "end_date", "report_type", "ann_date", "f_ann_date", "update_flag")


def _columns(dataset: str, documented: tuple[str, ...], fields: Sequence[str] | None) -> str:
    if fields is None:
        return "*"
    unknown = [f for f in fields if f not in documented]
    if unknown:
        raise ValueError(f"fundamentals: {dataset} has no field(s) {', '.join(unknown)}")
    wanted = [c for c in _IDENTITY if c in documented] + [f for f in fields if f not in _IDENTITY]
    return ", ".join(quote(c) for c in [*wanted, "source"])
