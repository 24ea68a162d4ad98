"""Evaluate one check against a warehouse: pure SQL on DuckDB, no Dagster.

`evaluate(target, check, scope)` renders the check's SQL for a scope (None for a full
sweep, a set of partition keys, or a `KeyRange`), runs it once with bound parameters,
and returns a `CheckOutcome`: passed, failed row count, up to five JSON-safe sample rows
and a message that names them ("3 rows with open/close outside [low, high]:
000001.SZ 2024-06-03 (open 10.2 high 9.8 ...); ...").

The SQL template language is deliberately tiny. Identifiers come only from specs:
    {{ table }}                  the check's own table (quoted)
    {{ table:<api_name> }}       another dataset's table
    {{ scope }}                  the scope predicate on the check's scope column
    {{ scope(expr) }}            the same predicate on another expression
    {{ scope_lookback(expr, N) }} the scope widened N days back (per-date scopes)
    {{ scoped }}                 TRUE when the run is scoped, else FALSE
    {{ <name> }}                 a snippet from CheckSpec.template
Values are bound, never formatted: $threshold, $today, $as_of, $scope_lo, $scope_hi,
$scope_keys and the check's own params.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from twilight_assets.checks.definitions import CheckSpec, ScopeKind, quote
from twilight_assets.errors import WarehouseError
from twilight_assets.freshness import due_dates
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.ledger import canonical_partition
from twilight_assets.warehouse.values import Queryable

MAX_SAMPLES = 5
NOT_EVALUATED = "not evaluated"
"""How a result that judged nothing (an empty table) begins its message. quality_log keeps
such a result as passed, so readers (the monitor) tell it from a real pass by this."""
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*(?::\s*([a-z_]+)|\(([^)]*)\))?\s*\}\}")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_FAILED_ROWS = "__failed_rows"


Target = duckdb.DuckDBPyConnection | Queryable


@dataclass(frozen=True)
class KeyRange:
    """A contiguous range of partition keys, as a single-run backfill names it."""

    start: str
    end: str

    def __str__(self) -> str:
        return f"{self.start}..{self.end}"


Scope = KeyRange | frozenset[str] | set[str] | list[str] | tuple[str, ...] | None


class CheckScopeError(WarehouseError, ValueError):
    """A scope that does not fit the check's dataset (a stock code for a per-date one)."""


@dataclass(frozen=True)
class CheckOutcome:
    check: CheckSpec
    passed: bool
    evaluated: bool
    """False when a peer (or the table itself) was empty: passed, with the reason."""
    metric: float | None
    failed_rows: int
    samples: list[dict[str, Any]]
    message: str
    scope: str | None
    """The partition key or range judged; None for a full sweep."""
    duration_s: float

    @property
    def severity(self) -> str:
        return self.check.severity.value

    @property
    def threshold(self) -> float | None:
        return self.check.threshold


@dataclass(frozen=True)
class RenderedCheck:
    sql: str
    params: list[Any]


# -- scope ------------------------------------------------------------------------------


def normalize_scope(check: CheckSpec, scope: Scope) -> KeyRange | frozenset[str] | None:
    """Canonical keys for the check's dataset; None when the check ignores scope."""
    if scope is None or check.scope_kind is ScopeKind.NONE:
        return None
    try:
        if isinstance(scope, KeyRange):
            return KeyRange(
                canonical_partition(check.asset, scope.start),
                canonical_partition(check.asset, scope.end),
            )
        keys = frozenset(canonical_partition(check.asset, k) for k in scope)
    except ValueError as exc:
        raise CheckScopeError(f"check {check.name} on {check.asset}: {exc}") from exc
    if not keys:
        raise CheckScopeError(f"check {check.name} on {check.asset}: an empty scope judges nothing")
    return keys


def scope_label(scope: KeyRange | frozenset[str] | None) -> str | None:
    """How quality_log names a scope: one key, or 'first..last'."""
    if scope is None:
        return None
    if isinstance(scope, KeyRange):
        return str(scope)
    ordered = sorted(scope)
    return ordered[0] if len(ordered) == 1 else f"{ordered[0]}..{ordered[-1]}"


