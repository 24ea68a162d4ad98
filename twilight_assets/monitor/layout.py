"""Where the history's cells go, for both pictures: one row per year, one column per
weekday counted from 1 January (the index of a letter in coverage.history's strings)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Iterator

WEEKDAY_COLUMNS = 262
"""The most weekdays a year has (a leap year with 53 of two weekdays): every row fits."""
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@cache
def year_weekdays(year: int) -> tuple[dt.date, ...]:
    first = dt.date(year, 1, 1)
    days = (first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days))
    return tuple(d for d in days if d.weekday() < 5)


def month_columns(year: int) -> list[tuple[int, str]]:
    """(column, name) of the first weekday of each month in `year`."""
    seen: dict[int, int] = {}
    for column, day in enumerate(year_weekdays(year)):
        seen.setdefault(day.month, column)
    return [(column, MONTHS[month - 1]) for month, column in seen.items()]


def runs(states: str) -> Iterator[tuple[int, int, str]]:
    """(first column, length, letter) of each run of one letter in a year's string."""
    start = 0
    for i in range(1, len(states) + 1):
        if i == len(states) or states[i] != states[start]:
            yield start, i - start, states[start]
            start = i
