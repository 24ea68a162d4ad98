"""Fault injection: what can go wrong with Tushare, on demand.

A fault applies to calls that match it (api_name, and every key of `match` equal to the
call's parameter), to the first `times` of them, or to each with probability `rate`
(seeded, so a run repeats), or to all of them while it is registered.

Three families:
- transport: the call fails before any data (HTTP 500/502, a hang past the client's
  timeout, an empty body, malformed JSON, Tushare's 40203 throttling message);
- schema: the page's columns or cells break the documented shape (a required field
  missing, an extra field, a null key, non-numeric text in a float field, byte-identical
  duplicate rows), or narrow it as an older account sees it (essential_only: only the
  fields the spec requires, every optional one left out);
- data: values that parse fine but are wrong in a way a quality check must catch.
Schema and data faults act on the page being served, so paging offsets stay those of
the clean data. Every application is recorded in the server's fault_log.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import numpy as np
import pandas as pd

from twilight_assets.specs import get_spec

TRANSPORT_KINDS = frozenset({"http_500", "http_502", "timeout", "empty_body", "malformed_json", "throttle"})
SCHEMA_KINDS = frozenset(
    {"missing_field", "extra_field", "null_key", "wrong_type", "duplicate_rows", "essential_only"}
)
FINANCIAL_REPORT_APIS = ("income", "balancesheet", "cashflow", "fina_indicator")
# Which APIs each data fault can act on (used when the fault names none).
DATA_KIND_APIS: dict[str, tuple[str, ...]] = {
    "revised_values": FINANCIAL_REPORT_APIS,
    "duplicate_revision": FINANCIAL_REPORT_APIS,
    "ohlc_violation": ("daily", "weekly", "monthly", "index_daily"),
    "missing_day": ("daily", "daily_basic", "adj_factor", "index_daily", "index_dailybasic"),
    "rows_on_closed_day": ("daily", "daily_basic", "adj_factor", "index_daily", "index_dailybasic"),
    "adj_factor_gap": ("adj_factor", "daily"),
    "weights_not_100": ("index_weight",),
    "identity_broken": ("balancesheet",),
    "pit_reversed": ("income", "balancesheet", "cashflow", "fina_indicator", "forecast", "express"),
    "unknown_ts_code": ("daily", "daily_basic", "adj_factor", "weekly", "monthly"),
}
DATA_KINDS = frozenset(DATA_KIND_APIS)
ALL_KINDS = TRANSPORT_KINDS | SCHEMA_KINDS | DATA_KINDS
EXTRA_FIELD = "sim_undocumented"
WRONG_TYPE_VALUE = "N/A"


@dataclass
class Fault:
    kind: str
    api_name: str | None = None
    rate: float | None = None
    times: int | None = None
    match: dict | None = None
    delay: float = 5.0
    """timeout: seconds to hang before answering (set it past the client's timeout)."""
    field: str | None = None
    """missing_field / wrong_type / extra_field: which column (default: chosen per API;
    missing_field's is the last required field that is not a key)."""
    window: str = "minute"
    """throttle: minute, hour or day, as in Tushare's message."""
    applied: int = 0
    _rng: random.Random = dataclass_field(default_factory=lambda: random.Random(0), repr=False)

    def __post_init__(self) -> None:
        if self.kind not in ALL_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(sorted(ALL_KINDS))}")
        if self.rate is not None and not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault {self.kind}: rate must be within [0, 1], got {self.rate}")
        if self.window not in ("minute", "hour", "day"):
            raise ValueError(f"fault {self.kind}: window must be minute, hour or day")

    @property
    def family(self) -> str:
        if self.kind in TRANSPORT_KINDS:
            return "transport"
        return "schema" if self.kind in SCHEMA_KINDS else "data"

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.applied >= self.times

    def targets(self, api_name: str, params: dict) -> bool:
        """Whether this call is one the fault is aimed at (before rate and times)."""
        if self.api_name is not None and self.api_name != api_name:
            return False
        if self.api_name is None and self.family == "data" and api_name not in DATA_KIND_APIS[self.kind]:
            return False
        for key, value in (self.match or {}).items():
            if str(params.get(key)) != str(value):
                return False
        return True


class FaultBook:
    """The registered faults; thread-safe, since handler threads consult it at once."""

    def __init__(self, seed: int) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._seed = seed

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault._rng = random.Random(self._seed * 7919 + len(self._faults))
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pick(self, family: str, api_name: str, params: dict) -> list[Fault]:
        """The faults of a family that fire on this call (transport: at most one).
        Firing counts against `times` only once the fault is actually applied."""
        chosen = []
        with self._lock:
            for fault in self._faults:
                if fault.family != family or fault.exhausted or not fault.targets(api_name, params):
                    continue
                if fault.rate is not None and fault._rng.random() >= fault.rate:
                    continue
                chosen.append(fault)
                if family == "transport":
                    break
        return chosen

    def mark(self, fault: Fault) -> None:
        with self._lock:
            fault.applied += 1