def _bounds(kind: ScopeKind, scope: KeyRange | frozenset[str]) -> tuple[str, str]:
    lo, hi = (scope.start, scope.end) if isinstance(scope, KeyRange) else (min(scope), max(scope))
    if kind is ScopeKind.YEAR:
        return f"{lo}-01-01", f"{hi}-12-31"
    return lo, hi


def _scope_predicate(
    kind: ScopeKind, scope: KeyRange | frozenset[str] | None, expr: str, lookback_days: int = 0
) -> str:
    if scope is None or kind is ScopeKind.NONE:
        return "TRUE"
    # The range lets DuckDB skip row groups by zone map (tables are written partition by
    # partition, so rows cluster by their scope column); the key list, joined as a
    # semi-join rather than scanned per row, keeps exactly the run's keys.
    if kind is ScopeKind.TEXT:
        between = f"{expr} BETWEEN $scope_lo AND $scope_hi"
        if isinstance(scope, KeyRange):
            return f"({between})"
        return f"({between} AND {expr} IN (SELECT unnest($scope_keys)))"
    lo = "CAST($scope_lo AS DATE)"
    if lookback_days:
        lo = f"{lo} - INTERVAL {int(lookback_days)} DAY"
    between = f"{expr} BETWEEN {lo} AND CAST($scope_hi AS DATE)"
    if isinstance(scope, KeyRange) or lookback_days:
        return f"({between})"
    if kind is ScopeKind.YEAR:
        return f"({between} AND year({expr}) IN (SELECT CAST(unnest($scope_keys) AS INTEGER)))"
    return f"({between} AND {expr} IN (SELECT CAST(unnest($scope_keys) AS DATE)))"


# -- rendering --------------------------------------------------------------------------


def render(
    check: CheckSpec, scope: Scope = None, *, now: dt.datetime | None = None
) -> RenderedCheck:
    """The check's SQL for `scope`, with positional parameters ($1, $2, ...)."""
    keys = normalize_scope(check, scope)
    column = check.scope_column

    def substitute(match: re.Match[str]) -> str:
        name, table_of, args = match.group(1), match.group(2), match.group(3)
        if name == "table":
            return quote(REGISTRY[table_of].table) if table_of else quote(check.table)
        if name == "scoped":
            return "TRUE" if keys is not None else "FALSE"
        if name == "scope":
            expr = args.strip() if args else quote(column or "")
            return _scope_predicate(check.scope_kind, keys, expr)
        if name == "scope_lookback":
            expr, _, days = (args or "").rpartition(",")
            return _scope_predicate(check.scope_kind, keys, expr.strip(), int(days))
        if name in check.template:
            return check.template[name]
        raise ValueError(f"check {check.name}: {check.sql_file} uses unknown {{{{ {name} }}}}")

    sql = _PLACEHOLDER.sub(substitute, check.sql_template).strip().rstrip(";")
    today, as_of = due_dates(now)
    values: dict[str, Any] = {"threshold": check.threshold, "today": today, "as_of": as_of}
    if keys is not None:
        values["scope_lo"], values["scope_hi"] = _bounds(check.scope_kind, keys)
        if not isinstance(keys, KeyRange):
            values["scope_keys"] = sorted(keys)
    values.update(check.params)

    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ValueError(f"check {check.name}: {check.sql_file} binds unknown ${name}")
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    sql = _PARAM.sub(number, sql)
    return RenderedCheck(sql=sql, params=[values[n] for n in order])


def _wrapped(sql: str) -> str:
    """One query that counts every failing row and returns the first few."""
    return (
        f"WITH failing AS MATERIALIZED (\n{sql}\n),\n"
        f"total AS (SELECT count(*) AS {_FAILED_ROWS} FROM failing)\n"
        f"SELECT total.{_FAILED_ROWS}, sample.* FROM total\n"
        f"LEFT JOIN (SELECT * FROM failing LIMIT {MAX_SAMPLES}) AS sample ON TRUE"
    )


# -- evaluation -------------------------------------------------------------------------


