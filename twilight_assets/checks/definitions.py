"""The quality check registry: every check is data.

A `CheckSpec` names a check (`<what>_<table>`), the asset (api_name) it judges, its kind
and severity, whether a failure blocks downstream assets, the SQL file in `checks/sql/`
that returns the FAILING rows, how a run's partitions scope it, and a threshold where
one applies. Generic checks (keys, nulls, domains) are produced from the dataset specs;
the rest are listed by hand below. Neither the runner nor the Dagster factory knows any
check by name.

Cross-table checks tolerate an empty peer table: the runner reports them "not
evaluated: <peer> is empty" (passed, with a clear message) instead of failing, because a
dataset that has not been ingested yet is not bad data in the table being judged. Where
a peer may be partly loaded (adj_factor for some days only), the SQL itself judges only
the days or weeks the peer covers; see each file's header.

Freshness: a per-date dataset is fresh when its latest trade date is at least the latest
open day whose data is due by now; when a day is due is twilight_assets.freshness's rule
(PER_DATE_DUE, after the evening ingest and snapshot), shared with the Dagster freshness
policies and the monitor.

This module knows nothing of Dagster or DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Mapping

from twilight_assets.freshness import PER_DATE_DUE, TRADE_CAL_HORIZON_DAYS
from twilight_assets.specs import REGISTRY, DatasetSpec, EntityType, Grain

SQL_PACKAGE = "twilight_assets.checks"
SQL_DIR = "sql"

STOCK_CODE_PATTERN = r"^[0-9]{6}\.(SH|SZ|BJ)$"
"""A-share stock codes: six digits and the exchange suffix."""
INDEX_CODE_PATTERN = r"^[0-9A-Za-z]+\.[A-Z]+$"
"""Index codes vary by publisher (000300.SH, 801010.SI, H30533.CSI): code dot market."""


class CheckKind(StrEnum):
    INTEGRITY = "integrity"
    CALENDAR = "calendar"
    MARKET = "market"
    REFERENCE = "reference"
    FINANCIAL = "financial"
    FRESHNESS = "freshness"


class Severity(StrEnum):
    WARN = "WARN"
    ERROR = "ERROR"


class ScopeKind(StrEnum):
    """How a partition key maps onto the scope column."""

    DATE = "date"  # per_date: 'YYYY-MM-DD' keys on a DATE column
    TEXT = "text"  # per_entity: ts_code / index_code keys on a VARCHAR column
    YEAR = "year"  # per_date_year: 'YYYY' keys on the year of a DATE column
    NONE = "none"  # once: always the whole table


@dataclass(frozen=True)
class CheckSpec:
    name: str
    asset: str
    """The api_name (= asset key) whose data the check judges."""
    kind: CheckKind
    severity: Severity
    sql_file: str
    """File in checks/sql/ whose query returns the failing rows."""
    description: str
    noun: str
    """What one failing row is ("row", "day", "report"): "3 rows ...", "1 day ..."."""
    failure: str
    """What is wrong with a failing row, after the count: "with high < low"."""
    blocking: bool = False
    threshold: float | None = None
    scope_column: str | None = None
    """Column the run's partitions restrict; None: the check always judges the whole table."""
    scope_kind: ScopeKind = ScopeKind.NONE
    label_columns: tuple[str, ...] = ()
    """Columns of a failing row that name it in the message (plus its `detail`, if any)."""
    requires: tuple[str, ...] = ()
    """Peer datasets that must hold rows; if one is empty the check is not evaluated."""
    skip_if_empty: bool = True
    """An empty own table means "not evaluated" (freshness sets False: empty is stale)."""
    template: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Identifier snippets for the SQL template, built only from spec column names."""
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """Values bound as named parameters ($name) in the SQL; never formatted into it."""

    def __post_init__(self) -> None:
        if self.blocking and self.severity is not Severity.ERROR:
            raise ValueError(f"check {self.name}: only ERROR checks can block downstream")
        if self.asset not in REGISTRY:
            raise ValueError(f"check {self.name}: unknown asset {self.asset!r}")
        for peer in self.requires:
            if peer not in REGISTRY:
                raise ValueError(f"check {self.name}: unknown peer dataset {peer!r}")

    @property
    def dataset(self) -> DatasetSpec:
        return REGISTRY[self.asset]

    @property
    def table(self) -> str:
        return self.dataset.table

    @property
    def sql_template(self) -> str:
        return _read_sql(self.sql_file)


@cache
def _read_sql(name: str) -> str:
    return resources.files(SQL_PACKAGE).joinpath(SQL_DIR, name).read_text("utf-8")


def quote(identifier: str) -> str:
    """Quote an identifier taken from a spec (never from data)."""
    return '"' + identifier.replace('"', '""') + '"'


def scope_of(spec: DatasetSpec) -> tuple[str | None, ScopeKind]:
    """The column a partition key of `spec` restricts, and how."""
    if spec.grain is Grain.PER_DATE:
        return "trade_date", ScopeKind.DATE
    if spec.grain is Grain.PER_DATE_YEAR:
        return "cal_date", ScopeKind.YEAR
    if spec.grain is Grain.PER_ENTITY:
        return spec.partition_param or "ts_code", ScopeKind.TEXT
    return None, ScopeKind.NONE


def _check(
    name: str,
    asset: str,
    kind: CheckKind,
    severity: Severity,
    sql_file: str,
    description: str,
    *,
    noun: str = "row",
    failure: str,
    scoped: bool = True,
    label_columns: tuple[str, ...] | None = None,
    **kwargs: Any,
) -> CheckSpec:
    dataset = REGISTRY[asset]
    column, kind_ = scope_of(dataset) if scoped else (None, ScopeKind.NONE)
    labels = label_columns if label_columns is not None else dataset.key_fields
    template = MappingProxyType(dict(kwargs.pop("template", {})))
    params = MappingProxyType(dict(kwargs.pop("params", {})))
    return CheckSpec(
        name=name, asset=asset, kind=kind, severity=severity, sql_file=sql_file,
        description=description, noun=noun, failure=failure, scope_column=column,
        scope_kind=kind_, label_columns=labels, template=template, params=params, **kwargs,
    )


# -- generic checks, produced from the dataset specs ------------------------------------

# Columns without which a row is useless, beyond its key. Financial statements are
# sparse by nature (a bank has no inventory): only the announcement date is core there.
CORE_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "trade_cal": ("is_open",),
        "stock_basic": ("name", "list_date"),
        "index_basic": ("name",),
        "daily": ("open", "high", "low", "close", "pre_close", "vol", "amount"),
        "daily_basic": ("close",),
        "adj_factor": ("adj_factor",),
        "weekly": ("open", "high", "low", "close", "vol", "amount"),
        "monthly": ("open", "high", "low", "close", "vol", "amount"),
        "index_daily": ("open", "high", "low", "close"),
        "index_dailybasic": (),
        "index_weight": ("weight",),
        "income": ("ann_date",),
        "balancesheet": ("ann_date",),
        "cashflow": ("ann_date",),
        "fina_indicator": ("ann_date",),
        "forecast": (),
        "express": ("ann_date",),
    }
)

# (column, pattern) per dataset: codes that must look like codes.
CODE_COLUMNS: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        **{
            api: (("ts_code", STOCK_CODE_PATTERN),)
            for api in (
                "stock_basic", "daily", "daily_basic", "adj_factor", "weekly", "monthly",
                "income", "balancesheet", "cashflow", "fina_indicator", "forecast", "express",
            )
        },
        "index_basic": (("ts_code", INDEX_CODE_PATTERN),),
        "index_daily": (("ts_code", INDEX_CODE_PATTERN),),
        "index_dailybasic": (("ts_code", INDEX_CODE_PATTERN),),
        "index_weight": (("index_code", INDEX_CODE_PATTERN), ("con_code", STOCK_CODE_PATTERN)),
    }
)

# (column, allowed values) per dataset: small closed vocabularies.
VALUE_DOMAINS: Mapping[str, tuple[tuple[str, tuple[Any, ...]], ...]] = MappingProxyType(
    {
        "trade_cal": (("is_open", (0, 1)),),
        "stock_basic": (("list_status", ("L", "D", "P")),),
        **{
            api: (("update_flag", ("0", "1")),)
            for api, spec in REGISTRY.items()
            if spec.has_update_flag
        },
    }
)


def unique_key_check(spec: DatasetSpec) -> CheckSpec:
    keys = ", ".join(quote(c) for c in spec.conflict_columns)
    return _check(
        f"unique_key_{spec.api_name}", spec.api_name, CheckKind.INTEGRITY, Severity.ERROR,
        "unique_key.sql",
        f"No two rows of {spec.table} share the key ({', '.join(spec.conflict_columns)}).",
        noun="key", failure="held by more than one row", blocking=True,
        template={"key_columns": keys},
    )


def not_null_check(spec: DatasetSpec) -> CheckSpec:
    columns = tuple(dict.fromkeys(spec.conflict_columns + CORE_COLUMNS.get(spec.api_name, ())))
    return _check(
        f"not_null_{spec.api_name}", spec.api_name, CheckKind.INTEGRITY, Severity.ERROR,
        "not_null.sql",
        f"Key and core columns of {spec.table} are never null: {', '.join(columns)}.",
        failure="with a null key or core column", blocking=True,
        template={
            "key_columns": ", ".join(quote(c) for c in spec.key_fields),
            "null_columns": ", ".join(
                f"CASE WHEN {quote(c)} IS NULL THEN '{c}' END" for c in columns
            ),
            "any_null": " OR ".join(f"{quote(c)} IS NULL" for c in columns),
        },
    )


def schema_check(spec: DatasetSpec) -> CheckSpec:
    expected = [f"{f.name}:{f.sql_type}" for f in spec.fields] + [
        "source:VARCHAR", "ingested_at:TIMESTAMP", "raw_id:BIGINT",
    ]
    return _check(
        f"schema_{spec.api_name}", spec.api_name, CheckKind.INTEGRITY, Severity.WARN,
        "schema.sql",
        f"{spec.table}'s columns and types match the spec, and the source's latest responses "
        "served every documented field and nothing else: absent fields (written as NULL) and "
        "undocumented ones (kept in the raw archive only) are drift, reported here.",
        noun="column", failure="differing from the spec", scoped=False,
        label_columns=("column_name", "problem"), skip_if_empty=False,
        params={"table_name": spec.table, "expected": expected, "api_name": spec.api_name,
                "spec_fields": list(spec.field_names),
                # field|YYYY-MM-DD: absent from partitions before that day is history, not drift.
                "served_from": [f"{f}|{d.isoformat()}" for f, d in spec.served_from.items()] or [""]},
    )


def code_format_checks(spec: DatasetSpec) -> list[CheckSpec]:
    return [
        _check(
            f"{column}_format_{spec.api_name}", spec.api_name, CheckKind.INTEGRITY,
            Severity.ERROR, "code_format.sql",
            f"Every {column} in {spec.table} matches {pattern}.",
            failure=f"with a malformed {column}",
            template={"column": quote(column),
                      "key_columns": ", ".join(quote(c) for c in spec.key_fields)},
            params={"pattern": pattern},
        )
        for column, pattern in CODE_COLUMNS.get(spec.api_name, ())
    ]


def domain_checks(spec: DatasetSpec) -> list[CheckSpec]:
    checks = []
    for column, allowed in VALUE_DOMAINS.get(spec.api_name, ()):
        listed = ", ".join(str(v) for v in allowed)
        checks.append(
            _check(
                f"{column}_values_{spec.api_name}", spec.api_name, CheckKind.INTEGRITY,
                Severity.ERROR, "domain.sql",
                f"{spec.table}.{column} is one of {{{listed}}}.",
                failure=f"with {column} outside {{{listed}}}",
                blocking=column != "update_flag",
                template={"column": quote(column),
                          "key_columns": ", ".join(quote(c) for c in spec.key_fields)},
                params={"allowed": [str(v) for v in allowed]},
            )
        )
    return checks


def generic_checks(spec: DatasetSpec) -> list[CheckSpec]:
    return [
        unique_key_check(spec),
        not_null_check(spec),
        schema_check(spec),
        *code_format_checks(spec),
        *domain_checks(spec),
    ]


# -- specific checks --------------------------------------------------------------------

PER_DATE_DATASETS = tuple(a for a, s in REGISTRY.items() if s.grain is Grain.PER_DATE)
OHLC_DATASETS = ("daily", "weekly", "monthly", "index_daily")
STOCK_PRICE_DATASETS = ("daily", "daily_basic", "adj_factor", "weekly", "monthly")
PIT_DATASETS = ("income", "balancesheet", "cashflow", "fina_indicator", "express")
F_ANN_DATASETS = ("income", "balancesheet", "cashflow")
REVISED_DATASETS = tuple(a for a, s in REGISTRY.items() if s.has_update_flag)

HORIZON_TRADE_CAL = "horizon_trade_cal"
EXCHANGES_AGREE_TRADE_CAL = "exchanges_agree_trade_cal"
VWAP_DAILY = "vwap_daily"
PRE_CLOSE_DAILY = "pre_close_daily"
HAS_ADJ_FACTOR_DAILY = "has_adj_factor_daily"
CLOSE_MATCHES_DAILY_DAILY_BASIC = "close_matches_daily_daily_basic"
TOTAL_MV_DAILY_BASIC = "total_mv_daily_basic"
WEIGHTS_SUM_INDEX_WEIGHT = "weights_sum_index_weight"
SURVIVORSHIP_STOCK_BASIC = "survivorship_stock_basic"
BALANCE_IDENTITY_BALANCESHEET = "balance_identity_balancesheet"
NET_INCOME_SPLIT_INCOME = "net_income_split_income"
PIT_ORDER_FORECAST = "pit_order_forecast"
MIN_LE_MAX_FORECAST = "min_le_max_forecast"


def single_revision_name(api_name: str) -> str:
    return f"single_revision_{api_name}"


def _calendar_checks() -> list[CheckSpec]:
    checks: list[CheckSpec] = []
    for api in PER_DATE_DATASETS:
        table = REGISTRY[api].table
        checks += [
            _check(
                f"open_days_covered_{api}", api, CheckKind.CALENDAR, Severity.ERROR,
                "open_days_covered.sql",
                f"Every open day (trade_cal, SSE) from {table}'s first to its last date has "
                "rows: judged at market level, since suspended stocks have no row.",
                noun="open day", failure=f"without rows in {table}",
                label_columns=("trade_date",), requires=("trade_cal",),
            ),
            _check(
                f"closed_days_empty_{api}", api, CheckKind.CALENDAR, Severity.ERROR,
                "closed_days_empty.sql",
                f"{table} has no rows on days trade_cal (SSE) marks closed.",
                noun="closed day", failure=f"with rows in {table}", blocking=True,
                label_columns=("trade_date",), requires=("trade_cal",),
            ),
            _check(
                f"row_count_band_{api}", api, CheckKind.CALENDAR, Severity.WARN,
                "row_count_band.sql",
                f"Rows per day in {table} stay within ±threshold (a fraction) of the median "
                "of the previous 20 days (judged once 5 earlier days exist).",
                noun="day", failure="with a row count outside the band of the recent median",
                threshold=0.5, label_columns=("trade_date",),
            ),
            _check(
                f"fresh_{api}", api, CheckKind.FRESHNESS, Severity.WARN, "fresh.sql",
                f"{table}'s latest trade date is the latest open day whose data is due "
                f"(from {PER_DATE_DUE:%H:%M} Asia/Shanghai on the day); threshold is "
                "the open days it may lag.",
                noun="dataset", failure="behind the latest open day due",
                threshold=0, scoped=False, label_columns=("dataset",),
                requires=("trade_cal",), skip_if_empty=False, params={"api_name": api},
            ),
        ]
    checks += [
        _check(
            HORIZON_TRADE_CAL, "trade_cal", CheckKind.CALENDAR, Severity.WARN, "horizon.sql",
            f"trade_cal reaches at least {TRADE_CAL_HORIZON_DAYS} days past today "
            "(Asia/Shanghai) on every exchange, so schedules and freshness know what is next.",
            noun="exchange", failure=f"whose calendar ends within {TRADE_CAL_HORIZON_DAYS} days",
            threshold=TRADE_CAL_HORIZON_DAYS, scoped=False,
            label_columns=("exchange", "last_day"),
        ),
        _check(
            EXCHANGES_AGREE_TRADE_CAL, "trade_cal", CheckKind.CALENDAR, Severity.WARN,
            "exchanges_agree.sql",
            "SSE and SZSE share the A-share calendar: is_open agrees on every day both list.",
            noun="day", failure="where SSE and SZSE disagree on is_open",
            label_columns=("cal_date",),
        ),
    ]
    return checks


def _market_checks() -> list[CheckSpec]:
    checks: list[CheckSpec] = []
    for api in OHLC_DATASETS:
        table = REGISTRY[api].table
        checks += [
            _check(
                f"ohlc_{api}", api, CheckKind.MARKET, Severity.ERROR, "ohlc.sql",
                f"In {table}, low <= open, close <= high (so high >= low).",
                failure="with high < low or open/close outside [low, high]", blocking=True,
            ),
            _check(
                f"positive_prices_{api}", api, CheckKind.MARKET, Severity.ERROR,
                "positive_prices.sql", f"Every price in {table} is positive.",
                failure="with a price <= 0", blocking=True,
            ),
            _check(
                f"nonnegative_volume_{api}", api, CheckKind.MARKET, Severity.ERROR,
                "nonnegative_volume.sql", f"vol and amount in {table} are >= 0.",
                failure="with negative vol or amount",
            ),
        ]
    for api in ("daily", "index_daily"):
        checks.append(
            _check(
                f"pct_chg_{api}", api, CheckKind.MARKET, Severity.ERROR, "pct_chg.sql",
                f"{REGISTRY[api].table}: change = close - pre_close and pct_chg = change / "
                "pre_close * 100, within threshold (percentage points; change within 0.01). "
                "weekly/monthly are left out: Tushare documents their pct_chg both ways.",
                failure="whose change or pct_chg disagrees with close and pre_close",
                threshold=0.01,
            )
        )
    checks += [
        _check(
            VWAP_DAILY, "daily", CheckKind.MARKET, Severity.WARN, "vwap.sql",
            "The day's average price, amount (thousand yuan) * 1000 / (vol (lots) * 100), "
            "lies within [low, high], widened by threshold (a fraction) for rounding.",
            failure="whose VWAP lies outside [low, high]", threshold=0.01,
        ),
        _check(
            PRE_CLOSE_DAILY, "daily", CheckKind.MARKET, Severity.ERROR, "pre_close.sql",
            "pre_close differs from the stock's previous close only where adj_factor changed "
            "between the two days (ex-dividend, split). Judged where no open day between "
            "the two bars is missing from daily and both factors are loaded; a partition run "
            "looks back 60 days for the previous close.",
            failure="whose pre_close differs from the previous close with no adj_factor change",
            threshold=0.005, requires=("adj_factor", "trade_cal"),
        ),
        _check(
            HAS_ADJ_FACTOR_DAILY, "daily", CheckKind.MARKET, Severity.ERROR, "has_adj_factor.sql",
            "Every daily row has an adj_factor row (same stock, day, source); judged on the "
            "days adj_factor has been loaded for.",
            failure="without an adj_factor", requires=("adj_factor",),
        ),
        _check(
            CLOSE_MATCHES_DAILY_DAILY_BASIC, "daily_basic", CheckKind.MARKET, Severity.ERROR,
            "close_matches_daily.sql",
            "daily_basic.close equals daily.close for the same stock and day (within "
            "threshold yuan).",
            failure="whose close differs from daily's", threshold=0.005, requires=("daily",),
        ),
        _check(
            TOTAL_MV_DAILY_BASIC, "daily_basic", CheckKind.MARKET, Severity.ERROR,
            "total_mv.sql",
            "total_mv (ten thousand yuan) = close (yuan) * total_share (ten thousand shares), "
            "within threshold (a fraction).",
            failure="whose total_mv is not close x total_share", threshold=0.01,
        ),
        _check(
            WEIGHTS_SUM_INDEX_WEIGHT, "index_weight", CheckKind.MARKET, Severity.ERROR,
            "weights_sum.sql",
            "Constituent weights of one index on one date sum to 100 (percent) within "
            "threshold percentage points.",
            noun="index date", failure="whose weights do not sum to 100",
            threshold=1.0, label_columns=("index_code", "trade_date"),
        ),
    ]
    for api, bucket in (("weekly", "week"), ("monthly", "month")):
        checks.append(
            _check(
                f"agrees_with_daily_{api}", api, CheckKind.MARKET, Severity.ERROR,
                "agrees_with_daily.sql",
                f"Each {api} bar equals the {bucket}'s daily bars: first open, max high, min "
                "low, last close (within threshold yuan). Judged for periods whose every "
                "open day is loaded in daily; vol/amount are left out as Tushare does not "
                f"document {api}'s units.",
                failure=f"that disagree with the {bucket}'s daily bars", threshold=0.005,
                requires=("daily", "trade_cal"), template={"bucket": bucket},
            )
        )
    return checks


def _reference_checks() -> list[CheckSpec]:
    checks = [
        _check(
            f"known_ts_code_{api}", api, CheckKind.REFERENCE, Severity.ERROR, "known_code.sql",
            f"Every ts_code in {REGISTRY[api].table} is listed in stock_basic (any status).",
            noun="stock", failure="missing from stock_basic", label_columns=("code",),
            requires=("stock_basic",),
            template={"column": "ts_code", "reference": quote(REGISTRY["stock_basic"].table)},
        )
        for api in STOCK_PRICE_DATASETS
    ]
    index_columns = {"index_daily": "ts_code", "index_dailybasic": "ts_code",
                     "index_weight": "index_code"}
    checks += [
        _check(
            f"known_index_{api}", api, CheckKind.REFERENCE, Severity.WARN, "known_code.sql",
            f"Every {column} in {REGISTRY[api].table} is listed in index_basic.",
            noun="index", failure="missing from index_basic", label_columns=("code",),
            requires=("index_basic",),
            template={"column": column, "reference": quote(REGISTRY["index_basic"].table)},
        )
        for api, column in index_columns.items()
    ]
    checks.append(
        _check(
            SURVIVORSHIP_STOCK_BASIC, "stock_basic", CheckKind.REFERENCE, Severity.WARN,
            "survivorship.sql",
            "stock_basic holds delisted (D) and paused (P) stocks as well as listed ones, "
            "so history has no survivorship bias.",
            noun="list status", failure="with no stocks in stock_basic",
            label_columns=("list_status",), params={"statuses": ["L", "D", "P"]},
        )
    )
    return checks


def _financial_checks() -> list[CheckSpec]:
    checks = [
        _check(
            BALANCE_IDENTITY_BALANCESHEET, "balancesheet", CheckKind.FINANCIAL, Severity.ERROR,
            "balance_identity.sql",
            "total_assets = total_liab + total_hldr_eqy_inc_min_int = total_liab_hldr_eqy, "
            "within threshold (a fraction of total assets: reports balance to the yuan, so "
            "only float rounding is forgiven); judged where the figures exist.",
            noun="report", failure="breaking assets = liabilities + equity", threshold=1e-6,
        ),
        _check(
            NET_INCOME_SPLIT_INCOME, "income", CheckKind.FINANCIAL, Severity.ERROR,
            "net_income_split.sql",
            "n_income = n_income_attr_p + minority_gain, within threshold (a fraction of "
            "n_income); judged where all three exist.",
            noun="report", failure="whose net income is not attributable + minority",
            threshold=1e-6,
        ),
        _check(
            MIN_LE_MAX_FORECAST, "forecast", CheckKind.FINANCIAL, Severity.ERROR,
            "min_le_max.sql",
            "A forecast's lower bounds do not exceed its upper bounds (net profit and change).",
            noun="forecast", failure="whose minimum exceeds its maximum",
        ),
        _check(
            PIT_ORDER_FORECAST, "forecast", CheckKind.FINANCIAL, Severity.ERROR,
            "pit_order_forecast.sql",
            "A forecast's first announcement is not after its announcement (forecasts may "
            "precede the period's end, so end_date is not compared).",
            noun="forecast", failure="announced before its first announcement",
        ),
    ]
    for api in PIT_DATASETS:
        has_f_ann = api in F_ANN_DATASETS
        rule = "end_date < ann_date" + (" <= f_ann_date" if has_f_ann else "")
        checks.append(
            _check(
                f"pit_order_{api}", api, CheckKind.FINANCIAL, Severity.ERROR, "pit_order.sql",
                f"Point-in-time order in {REGISTRY[api].table}: {rule}, so a backtest never "
                "sees a report before it was public.",
                noun="report", failure=f"breaking {rule}",
                template={
                    "f_ann_date": "f_ann_date" if has_f_ann else "CAST(NULL AS DATE)",
                    "key_columns": ", ".join(quote(c) for c in REGISTRY[api].key_fields),
                },
            )
        )
    for api in REVISED_DATASETS:
        spec = REGISTRY[api]
        report_key = spec.key_fields
        checks.append(
            _check(
                single_revision_name(api), api, CheckKind.FINANCIAL, Severity.ERROR,
                "single_revision.sql",
                f"In the latest response for each {spec.partition_param}, at most one row per "
                f"report ({', '.join(report_key)}) is flagged as the latest revision "
                "(update_flag 1); two would leave the kept version to a tie-break.",
                noun="report", failure="with more than one latest revision",
                label_columns=report_key,
                template={
                    "report_key": ", ".join(quote(c) for c in report_key),
                    # The writer records each conflict as an object keyed by field name;
                    # names come from the spec, never from data.
                    "report_key_extract": ", ".join(
                        f"json_extract_string(conflict, '$.{c}') AS {quote(c)}" for c in report_key
                    ),
                },
                params={"api_name": api},
            )
        )
    return checks


def _all_specs() -> tuple[CheckSpec, ...]:
    checks: list[CheckSpec] = []
    for spec in REGISTRY.values():
        checks += generic_checks(spec)
    checks += _calendar_checks() + _market_checks() + _reference_checks() + _financial_checks()
    names = [c.name for c in checks]
    duplicated = {n for n in names if names.count(n) > 1}
    if duplicated:
        raise ValueError(f"check names must be unique; repeated: {sorted(duplicated)}")
    return tuple(checks)


CHECK_SPECS: tuple[CheckSpec, ...] = _all_specs()
CHECK_REGISTRY: Mapping[str, CheckSpec] = MappingProxyType({c.name: c for c in CHECK_SPECS})


def checks_for(asset: str) -> tuple[CheckSpec, ...]:
    return tuple(c for c in CHECK_SPECS if c.asset == asset)
