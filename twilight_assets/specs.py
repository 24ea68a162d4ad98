"""Every Tushare dataset the warehouse holds, described once.

A `DatasetSpec` is the single source of truth for one Tushare API: what to call, how a
partition key becomes request parameters, which fields come back (with types, taken
from Tushare's own documentation in `reference/tushare_fields.json`), where rows land and
how duplicates are resolved. The asset factory, the writer, the checks and the simulator
all read specs; none of them hard-codes a dataset.

This module knows nothing of DuckDB, HTTP or Dagster.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Mapping

ONCE_PARTITION = "once"
"""The partition key that `once` datasets use in the progress ledger."""

HISTORY_START = dt.date(1990, 12, 19)
"""The first trading day of the Shanghai Stock Exchange."""

AFTER_HOURS_FROM = dt.date(2026, 7, 6)
"""The first trade date daily's after-hours fields (ah_vol, ah_amount) are served for."""


class Grain(StrEnum):
    PER_DATE = "per_date"
    PER_ENTITY = "per_entity"
    PER_DATE_YEAR = "per_date_year"
    ONCE = "once"


class EntityType(StrEnum):
    TRADE_DATE = "trade_date"
    STOCK = "stock"
    INDEX = "index"
    YEAR = "year"
    NONE = "none"


class Family(StrEnum):
    REFERENCE = "reference"
    MARKET = "market"
    INDEX = "index"
    FINANCIAL = "financial"


SQL_TYPES: Mapping[str, str] = MappingProxyType(
    {"str": "VARCHAR", "date": "DATE", "float": "DOUBLE", "int": "BIGINT"}
)

# Units as Tushare writes them in field descriptions, in the words a reader expects.
_UNITS = (
    ("千元", "thousand yuan"),
    ("万元", "ten thousand yuan"),
    ("万股", "ten thousand shares"),
    ("手", "lots of 100 shares"),
    ("元", "yuan"),
    ("%", "percent"),
)


@dataclass(frozen=True)
class FieldSpec:
    """One documented output field of a Tushare API."""

    name: str
    type: str  # one of SQL_TYPES' keys
    default_shown: bool
    description: str

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def unit(self) -> str | None:
        for marker, unit in _UNITS:
            if marker in self.description:
                return unit
        return None


@dataclass(frozen=True)
class DedupeRule:
    """How rows that share a key inside one batch are reduced to one.

    Byte-identical rows always collapse. Of rows that differ, the winner is the first
    after ordering by `prefer` (column, descending?) pairs, skipping columns the dataset
    does not have; ties fall to the row received last, so the outcome never depends on
    DuckDB's undefined choice.
    """

    prefer: tuple[tuple[str, bool], ...] = ()


# Revised financial reports: the row flagged as the revision wins, then the latest
# announcement. Tushare returns both the original (update_flag 0) and revision (1).
REVISION_RULE = DedupeRule(
    prefer=(("update_flag", True), ("f_ann_date", True), ("ann_date", True))
)
LAST_RECEIVED_RULE = DedupeRule()


