"""What the healing sensor asks for on one tick: a pure decision over the gaps a snapshot
shows, what Dagster already knows about them, and what earlier ticks asked for.

A gap goes through: requested (a heal run is asked for; attempt n) -> in flight (its run
is queued or running) -> healed (Dagster recorded its materialization after the request:
the next snapshot will show it) or failed again (re-requested after a backoff that
doubles with each attempt) -> exhausted once the retry budget is spent, then reported and
never asked for again until the gap is gone. A gap that leaves the snapshot is forgotten,
so a partition that breaks again later gets a fresh budget.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field

from twilight_assets.healing.gaps import Gap

ATTEMPTS_ENV = "TWILIGHT_HEAL_ATTEMPTS"
BACKOFF_ENV = "TWILIGHT_HEAL_BACKOFF_S"


@dataclass(frozen=True)
class HealPolicy:
    attempts: int = 3
    """Heal runs asked for one partition before it is reported exhausted."""
    backoff_s: float = 900.0
    """Wait before the second attempt; doubles after each (a source outage passes)."""
    max_per_tick: int = 500
    """Partitions asked for in one tick; the rest wait for the next."""

    @classmethod
    def from_env(cls) -> HealPolicy:
        return cls(
            attempts=int(os.environ.get(ATTEMPTS_ENV, cls.attempts)),
            backoff_s=float(os.environ.get(BACKOFF_ENV, cls.backoff_s)),
        )

    def ready_at(self, requested_at: dt.datetime, attempts: int) -> dt.datetime:
        return requested_at + dt.timedelta(seconds=self.backoff_s * 2 ** max(attempts - 1, 0))


@dataclass
class Asked:
    attempts: int
    requested_at: dt.datetime
    batch: str


@dataclass
class HealState:
    """The sensor's cursor: what was asked for each gap still open, and what was reported."""

    asked: dict[str, Asked] = field(default_factory=dict)
    reported: list[str] = field(default_factory=list)

    def dumps(self) -> str:
        return json.dumps({
            "asked": {k: [a.attempts, a.requested_at.isoformat(), a.batch] for k, a in sorted(self.asked.items())},
            "reported": sorted(self.reported),
        })

    @classmethod
    def loads(cls, text: str | None) -> HealState:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            asked={k: Asked(n, dt.datetime.fromisoformat(t), b) for k, (n, t, b) in data.get("asked", {}).items()},
            reported=list(data.get("reported", [])),
        )


@dataclass(frozen=True)
class Evidence:
    """What Dagster knows, gathered by the sensor for the gaps of this tick."""

    snapshot_at: dt.datetime
    """When the snapshot the gaps were read from was published (UTC)."""
    materialized_at: dict[str, dt.datetime]
    """Gap key -> its latest materialization, where there is one after the snapshot."""
    running_batches: frozenset[str]
    """Batches of heal runs queued or running."""


@dataclass
class Decision:
    request: list[tuple[Gap, int]] = field(default_factory=list)  # (gap, attempt number)
    healed: list[Gap] = field(default_factory=list)
    in_flight: list[Gap] = field(default_factory=list)
    backing_off: list[Gap] = field(default_factory=list)
    exhausted: list[Gap] = field(default_factory=list)
    deferred: list[Gap] = field(default_factory=list)  # past this tick's cap
    newly_exhausted: list[Gap] = field(default_factory=list)  # not reported by an earlier tick


def decide(gaps: list[Gap], state: HealState, evidence: Evidence, now: dt.datetime,
           policy: HealPolicy) -> tuple[Decision, HealState]:
    """One tick's decision, and the cursor after it (the caller names the batches)."""
    decision = Decision()
    asked: dict[str, Asked] = {}
    for gap in sorted(gaps):
        before = state.asked.get(gap.key)
        since = evidence.snapshot_at if before is None else max(evidence.snapshot_at, before.requested_at)
        done = evidence.materialized_at.get(gap.key)
        if before is not None:
            asked[gap.key] = before
        if done is not None and done > since:
            decision.healed.append(gap)
        elif before is not None and before.batch in evidence.running_batches:
            decision.in_flight.append(gap)
        elif before is not None and before.attempts >= policy.attempts:
            decision.exhausted.append(gap)
        elif before is not None and now < policy.ready_at(before.requested_at, before.attempts):
            decision.backing_off.append(gap)
        elif len(decision.request) >= policy.max_per_tick:
            decision.deferred.append(gap)
        else:
            decision.request.append((gap, (before.attempts if before else 0) + 1))
    reported = set(state.reported)
    decision.newly_exhausted = [g for g in decision.exhausted if g.key not in reported]
    return decision, HealState(asked=asked, reported=sorted(g.key for g in decision.exhausted))
