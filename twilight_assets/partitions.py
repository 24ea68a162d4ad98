"""One PartitionsDefinition per grain and entity type.

Per-date partitions are weekdays from the exchange's first day; a partition for day D
appears at 16:00 Shanghai time on D, after the close, when Tushare has published it.
Weekday holidays stay partitions: the calendar (trade_cal) says they are closed, and the
asset records them as market closed rather than missing.

Stock and index partitions are dynamic: their keys are the codes the lists hold
(stock_basic, index_basic), registered when a list is materialized.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from twilight_assets.specs import DatasetSpec, EntityType, Grain, HISTORY_START

TIMEZONE = "Asia/Shanghai"
CLOSE_CUTOFF = dt.time(16, 0)
"""When a trading day's data is expected to be published (Asia/Shanghai)."""

trading_days = dg.TimeWindowPartitionsDefinition(
    cron_schedule=f"{CLOSE_CUTOFF.minute} {CLOSE_CUTOFF.hour} * * 1-5",
    fmt="%Y-%m-%d",
    start=dt.datetime.combine(HISTORY_START, CLOSE_CUTOFF),
    timezone=TIMEZONE,
    end_offset=1,
)

# Through next year: trade_cal for the coming year is published in advance.
years = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *",
    fmt="%Y",
    start=str(HISTORY_START.year),
    timezone=TIMEZONE,
    end_offset=2,
)

stocks = dg.DynamicPartitionsDefinition(name="stocks")
indexes = dg.DynamicPartitionsDefinition(name="indexes")

ENTITY_LISTS: dict[str, dg.DynamicPartitionsDefinition] = {"stock_basic": stocks, "index_basic": indexes}
"""The list dataset whose ts_code values are the keys of each dynamic partitions set."""

_BY_ENTITY: dict[EntityType, dg.PartitionsDefinition] = {
    EntityType.TRADE_DATE: trading_days,
    EntityType.YEAR: years,
    EntityType.STOCK: stocks,
    EntityType.INDEX: indexes,
}

# Dagster validates a key before any of our code runs, and its error cannot carry a hint;
# so the hint lives in each asset's description, which the UI shows beside the partitions.
_KEY_HINTS: dict[EntityType, str] = {
    EntityType.TRADE_DATE: (
        f"weekdays as YYYY-MM-DD from {HISTORY_START.isoformat()} (e.g. 2024-06-28); day D "
        f"appears at {CLOSE_CUTOFF:%H:%M} {TIMEZONE}; a range is `--partition-range "
        "2024-06-03...2024-06-28`, earliest first"
    ),
    EntityType.YEAR: f"years as YYYY from {HISTORY_START.year} through next year (e.g. 2024)",
    EntityType.STOCK: (
        "registered stock codes (e.g. 000001.SZ); materializing stock_basic registers every "
        "listed, delisted and paused stock, and `twilight partitions sync` registers them "
        "from the latest snapshot"
    ),
    EntityType.INDEX: (
        "registered index codes (e.g. 000300.SH); materializing index_basic registers every "
        "index, and `twilight partitions sync` registers them from the latest snapshot"
    ),
}

# A run costs ~11 s of overhead here, so backfills batch many partitions per run.
# Time partitions run a whole range in one run (what `--partition-range` needs); each
# partition still commits on its own, so a long run keeps what it wrote if it dies.
ENTITY_PARTITIONS_PER_RUN = 500


def partitions_for(spec: DatasetSpec) -> dg.PartitionsDefinition | None:
    if spec.grain is Grain.ONCE:
        return None
    return _BY_ENTITY[spec.entity_type]


def partition_key_hint(spec: DatasetSpec) -> str | None:
    """One line on what this dataset's partition keys look like, and where they come from."""
    if spec.grain is Grain.ONCE:
        return None
    return f"Partition keys: {_KEY_HINTS[spec.entity_type]}."


def backfill_policy_for(spec: DatasetSpec) -> dg.BackfillPolicy | None:
    if spec.grain is Grain.ONCE:
        return None
    if spec.grain is Grain.PER_ENTITY:
        return dg.BackfillPolicy.multi_run(max_partitions_per_run=ENTITY_PARTITIONS_PER_RUN)
    return dg.BackfillPolicy.single_run()