@dataclass(frozen=True)
class DatasetSpec:
    api_name: str
    family: Family
    grain: Grain
    entity_type: EntityType
    conflict_columns: tuple[str, ...]
    page_limit: int
    """Tushare's per-call row cap; a full page means there may be more."""
    calls_per_minute: int
    """Default client-side quota; Tushare's real one depends on the account tier."""
    description: str
    partition_param: str | None = None
    """The request parameter that carries the partition key (trade_date, ts_code, ...)."""
    date_range: bool = False
    """Per-entity datasets ask for the whole history: start_date .. end_date."""
    variants: tuple[Mapping[str, str], ...] = (MappingProxyType({}),)
    """One request per variant, e.g. stock_basic for list_status L, D and P."""
    dedupe: DedupeRule = LAST_RECEIVED_RULE
    type_overrides: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    essential_fields: tuple[str, ...] = ()
    """Fields beyond the key that checks, views and readers cannot do without. The source
    must serve them (a value may still be null, e.g. a listed stock's delist_date); any
    other documented field it omits becomes a NULL column."""
    served_from: Mapping[str, dt.date] = field(default_factory=lambda: MappingProxyType({}))
    """Documented fields Tushare serves only for trade dates from a day on: their absence
    before that day is history, not drift (the schema check does not report it)."""

    def __post_init__(self) -> None:
        documented = set(self.field_names)
        unknown = [f for f in self.required_fields if f not in documented]
        if unknown:
            raise ValueError(
                f"{self.api_name}: required field(s) {', '.join(unknown)} are not documented"
            )

    @property
    def table(self) -> str:
        return f"normalized_{self.api_name}"

    @property
    def keeps_revisions(self) -> bool:
        """Financial reports are restated after the fact: every version served is kept,
        so what was known on a past day can be read back (point-in-time)."""
        return self.family is Family.FINANCIAL

    @property
    def revisions_table(self) -> str | None:
        return f"revisions_{self.api_name}" if self.keeps_revisions else None

    @property
    def doc_url(self) -> str:
        return f"https://tushare.pro/document/2?doc_id={_reference()[self.api_name]['doc_id']}"

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        return _fields(self.api_name, tuple(sorted(self.type_overrides.items())))

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def hidden_fields(self) -> tuple[str, ...]:
        """Fields Tushare only returns when asked for by name."""
        return tuple(f.name for f in self.fields if not f.default_shown)

    @property
    def has_update_flag(self) -> bool:
        return "update_flag" in self.field_names

    @property
    def key_fields(self) -> tuple[str, ...]:
        """Conflict columns that come from Tushare (all but our `source`)."""
        return tuple(c for c in self.conflict_columns if c != "source")

    @property
    def required_fields(self) -> tuple[str, ...]:
        """What a response must carry to be written: key fields, the partition column and
        the essential fields, in that order."""
        column = (self.partition_column,) if self.partition_column else ()
        return tuple(dict.fromkeys(self.key_fields + column + self.essential_fields))

    @property
    def optional_fields(self) -> tuple[str, ...]:
        """Documented fields a source may omit: NULL when it does."""
        required = set(self.required_fields)
        return tuple(f for f in self.field_names if f not in required)

    @property
    def is_partitioned(self) -> bool:
        return self.grain is not Grain.ONCE

    @property
    def partition_column(self) -> str | None:
        """The column every row of a partition carries its key in (a year's: its dates)."""
        if self.grain is Grain.PER_DATE_YEAR:
            return "cal_date"
        if self.grain is Grain.ONCE:
            return None
        return self.partition_param or ("trade_date" if self.grain is Grain.PER_DATE else "ts_code")

    def request_params(
        self, partition_key: str | None, *, today: dt.date | None = None
    ) -> list[dict[str, str]]:
        """The parameters of every call that together fetch one partition."""
        base: dict[str, str] = {}
        if self.grain is Grain.PER_DATE:
            base[self.partition_param or "trade_date"] = _yyyymmdd(_parse_day(partition_key))
        elif self.grain is Grain.PER_DATE_YEAR:
            year = int(_require(partition_key, self))
            base["start_date"], base["end_date"] = f"{year}0101", f"{year}1231"
        elif self.grain is Grain.PER_ENTITY:
            base[self.partition_param or "ts_code"] = _require(partition_key, self)
            if self.date_range:
                end = today or dt.date.today()
                base["start_date"], base["end_date"] = _yyyymmdd(HISTORY_START), _yyyymmdd(end)
        return [{**base, **variant} for variant in self.variants]


def _require(partition_key: str | None, spec: DatasetSpec) -> str:
    if not partition_key:
        raise ValueError(f"{spec.api_name}: a {spec.grain} dataset needs a partition key")
    return partition_key


def _parse_day(partition_key: str | None) -> dt.date:
    if partition_key is None:
        raise ValueError("a per_date dataset needs a trade date partition key")
    return dt.date.fromisoformat(partition_key)


def _yyyymmdd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


@cache
def _reference() -> dict:
    text = resources.files("twilight_assets.reference").joinpath("tushare_fields.json").read_text("utf-8")
    return json.loads(text)