def run_query(target: Target, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    """A DataFrame from a DuckDB connection, a WarehouseWriter or a WarehouseReader."""
    if isinstance(target, duckdb.DuckDBPyConnection):
        return target.execute(sql, params or []).df()
    return target.query(sql, params or [])


def _empty_tables(target: Target, check: CheckSpec) -> list[str]:
    apis = tuple(dict.fromkeys(check.requires + ((check.asset,) if check.skip_if_empty else ())))
    if not apis:
        return []
    tables = [REGISTRY[a].table for a in apis]
    probes = ", ".join(
        f"NOT EXISTS (SELECT 1 FROM {quote(t)}) AS {quote(t)}" for t in tables
    )
    row = run_query(target, f"SELECT {probes}").iloc[0]
    return [t for t in tables if bool(row[t])]


def evaluate(
    target: Target, check: CheckSpec, scope: Scope = None, *, now: dt.datetime | None = None
) -> CheckOutcome:
    """Run `check` over `scope` (None: the whole table) and say what failed."""
    started = time.perf_counter()
    keys = normalize_scope(check, scope)
    label = scope_label(keys)
    try:
        empty = _empty_tables(target, check)
        if empty:
            return CheckOutcome(
                check=check, passed=True, evaluated=False, metric=None, failed_rows=0,
                samples=[], message=f"{NOT_EVALUATED}: {', '.join(empty)} is empty",
                scope=label, duration_s=time.perf_counter() - started,
            )
        rendered = render(check, keys, now=now)
        frame = run_query(target, _wrapped(rendered.sql), rendered.params)
    except duckdb.Error as exc:
        raise WarehouseError(
            f"check {check.name} on {check.asset} ({check.sql_file}), scope {label or 'all'}: {exc}"
        ) from exc
    failed_rows = int(frame[_FAILED_ROWS].iloc[0])
    samples = _samples(frame) if failed_rows else []
    return CheckOutcome(
        check=check,
        passed=failed_rows == 0,
        evaluated=True,
        metric=_metric(samples, failed_rows, frame),
        failed_rows=failed_rows,
        samples=samples,
        message=_message(check, failed_rows, samples, label),
        scope=label,
        duration_s=time.perf_counter() - started,
    )


def _metric(samples: list[dict[str, Any]], failed_rows: int, frame: pd.DataFrame) -> float | None:
    """The worst row's `metric` when the check computes one, else the failing row count."""
    if "metric" not in frame.columns:
        return float(failed_rows)
    if not samples or samples[0].get("metric") is None:
        return None
    return float(samples[0]["metric"])


_IRREGULAR = {"index": "indexes"}


def _plural(noun: str, n: int) -> str:
    if n == 1:
        return noun
    return _IRREGULAR.get(noun, noun + ("es" if noun.endswith("s") else "s"))


def _name_row(check: CheckSpec, row: dict[str, Any]) -> str:
    label = " ".join(str(row[c]) for c in check.label_columns if c in row)
    detail = row.get("detail")
    return f"{label} ({detail})" if detail else label


def _message(
    check: CheckSpec, failed_rows: int, samples: list[dict[str, Any]], scope: str | None
) -> str:
    where = f" in {scope}" if scope else ""
    if not failed_rows:
        return f"passed{where}: no {_plural(check.noun, 2)} {check.failure}"
    named = "; ".join(_name_row(check, s) for s in samples)
    more = "; ..." if failed_rows > len(samples) else ""
    return f"{failed_rows} {_plural(check.noun, failed_rows)} {check.failure}{where}: {named}{more}"


def _samples(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame.drop(columns=[_FAILED_ROWS]).head(MAX_SAMPLES)
    return [{str(k): json_safe(v) for k, v in row.items()} for row in rows.to_dict("records")]


def json_safe(value: Any) -> Any:
    """Dates as ISO strings, numpy scalars as Python, NaN/NaT as None."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None and value == value.normalize():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float, Decimal)):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value if isinstance(value, (str, int)) else str(value)


def to_record(
    outcome: CheckOutcome, *, run_id: str | None, evaluated_at: dt.datetime | None = None
):
    """The quality_log row for an outcome (warehouse.quality.CheckRecord)."""
    from twilight_assets.warehouse.quality import CheckRecord

    return CheckRecord(
        run_id=run_id,
        asset=outcome.check.asset,
        check_name=outcome.check.name,
        partition=outcome.scope,
        severity=outcome.severity,
        passed=outcome.passed,
        metric=outcome.metric,
        threshold=outcome.threshold,
        failed_rows=outcome.failed_rows,
        samples=outcome.samples,
        message=outcome.message,
        evaluated_at=evaluated_at or dt.datetime.now(dt.timezone.utc),
    )
