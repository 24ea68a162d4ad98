"""A client-side quota per Tushare API, shared by every worker thread of a process.

Tushare counts calls per API per minute and answers over-quota calls with 40203. Spending
calls we know will be refused wastes a minute each, so callers pace themselves first: a
sliding window of the last minute's calls per API, where each caller reserves the earliest
free slot under a lock and then sleeps outside it (one slow caller never blocks others
on a different API).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable, Mapping

from twilight_assets.specs import REGISTRY

WINDOW_S = 60.0
# The server stamps a call when it arrives, after our stamp; a call that waited for the
# window to free exactly would sometimes arrive early by the server's clock and be refused.
SAFETY_S = 0.25


class RateLimiter:
    """At most N calls per rolling minute per api_name; unknown APIs use `default`.

    An API with no quota (absent from the mapping and no default) is not paced.
    """

    def __init__(
        self,
        calls_per_minute: Mapping[str, int] | None = None,
        default: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        quotas = dict(calls_per_minute or {})
        for api_name, quota in [*quotas.items(), ("default", default)]:
            if quota is not None and quota < 1:
                raise ValueError(f"calls per minute for {api_name} must be >= 1, got {quota}")
        self._quotas = quotas
        self._default = default
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._slots: dict[str, deque[float]] = {}
        self._held_until: dict[str, float] = {}

    @classmethod
    def from_registry(cls, overrides: Mapping[str, int] | None = None, **kwargs) -> RateLimiter:
        """The documented default quota of every registered dataset, with overrides."""
        quotas = {name: spec.calls_per_minute for name, spec in REGISTRY.items()}
        quotas.update(overrides or {})
        return cls(quotas, **kwargs)

    def quota(self, api_name: str) -> int | None:
        return self._quotas.get(api_name, self._default)

    def acquire(self, api_name: str) -> float:
        """Block until a call to `api_name` fits the quota; return the seconds waited."""
        quota = self.quota(api_name)
        if quota is None:
            return 0.0
        with self._lock:
            now = self._clock()
            slots = self._slots.setdefault(api_name, deque())
            while slots and slots[0] <= now - WINDOW_S:
                slots.popleft()
            # Reserve a slot: now if the window has room, else when the oldest call in
            # the window leaves it. Reservations are recorded before sleeping, so
            # concurrent callers queue up instead of all waking for the same slot.
            start = now if len(slots) < quota else slots[-quota] + WINDOW_S + SAFETY_S
            start = max(start, self._held_until.get(api_name, now))
            slots.append(start)
        wait = max(0.0, start - now)
        if wait > 0:
            self._sleep(wait)
        return wait

    def hold(self, api_name: str, seconds: float) -> None:
        """No call to `api_name` from any thread for `seconds`: the server just refused one,
        and every sibling worker would otherwise spend a call learning the same thing."""
        with self._lock:
            until = self._clock() + seconds
            self._held_until[api_name] = max(until, self._held_until.get(api_name, until))

    def __repr__(self) -> str:
        return f"RateLimiter(quotas={len(self._quotas)} apis, default={self._default})"
