"""Raw Tushare pages -> one typed DataFrame with exactly the spec's documented columns.

Column types (what every consumer may rely on):
  str   -> object, each value a str or None
  date  -> datetime64[ns], naive (Tushare sends YYYYMMDD strings)
  float -> float64
  int   -> Int64 (nullable)

Coercion is vectorized per column. What the spec requires is never a silent NaN: a
required field (key, partition column, essential; `DatasetSpec.required_fields`) missing
from a page is a `MissingFieldError`, a value that cannot be read as its type or a null in
a key column a `DataValidationError`. A documented field that is optional and missing
from a page is NULL on that page's rows and listed in `absent_fields`: Tushare documents
fields before every account, or every period, is served them. Undocumented extra fields
are dropped from the frame (the caller keeps them in the raw pages and reports them).
Duplicate rows are kept: the writer resolves them by the spec's rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from twilight_assets.errors import DataValidationError, MissingFieldError, SchemaMismatchError
from twilight_assets.specs import DatasetSpec

SAMPLE_ROWS = 5
"""How many offending rows an error quotes."""

_NUMERIC_KINDS = frozenset({"floating", "integer", "mixed-integer-float", "empty"})
_DATE_PATTERN = r"\d{8}"


@dataclass(frozen=True)
class Normalized:
    frame: pd.DataFrame
    fields: list[str]
    """Every field the source sent, in first-seen order."""
    extra_fields: list[str]
    """Fields the source sent that the spec does not document."""
    absent_fields: list[str]
    """Documented, optional fields missing from a page that named its fields (in spec
    order): NULL on that page's rows."""


def normalize(
    spec: DatasetSpec, partition_key: str | None, pages: Sequence[dict[str, Any]]
) -> Normalized:
    """Build the typed frame from pages of `{"params", "fields", "items"}`."""
    documented = list(spec.field_names)
    seen: dict[str, None] = {}
    absent: set[str] = set()
    parts: list[pd.DataFrame] = []
    for number, page in enumerate(pages, start=1):
        fields, items = list(page["fields"]), page["items"]
        seen.update(dict.fromkeys(fields))
        if not items and not fields:
            continue  # an empty answer may omit the field list; it holds no rows to type
        missing = _check_fields(spec, partition_key, number, fields, items)
        absent.update(missing)
        part = pd.DataFrame(items, columns=fields, dtype=object)
        # reindex adds the missing optional columns as nulls; _coerce types them.
        parts.append(part.reindex(columns=documented) if missing else part[documented])
    raw = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({name: pd.Series([], dtype=object) for name in documented})
    )
    frame = pd.DataFrame(
        {f.name: _coerce(spec, partition_key, raw, f.name, f.type) for f in spec.fields}
    )
    _check_keys(spec, partition_key, raw, frame)
    fields = list(seen)
    return Normalized(
        frame=frame,
        fields=fields,
        extra_fields=[f for f in fields if f not in set(documented)],
        absent_fields=[f for f in documented if f in absent],
    )


def empty_frame(spec: DatasetSpec) -> pd.DataFrame:
    """A zero-row frame with the spec's columns and types."""
    return normalize(spec, None, []).frame


def _check_fields(
    spec: DatasetSpec, partition_key: str | None, page: int, fields: list[str], items: list
) -> list[str]:
    """The page's shape is usable; returns the optional fields it lacks."""
    doubled = sorted({f for f in fields if fields.count(f) > 1})
    if doubled:
        raise SchemaMismatchError(
            f"page {page} names field(s) {', '.join(doubled)} more than once",
            api_name=spec.api_name, partition_key=partition_key,
        )
    named = set(fields)
    required = tuple(f for f in spec.required_fields if f not in named)
    if required:
        raise MissingFieldError(
            f"documented field(s) {', '.join(required)} missing from the response (page "
            f"{page} has {len(fields)} fields): required (key, partition or essential), so "
            "the partition is not written",
            fields=required, api_name=spec.api_name, partition_key=partition_key,
        )
    # pandas pads short rows with nulls, so ragged rows must be caught here (map(len)
    # runs in C, not a Python loop per row).
    widths = set(map(len, items))
    if widths - {len(fields)}:
        raise SchemaMismatchError(
            f"page {page} has rows of {sorted(widths)} values for {len(fields)} fields",
            api_name=spec.api_name, partition_key=partition_key,
        )
    return [f for f in spec.optional_fields if f not in named]