@cache
def _fields(api_name: str, overrides: tuple[tuple[str, str], ...]) -> tuple[FieldSpec, ...]:
    types = dict(overrides)
    return tuple(
        FieldSpec(
            name=f["name"],
            type=types.get(f["name"], f["type"]),
            default_shown=bool(f["default_shown"]),
            description=f["desc"],
        )
        for f in _reference()[api_name]["fields"]
    )


_KEY_DATE = ("ts_code", "trade_date", "source")
_KEY_REPORT = ("ts_code", "end_date", "report_type", "source")

_STOCK_LIST_STATUSES = tuple(MappingProxyType({"list_status": s}) for s in ("L", "D", "P"))
# index_basic without a market returns only part of the universe; ask market by market.
INDEX_MARKETS = ("SSE", "SZSE", "CSI", "CICC", "SW", "MSCI", "OTH")
_INDEX_MARKETS = tuple(MappingProxyType({"market": m}) for m in INDEX_MARKETS)
# The A-share calendar is the same on both exchanges; both are kept so a check can prove it.
_EXCHANGES = tuple(MappingProxyType({"exchange": e}) for e in ("SSE", "SZSE"))

# Essential fields (see DatasetSpec.essential_fields), shared by several datasets.
# Period bars: ohlc, positive_prices, nonnegative_volume and agrees_with_daily read these;
# pre_close, change and pct_chg are judged only where present.
_PERIOD_BAR_ESSENTIALS = ("open", "high", "low", "close", "vol", "amount")
# Statements: point-in-time reads and pit_order need both announcement dates; the
# revision rule, single_revision and the *_latest views need update_flag (report_type is
# part of the key). Without update_flag an original would overwrite its revision unseen.
_STATEMENT_ESSENTIALS = ("ann_date", "f_ann_date", "update_flag")


def _spec(**kwargs) -> DatasetSpec:
    return DatasetSpec(**kwargs)