# -- data faults: DataFrame (all fields) in, DataFrame out, plus what changed -------------------
def apply_data_fault(fault: Fault, api_name: str, page: pd.DataFrame, ctx) -> tuple[pd.DataFrame, dict] | None:
    """Apply one data fault to a page; None if the page has nothing it can act on."""
    if page.empty and fault.kind != "rows_on_closed_day":
        return None
    fn = _DATA_FAULTS[fault.kind]
    return fn(api_name, page.copy(), ctx)


def _key(row: pd.Series, api_name: str) -> dict:
    return {k: row[k] for k in get_spec(api_name).key_fields if k in row.index}


def _ohlc_violation(api_name, page, ctx):
    r = 0
    page.loc[r, "high"] = round(float(page.loc[r, "low"]) - 0.01, 2)
    return page, {"rows": [_key(page.iloc[r], api_name)], "high": page.loc[r, "high"], "low": page.loc[r, "low"]}


def _missing_day(api_name, page, ctx):
    dates = sorted(set(page["trade_date"]))
    return page.iloc[0:0].copy(), {"rows_dropped": len(page), "trade_dates": dates}


def _rows_on_closed_day(api_name, page, ctx):
    if page.empty:
        return None
    first_date = page["trade_date"].iloc[0]
    closed = ctx.closed_weekday_near(dt.datetime.strptime(str(first_date), "%Y%m%d").date())
    # Rows of one day only, so the copies never share a key with each other.
    extra = page[page["trade_date"] == first_date].head(3).copy()
    extra["trade_date"] = closed.strftime("%Y%m%d")
    out = pd.concat([extra, page], ignore_index=True)
    return out, {"closed_day": closed.strftime("%Y%m%d"), "rows": [_key(r, api_name) for _, r in extra.iterrows()]}


def _report_columns(page):
    skip = {"ts_code", "ann_date", "f_ann_date", "end_date", "report_type", "comp_type", "end_type", "update_flag"}
    return [c for c in page.columns if c not in skip and pd.api.types.is_numeric_dtype(page[c]) and page[c].notna().any()]


def _report_key(page: pd.DataFrame) -> pd.Series:
    return page["ts_code"].astype(str) + "|" + page["end_date"].astype(str)


def _revised_values(api_name, page, ctx):
    """An unrevised report comes back as an original (0) and a revision (1) with other
    values but the same announcement dates: which one held when is unknowable."""
    keys = _report_key(page)
    single = np.flatnonzero(~keys.duplicated(keep=False).to_numpy())
    if len(single) == 0:
        return None
    r = int(single[0])
    original = page.iloc[[r]].copy()
    revision = original.copy()
    original["update_flag"] = "0"
    cols = _report_columns(revision)
    revision[cols] = revision[cols] * 1.05
    out = pd.concat([page.iloc[:r], original, revision, page.iloc[r + 1 :]], ignore_index=True)
    return out, {"rows": [_key(original.iloc[0], api_name)], "columns_changed": len(cols)}


def _duplicate_revision(api_name, page, ctx):
    """A second update_flag 1 row for a report, with other values."""
    latest = np.flatnonzero((page["update_flag"] == "1").to_numpy())
    if len(latest) == 0:
        return None
    r = int(latest[0])
    twin = page.iloc[[r]].copy()
    cols = _report_columns(twin)
    twin[cols] = twin[cols] * 0.97
    out = pd.concat([page.iloc[: r + 1], twin, page.iloc[r + 1 :]], ignore_index=True)
    return out, {"rows": [_key(twin.iloc[0], api_name)], "update_flag_1_rows": 2}


def _adj_factor_gap(api_name, page, ctx):
    r = 0
    key = _key(page.iloc[r], api_name)
    if api_name == "adj_factor":
        # A stock that trades that day (it has a daily row) loses its factor row.
        trading = [k for k in range(len(page)) if ctx.trades(page["ts_code"].iloc[k], page["trade_date"].iloc[k])]
        if not trading:
            return None
        r = trading[0]
        key = _key(page.iloc[r], api_name)
        return page.drop(index=page.index[r]).reset_index(drop=True), {"rows": [key], "variant": "adj_factor row missing"}
    # daily: pre_close moves off the previous close on a day the factor did not change.
    pre = round(float(page.loc[r, "pre_close"]) + 0.05, 2)
    page.loc[r, "pre_close"] = pre
    page.loc[r, "change"] = round(float(page.loc[r, "close"]) - pre, 2)
    page.loc[r, "pct_chg"] = round((float(page.loc[r, "close"]) / pre - 1) * 100, 4)
    return page, {"rows": [key], "variant": "pre_close off previous close", "pre_close": pre}


