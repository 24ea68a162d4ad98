"""When each dataset's data is due, and when it is late or stale: the one rule that the
Dagster freshness policies, the `fresh_*` checks and the monitor all apply.

The windows are drawn around the schedules in automation.py (all Asia/Shanghai):

- per-date market data: ingested at 18:00 on weekdays, published in a snapshot at 19:30.
  A trading day's rows are due from PER_DATE_DUE (20:00) that evening: the ingest gets
  the 90 minutes the snapshot schedule already grants it, and the snapshot half an hour
  to publish, so a reader (or the UI) judging at 20:00 sees the day's data if the
  evening went as planned. A deadline at the moment ingest starts would call every
  evening stale until the run finished.
- reference lists (stock_basic, index_basic): refreshed daily at 08:00;
- per-entity histories: stocks on Saturdays, indexes on Sundays (weekly; a full market
  under Tushare's quotas takes hours, so a day is allowed for the run);
- trade_cal: monthly on the 1st, this year and next; it must also reach
  TRADE_CAL_HORIZON_DAYS ahead so the schedules know the days to come.

Data is *late* once it has missed one refresh (past its period plus the run's allowance)
and *stale* once it has missed two. A per-date dataset is late one open day behind the
day due, stale two or more.

This module knows nothing of Dagster or DuckDB.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Mapping

from twilight_assets.specs import Grain

TIMEZONE = "Asia/Shanghai"
SHANGHAI = dt.timezone(dt.timedelta(hours=8), TIMEZONE)

DAILY_INGEST_AT = dt.time(18, 0)
"""The daily market ingest's weekday start (automation.daily_market_schedule)."""
SNAPSHOT_AT = dt.time(19, 30)
"""The weekday snapshot (automation.snapshot_schedule); it assumes the ingest is done."""
PER_DATE_DUE = dt.time(20, 0)
"""From this time on a trading day, that day's per-date rows are due."""
TRADE_CAL_HORIZON_DAYS = 30
"""trade_cal must reach at least this many days past today."""


class Freshness(StrEnum):
    FRESH = "fresh"
    LATE = "late"
    """One refresh (or one open day) missed: a warning."""
    STALE = "stale"
    """Two or more missed: an error."""


@dataclass(frozen=True)
class RefreshWindow:
    """How often a grain is refreshed by its schedule, and how long that run may take."""

    every: dt.timedelta
    allowance: dt.timedelta
    schedule: str
    """The schedule, in words, for messages."""

    @property
    def late_after(self) -> dt.timedelta:
        return self.every + self.allowance

    @property
    def stale_after(self) -> dt.timedelta:
        return 2 * self.every + self.allowance

    def judge(self, age: dt.timedelta) -> Freshness:
        if age >= self.stale_after:
            return Freshness.STALE
        return Freshness.LATE if age >= self.late_after else Freshness.FRESH


REFRESH: Mapping[Grain, RefreshWindow] = MappingProxyType({
    Grain.ONCE: RefreshWindow(dt.timedelta(days=1), dt.timedelta(hours=2), "daily at 08:00"),
    Grain.PER_ENTITY: RefreshWindow(dt.timedelta(days=7), dt.timedelta(days=1), "weekly"),
    Grain.PER_DATE_YEAR: RefreshWindow(dt.timedelta(days=31), dt.timedelta(days=1), "monthly"),
})
"""Age-based windows for the grains that are not judged by trading day."""

PER_DATE_LOWER_BOUND = (
    dt.datetime.combine(dt.date.min, PER_DATE_DUE) - dt.datetime.combine(dt.date.min, DAILY_INGEST_AT)
)
"""A per-date materialization counts for a day's deadline if it started no earlier than
the scheduled ingest: the window is [18:00, 20:00]."""


def per_date_deadline_cron() -> str:
    """The per-date deadline as a cron expression (weekdays, Asia/Shanghai)."""
    return f"{PER_DATE_DUE.minute} {PER_DATE_DUE.hour} * * 1-5"


def due_dates(now: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    """(today, as_of) in Asia/Shanghai: as_of is the last calendar day whose per-date data
    is due by `now` (today from PER_DATE_DUE on, else yesterday). The latest open day on
    or before as_of is the day a fresh per-date dataset reaches."""
    moment = now or dt.datetime.now(dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    local = moment.astimezone(SHANGHAI)
    today = local.date()
    return today, today if local.time() >= PER_DATE_DUE else today - dt.timedelta(days=1)


def judge_lag(open_days_behind: int) -> Freshness:
    """A per-date dataset `open_days_behind` the latest open day due."""
    if open_days_behind <= 0:
        return Freshness.FRESH
    return Freshness.LATE if open_days_behind == 1 else Freshness.STALE


def judge_horizon(days_ahead: int) -> Freshness:
    """trade_cal reaching `days_ahead` past today (negative: it ended that long ago)."""
    if days_ahead >= TRADE_CAL_HORIZON_DAYS:
        return Freshness.FRESH
    return Freshness.LATE if days_ahead >= 0 else Freshness.STALE