REGISTRY: Mapping[str, DatasetSpec] = MappingProxyType(
    {
        s.api_name: s
        for s in (
            _spec(
                api_name="trade_cal", family=Family.REFERENCE, grain=Grain.PER_DATE_YEAR,
                entity_type=EntityType.YEAR, conflict_columns=("exchange", "cal_date", "source"),
                page_limit=6000, calls_per_minute=200, variants=_EXCHANGES,
                type_overrides=MappingProxyType({"is_open": "int"}),
                # ingest tells holidays from missing data by is_open, and every calendar
                # and freshness check reads it. pretrade_date is derivable from the
                # calendar itself and nothing reads it.
                essential_fields=("is_open",),
                description="Exchange trading calendar: one row per exchange and calendar day, "
                "is_open 1 on trading days, with the previous trading day.",
            ),
            _spec(
                api_name="stock_basic", family=Family.REFERENCE, grain=Grain.ONCE,
                entity_type=EntityType.NONE, conflict_columns=("ts_code", "list_status", "source"),
                page_limit=6000, calls_per_minute=200, variants=_STOCK_LIST_STATUSES,
                # Identity and lifetime: which stock, under which name, listed and
                # delisted when (survivorship-free history and the reference checks need
                # them). Descriptive fields (fullname, enname, cnspell, exchange, is_hs,
                # act_name, ...) are not served to every account and are optional.
                essential_fields=("symbol", "name", "list_status", "list_date", "delist_date"),
                description="Every A-share stock, listed (L), delisted (D) and paused (P): "
                "fetched for all three so history has no survivorship bias.",
            ),
            _spec(
                api_name="index_basic", family=Family.REFERENCE, grain=Grain.ONCE,
                entity_type=EntityType.NONE,
                # tbd in the seed. ts_code alone identifies an index across all markets
                # (the market is part of the code's suffix), so it is the key.
                conflict_columns=("ts_code", "source"),
                page_limit=8000, calls_per_minute=200, variants=_INDEX_MARKETS,
                # The name is the one column not_null holds an index to; nothing checks,
                # views or reads the descriptive rest.
                essential_fields=("name",),
                description="Index reference data for every market Tushare covers.",
            ),
            _spec(
                api_name="daily", family=Family.MARKET, grain=Grain.PER_DATE,
                entity_type=EntityType.TRADE_DATE, conflict_columns=_KEY_DATE,
                partition_param="trade_date", page_limit=6000, calls_per_minute=500,
                # The bar itself: OHLC, vwap, pct_chg and pre_close checks and the
                # daily_adjusted view. change and pct_chg follow from close and pre_close;
                # ah_vol/ah_amount (after-hours trading) exist only from 2026-07.
                essential_fields=("open", "high", "low", "close", "pre_close", "vol", "amount"),
                served_from=MappingProxyType({"ah_vol": AFTER_HOURS_FROM, "ah_amount": AFTER_HOURS_FROM}),
                description="Unadjusted daily bars of every stock that traded that day "
                "(suspended stocks have no row). vol in lots, amount in thousand yuan.",
            ),
            _spec(
                api_name="daily_basic", family=Family.MARKET, grain=Grain.PER_DATE,
                entity_type=EntityType.TRADE_DATE, conflict_columns=_KEY_DATE,
                partition_param="trade_date", page_limit=6000, calls_per_minute=200,
                # close ties the row to daily (close_matches_daily); the valuation figures
                # are judged only where present, and limit_status is newer than most data.
                essential_fields=("close",),
                description="Daily valuation and share data: turnover, PE/PB/PS, shares in "
                "ten thousand shares, market value in ten thousand yuan.",
            ),
            _spec(
                api_name="adj_factor", family=Family.MARKET, grain=Grain.PER_DATE,
                entity_type=EntityType.TRADE_DATE, conflict_columns=_KEY_DATE,
                partition_param="trade_date", page_limit=6000, calls_per_minute=500,
                # The factor is the dataset; daily_adjusted and pre_close read it.
                essential_fields=("adj_factor",),
                description="Cumulative price adjustment factor per stock and day; it changes "
                "on ex-dividend and split days.",
            ),
            _spec(
                api_name="weekly", family=Family.MARKET, grain=Grain.PER_ENTITY,
                entity_type=EntityType.STOCK, conflict_columns=_KEY_DATE,
                partition_param="ts_code", date_range=True, page_limit=6000, calls_per_minute=200,
                essential_fields=_PERIOD_BAR_ESSENTIALS,
                description="Weekly bars per stock, dated by the week's last trading day. "
                "vol in lots, amount in thousand yuan.",
            ),
            _spec(
                api_name="monthly", family=Family.MARKET, grain=Grain.PER_ENTITY,
                entity_type=EntityType.STOCK, conflict_columns=_KEY_DATE,
                partition_param="ts_code", date_range=True, page_limit=4500, calls_per_minute=200,
                essential_fields=_PERIOD_BAR_ESSENTIALS,
                description="Monthly bars per stock, dated by the month's last trading day. "
                "vol in lots, amount in thousand yuan.",
            ),
            _spec(
                api_name="index_daily", family=Family.INDEX, grain=Grain.PER_ENTITY,
                entity_type=EntityType.INDEX, conflict_columns=_KEY_DATE,
                partition_param="ts_code", date_range=True, page_limit=8000, calls_per_minute=200,
                # OHLC for the ohlc and positive_prices checks; Tushare leaves vol and
                # amount empty for some publishers' indexes, so they are optional.
                essential_fields=("open", "high", "low", "close"),
                description="Daily index bars. vol in lots, amount in thousand yuan.",
            ),
            _spec(
                api_name="index_dailybasic", family=Family.INDEX, grain=Grain.PER_ENTITY,
                entity_type=EntityType.INDEX, conflict_columns=_KEY_DATE,
                partition_param="ts_code", date_range=True, page_limit=3000, calls_per_minute=200,
                # No check, view or reader depends on any one of its figures, and which
                # ones Tushare fills varies by index: beyond the key, all are optional.
                essential_fields=(),
                description="Daily index valuation: market value in yuan, shares, turnover, PE, PB.",
            ),
            _spec(
                api_name="index_weight", family=Family.INDEX, grain=Grain.PER_ENTITY,
                entity_type=EntityType.INDEX,
                # tbd in the seed. One constituent's weight in one index on one (monthly)
                # date: the three identify a row; nothing else is stable.
                conflict_columns=("index_code", "con_code", "trade_date", "source"),
                partition_param="index_code", date_range=True, page_limit=6000,
                calls_per_minute=200,
                # The weight is the dataset (weights_sum, not_null).
                essential_fields=("weight",),
                description="Monthly constituent weights (percent) of an index; each index "
                "and date sums to about 100.",
            ),
            _spec(
                api_name="income", family=Family.FINANCIAL, grain=Grain.PER_ENTITY,
                entity_type=EntityType.STOCK, conflict_columns=_KEY_REPORT,
                partition_param="ts_code", date_range=True, page_limit=500,
                calls_per_minute=200, dedupe=REVISION_RULE,
                essential_fields=_STATEMENT_ESSENTIALS,
                description="Income statements per stock and report period, in yuan; revised "
                "reports carry update_flag 1.",
            ),
            _spec(
                api_name="balancesheet", family=Family.FINANCIAL, grain=Grain.PER_ENTITY,
                entity_type=EntityType.STOCK, conflict_columns=_KEY_REPORT,
                partition_param="ts_code", date_range=True, page_limit=100,
                calls_per_minute=200, dedupe=REVISION_RULE,
                essential_fields=_STATEMENT_ESSENTIALS,
                description="Balance sheets per stock and report period, in yuan.",
            ),
            _spec(
                api_name="cashflow", family=Family.FINANCIAL, grain=Grain.PER_ENTITY,
                entity_type=EntityType.STOCK, conflict_columns=_KEY_REPORT,
                partition_param="ts_code", date_range=True, page_limit=100,
                calls_per_minute=200, dedupe=REVISION_RULE,
                essential_fields=_STATEMENT_ESSENTIALS,
                description="Cash flow statements per stock and report period, in yuan.",
            ),
            _spec(
                api_name="fina_indicator", family=Family.FINANCIAL, grain=Grain.PER_ENTITY,
                entity_type=EntityType.STOCK, conflict_columns=("ts_code", "end_date", "source"),
                partition_param="ts_code", date_range=True, page_limit=100,
                calls_per_minute=200, dedupe=REVISION_RULE,
                # As a statement, but Tushare documents no f_ann_date for indicators.
                essential_fields=("ann_date", "update_flag"),
                description="Financial indicators per stock and report period (ratios in "
                "percent); update_flag is hidden by default and requested by name.",
            ),
            _spec(
                api_name="forecast", family=Family.FINANCIAL, grain=Grain.PER_ENTITY,
                entity_type=EntityType.STOCK,
                conflict_columns=("ts_code", "end_date", "ann_date", "source"),
                partition_param="ts_code", date_range=True, page_limit=3500,
                calls_per_minute=200, dedupe=REVISION_RULE,
                # ann_date is part of the key; update_flag tells a revised forecast on the
                # same day from its original (revision rule, forecast_latest). The ranges
                # are judged only where present; first_ann_date only where served.
                essential_fields=("update_flag",),
                description="Earnings forecasts: expected net profit range in ten thousand "
                "yuan and change in percent.",
            ),
            _spec(
                api_name="express", family=Family.FINANCIAL, grain=Grain.PER_ENTITY,
                entity_type=EntityType.STOCK, conflict_columns=("ts_code", "end_date", "source"),
                partition_param="ts_code", date_range=True, page_limit=2000,
                calls_per_minute=200, dedupe=REVISION_RULE,
                # As a statement, without f_ann_date (Tushare documents none for express).
                essential_fields=("ann_date", "update_flag"),
                description="Preliminary earnings reports (业绩快报) ahead of the full statements, in yuan.",
            ),
        )
    }
)


def get_spec(api_name: str) -> DatasetSpec:
    try:
        return REGISTRY[api_name]
    except KeyError:
        raise KeyError(f"no dataset named {api_name!r}; known: {', '.join(REGISTRY)}") from None