def _weights_not_100(api_name, page, ctx):
    first = page[(page["index_code"] == page["index_code"].iloc[0]) & (page["trade_date"] == page["trade_date"].iloc[0])]
    page.loc[first.index[0], "weight"] = round(float(page.loc[first.index[0], "weight"]) + 1.5, 2)
    total = round(float(page.loc[first.index, "weight"].sum()), 2)
    return page, {"rows": [_key(page.loc[first.index[0]], api_name)], "sum": total}


def _identity_broken(api_name, page, ctx):
    r = 0
    page.loc[r, "total_assets"] = float(page.loc[r, "total_assets"]) + 1_000_000.0
    return page, {"rows": [_key(page.iloc[r], api_name)], "total_assets": page.loc[r, "total_assets"],
                  "total_liab_hldr_eqy": page.loc[r, "total_liab_hldr_eqy"]}


def _shift(yyyymmdd: str, days: int) -> str:
    return (dt.datetime.strptime(yyyymmdd, "%Y%m%d").date() + dt.timedelta(days=days)).strftime("%Y%m%d")


def _pit_reversed(api_name, page, ctx):
    r = 0
    if "f_ann_date" in page.columns:
        page.loc[r, "f_ann_date"] = _shift(str(page.loc[r, "ann_date"]), -5)
        detail = {"variant": "f_ann_date before ann_date", "f_ann_date": page.loc[r, "f_ann_date"]}
    else:
        page.loc[r, "ann_date"] = _shift(str(page.loc[r, "end_date"]), -10)
        detail = {"variant": "ann_date before end_date", "ann_date": page.loc[r, "ann_date"]}
    return page, {"rows": [_key(page.iloc[r], api_name)], **detail}


def _unknown_ts_code(api_name, page, ctx):
    extra = page.head(1).copy()
    extra["ts_code"] = ctx.unknown_code()
    out = pd.concat([page, extra], ignore_index=True)
    return out, {"rows": [_key(extra.iloc[0], api_name)]}


_DATA_FAULTS = {
    "revised_values": _revised_values,
    "duplicate_revision": _duplicate_revision,
    "ohlc_violation": _ohlc_violation,
    "missing_day": _missing_day,
    "rows_on_closed_day": _rows_on_closed_day,
    "adj_factor_gap": _adj_factor_gap,
    "weights_not_100": _weights_not_100,
    "identity_broken": _identity_broken,
    "pit_reversed": _pit_reversed,
    "unknown_ts_code": _unknown_ts_code,
}


# -- schema faults: the wire page (fields, items) in and out -----------------------------------
def apply_schema_fault(fault: Fault, api_name: str, fields: list[str], items: list[list]) -> tuple[list[str], list[list], dict] | None:
    spec = get_spec(api_name)
    if fault.kind == "missing_field":
        non_key = [f for f in fields if f not in spec.key_fields]
        essential = [f for f in non_key if f in spec.required_fields]
        candidates = essential or non_key or fields
        name = fault.field or (candidates[-1] if candidates else None)
        if name is None or name not in fields:
            return None
        k = fields.index(name)
        return fields[:k] + fields[k + 1 :], [row[:k] + row[k + 1 :] for row in items], {"field": name, "rows_affected": len(items)}
    if fault.kind == "essential_only":
        required = set(spec.required_fields)
        keep = [k for k, name in enumerate(fields) if name in required]
        dropped = [name for name in fields if name not in required]
        return ([fields[k] for k in keep], [[row[k] for k in keep] for row in items],
                {"fields_dropped": dropped, "rows_affected": len(items)})
    if fault.kind == "extra_field":
        name = fault.field or EXTRA_FIELD
        return fields + [name], [row + ["x"] for row in items], {"field": name, "rows_affected": len(items)}
    if not items:
        return None
    if fault.kind == "null_key":
        keys = [f for f in spec.key_fields if f in fields]
        if not keys:
            return None
        k = fields.index(keys[0])
        items[0][k] = None
        return fields, items, {"field": keys[0], "rows": 1, "rows_affected": 1}
    if fault.kind == "wrong_type":
        floats = [f.name for f in spec.fields if f.type == "float" and f.name in fields]
        name = fault.field or (floats[0] if floats else None)
        if name is None or name not in fields:
            return None
        items[0][fields.index(name)] = WRONG_TYPE_VALUE
        return fields, items, {"field": name, "value": WRONG_TYPE_VALUE, "rows": 1, "rows_affected": 1}
    if fault.kind == "duplicate_rows":
        n = min(3, len(items))
        doubled = []
        for k, row in enumerate(items):
            doubled.append(row)
            if k < n:
                doubled.append(list(row))
        return fields, doubled, {"rows": n, "rows_affected": n}
    return None


def choose_unknown_code(known: set[str]) -> str:
    """A well-formed A-share code that no stock in the universe has."""
    for number in np.arange(600000, 606000):
        code = f"{number:06d}.SH"
        if code not in known:
            return code
    return "699999.SH"
