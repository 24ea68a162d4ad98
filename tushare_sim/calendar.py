"""The exchange calendar: weekdays minus approximate Chinese public holidays.

Dates follow the pattern of the real closures (New Year, a Spring Festival week,
Qingming, Labour Day, Dragon Boat, Mid-Autumn, a National Day week) without claiming to
match any year exactly: what matters downstream is that every year has weekday closures,
so code that assumes "weekday == trading day" fails against the simulator as it would
against Tushare. SSE, SZSE and BSE share one A-share calendar, as they do in reality.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

A_SHARE_EXCHANGES = ("SSE", "SZSE", "BSE")

# Lunar New Year's day (Gregorian) per year; the lunar holidays below are offsets from it.
_LUNAR_NEW_YEAR = {
    1990: (1, 27), 1991: (2, 15), 1992: (2, 4), 1993: (1, 23), 1994: (2, 10), 1995: (1, 31),
    1996: (2, 19), 1997: (2, 7), 1998: (1, 28), 1999: (2, 16), 2000: (2, 5), 2001: (1, 24),
    2002: (2, 12), 2003: (2, 1), 2004: (1, 22), 2005: (2, 9), 2006: (1, 29), 2007: (2, 18),
    2008: (2, 7), 2009: (1, 26), 2010: (2, 14), 2011: (2, 3), 2012: (1, 23), 2013: (2, 10),
    2014: (1, 31), 2015: (2, 19), 2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5),
    2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29),
    2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23),
    2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8), 2036: (1, 28), 2037: (2, 15),
    2038: (2, 4), 2039: (1, 24), 2040: (2, 12),
}
# Dragon Boat (5th day of the 5th lunar month) and Mid-Autumn (15th of the 8th) fall
# roughly this many days after the lunar new year; leap months make it approximate.
_DRAGON_BOAT_OFFSET = 123
_MID_AUTUMN_OFFSET = 221


def lunar_new_year(year: int) -> dt.date:
    month, day = _LUNAR_NEW_YEAR.get(year, (2, 1))
    return dt.date(year, month, day)


def _span(first: dt.date, days: int) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range(days)]


def _observed(day: dt.date) -> list[dt.date]:
    """A one-day holiday on a weekend is observed on the nearest weekday (Fri or Mon),
    so every such holiday closes a weekday."""
    if day.weekday() == 5:
        return [day - dt.timedelta(days=1)]
    if day.weekday() == 6:
        return [day + dt.timedelta(days=1)]
    return [day]


def holidays(year: int) -> set[dt.date]:
    """Weekday closures of one year."""
    lny = lunar_new_year(year)
    days: list[dt.date] = []
    days += _observed(dt.date(year, 1, 1))
    days += _span(lny - dt.timedelta(days=1), 7)
    days += _observed(dt.date(year, 4, 4 if year % 4 in (0, 1) else 5))
    days += _span(dt.date(year, 5, 1), 5 if year >= 2020 else 3)
    days += _observed(lny + dt.timedelta(days=_DRAGON_BOAT_OFFSET))
    days += _observed(lny + dt.timedelta(days=_MID_AUTUMN_OFFSET))
    days += _span(dt.date(year, 10, 1), 7)
    return {d for d in days if d.year == year and d.weekday() < 5}


def is_open(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


@dataclass(frozen=True)
class TradingCalendar:
    """Every calendar day from `first` to `last`, and the open ones among them."""

    first: dt.date
    last: dt.date

    @cached_property
    def all_days(self) -> list[dt.date]:
        return _span(self.first, (self.last - self.first).days + 1)

    @cached_property
    def open_days(self) -> list[dt.date]:
        closed: set[dt.date] = set()
        for year in range(self.first.year, self.last.year + 1):
            closed |= holidays(year)
        return [d for d in self.all_days if d.weekday() < 5 and d not in closed]

    @cached_property
    def open_ordinals(self) -> np.ndarray:
        return np.array([d.toordinal() for d in self.open_days], dtype=np.int64)

    @cached_property
    def open_index(self) -> dict[dt.date, int]:
        return {d: i for i, d in enumerate(self.open_days)}

    @cached_property
    def open_yyyymmdd(self) -> np.ndarray:
        return np.array([d.strftime("%Y%m%d") for d in self.open_days], dtype=object)

    def previous_open(self, day: dt.date) -> dt.date | None:
        """The last open day strictly before `day` (looking past `first` if needed)."""
        probe = day - dt.timedelta(days=1)
        for _ in range(40):
            if is_open(probe):
                return probe
            probe -= dt.timedelta(days=1)
        return None

    def index_at_or_before(self, day: dt.date) -> int:
        """Index of the last open day on or before `day` (-1 if none)."""
        return int(np.searchsorted(self.open_ordinals, day.toordinal(), side="right")) - 1

    def index_at_or_after(self, day: dt.date) -> int:
        return int(np.searchsorted(self.open_ordinals, day.toordinal(), side="left"))

    def closed_weekdays(self) -> list[dt.date]:
        opened = set(self.open_days)
        return [d for d in self.all_days if d.weekday() < 5 and d not in opened]
