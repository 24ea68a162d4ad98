"""What a simulator serves: the universe size, history span, token and quotas."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

from twilight_assets.config import SIMULATOR_TOKEN

# China has had no daylight saving since 1991: a fixed offset is Asia/Shanghai.
SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
# Tushare publishes a day's bars some time after the 15:00 close; the simulator treats
# the day as available from 15:30 Shanghai time.
DATA_READY = dt.time(15, 30)


@dataclass(frozen=True)
class SimulatorConfig:
    seed: int = 7
    n_stocks: int = 24
    """Default small for a fast demo; 5,500 stocks over 30 years stays usable."""
    n_indexes: int = 6
    start: dt.date = dt.date(2015, 1, 5)
    """First day of history served: the calendar, bars and financial periods begin here."""
    as_of: dt.date | None = None
    """Last day with market data. None: today in Shanghai if it is past 15:30 there,
    else yesterday (resolved once, when the server is built)."""
    token: str = SIMULATOR_TOKEN
    """What clients must send. The default is the public one that TWILIGHT_SOURCE=simulator
    sends; tests choose others (a canary) to prove a token never leaks."""
    calls_per_minute: int | dict[str, int] | None = None
    """Per-API quota: one number for every API, or a number per api_name (APIs not
    named are unlimited). None: unlimited."""
    unentitled_apis: frozenset[str] = frozenset()
    """APIs this token may not call: answered with Tushare's 40203 permission message."""
    quota_window_seconds: float = 60.0
    """The quota's window. Tushare's is a minute; tests shrink it to keep waits short."""
    calls_per_hour: int | None = None
    calls_per_day: int | None = None
    page_limits: Mapping[str, int] | None = None
    """Per-API row caps overriding the specs' (Tushare's) page_limit, so tests can page
    through small partitions; a capped call still says has_more."""

    def resolved_as_of(self, now: dt.datetime | None = None) -> dt.date:
        if self.as_of is not None:
            return self.as_of
        local = (now or dt.datetime.now(dt.timezone.utc)).astimezone(SHANGHAI)
        today = local.date()
        return today if local.time() >= DATA_READY else today - dt.timedelta(days=1)

    def page_limit(self, api_name: str, default: int) -> int:
        return (self.page_limits or {}).get(api_name, default)

    def quota_for(self, api_name: str) -> int | None:
        if isinstance(self.calls_per_minute, dict):
            return self.calls_per_minute.get(api_name)
        return self.calls_per_minute
