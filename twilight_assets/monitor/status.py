"""The report's verdicts: ok, warn, error, the exit code each means, and how a freshness
judgement (twilight_assets.freshness) maps onto them."""

from __future__ import annotations

from typing import Iterable

from twilight_assets.freshness import Freshness

OK, WARN, ERROR = "ok", "warn", "error"
SKIPPED = "skipped"
"""A check that judged nothing (its table was empty): shown, never counted as a pass."""
_RANK = {OK: 0, SKIPPED: 0, WARN: 1, ERROR: 2}
EXIT_CODES = {OK: 0, WARN: 1, ERROR: 2}
"""For cron and alerting: 0 healthy, 1 warnings, 2 errors."""
FROM_FRESHNESS = {Freshness.FRESH: OK, Freshness.LATE: WARN, Freshness.STALE: ERROR}


def worst(statuses: Iterable[str]) -> str:
    found = [s for s in statuses if s != SKIPPED]
    return max(found, key=_RANK.__getitem__, default=OK)


def problem(status: str, message: str) -> dict[str, str]:
    return {"status": status, "message": message}