def _coerce(
    spec: DatasetSpec, partition_key: str | None, raw: pd.DataFrame, name: str, kind: str
) -> pd.Series:
    values = raw[name]
    present = values.notna() & ~_is_blank(values)
    if kind == "str":
        out, bad = _as_str(values)
    elif kind == "date":
        out, bad = _as_date(values, present)
    elif kind == "float":
        out, bad = _as_number(values, present)
    elif kind == "int":
        number, bad = _as_number(values, present)
        bad |= present & number.notna() & (number % 1 != 0)
        out = number.where(~bad).astype("Int64")
    else:
        raise ValueError(f"{spec.api_name}.{name}: unknown field type {kind!r}")
    if bad.any():
        raise DataValidationError(
            f"field {name}: {int(bad.sum())} value(s) cannot be read as {kind}: "
            + _samples(spec, raw, bad, name),
            api_name=spec.api_name, partition_key=partition_key,
        )
    return out


def _is_blank(values: pd.Series) -> pd.Series:
    # Elementwise on object columns: only a real empty string equals "".
    return values.astype(object).eq("").astype(bool)


def _as_str(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    out = values.astype(object).where(values.notna(), None)
    if infer_dtype(out, skipna=True) in {"string", "empty"}:
        return out, pd.Series(False, index=values.index)
    # A number where text belongs (a code like 000001 read as 1) is corruption, not
    # something to stringify: report it.
    bad = out.notna() & out.map(lambda v: not isinstance(v, str))
    return out, bad.astype(bool)


def _as_date(values: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = values.astype(object).where(present, None)
    if infer_dtype(text, skipna=True) in {"string", "empty"}:
        is_text = present
    else:  # rare path: numbers where a YYYYMMDD string belongs
        is_text = present & text.map(lambda v: isinstance(v, str)).astype(bool)
    # to_datetime's %Y%m%d also accepts 7-digit strings; Tushare dates are exactly 8.
    shaped = text.where(is_text, "").str.fullmatch(_DATE_PATTERN).astype(bool)
    parsed = pd.to_datetime(text.where(shaped, None), format="%Y%m%d", errors="coerce")
    out = parsed.astype("datetime64[ns]")
    return out, present & out.isna()


def _as_number(values: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    kept = values.astype(object).where(present, None)
    if infer_dtype(kept, skipna=True) in _NUMERIC_KINDS:
        out = pd.to_numeric(kept, errors="coerce").astype("float64")
        return out, present & out.isna()
    # Rare path (text, booleans): numeric text such as "1" is accepted (trade_cal sends
    # is_open either way), booleans are not numbers even though Python says they are.
    booleans = kept.map(lambda v: isinstance(v, (bool, np.bool_))).astype(bool)
    out = pd.to_numeric(kept.where(~booleans, None), errors="coerce").astype("float64")
    return out, present & (out.isna() | booleans)


def _check_keys(
    spec: DatasetSpec, partition_key: str | None, raw: pd.DataFrame, frame: pd.DataFrame
) -> None:
    for name in spec.key_fields:
        column = frame[name]
        missing = column.isna()
        if column.dtype == object:
            missing |= _is_blank(column)
        if missing.any():
            raise DataValidationError(
                f"key field {name} is null in {int(missing.sum())} row(s): "
                + _samples(spec, raw, missing, name),
                api_name=spec.api_name, partition_key=partition_key,
            )


def _samples(spec: DatasetSpec, raw: pd.DataFrame, bad: pd.Series, name: str) -> str:
    """'row 3 (ts_code=..., trade_date=...): value' for the first few offending rows."""
    rows = np.flatnonzero(bad.to_numpy())
    context = [k for k in spec.key_fields if k != name]
    quoted = []
    for row in rows[:SAMPLE_ROWS]:
        where = ", ".join(f"{k}={raw[k].iat[row]!r}" for k in context)
        quoted.append(f"row {row}" + (f" ({where})" if where else "") + f": {raw[name].iat[row]!r}")
    more = f" and {len(rows) - SAMPLE_ROWS} more" if len(rows) > SAMPLE_ROWS else ""
    return "; ".join(quoted) + more
