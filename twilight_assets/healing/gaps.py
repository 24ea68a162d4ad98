"""The gaps a published snapshot shows: failed partitions, open trading days without
rows, and stocks or indexes listed but never ingested (sql/gaps.sql). No Dagster here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources

from twilight_assets.specs import ONCE_PARTITION, REGISTRY, EntityType, Grain
from twilight_assets.warehouse.values import Queryable


@dataclass(frozen=True, order=True)
class Gap:
    api_name: str
    partition_key: str | None  # None: a dataset fetched whole (once)
    reason: str

    @property
    def key(self) -> str:
        """How the healing cursor names it."""
        return f"{self.api_name}:{self.partition_key or ONCE_PARTITION}"

    @property
    def kind(self) -> str:
        """failed | missing | unlisted"""
        return self.reason.split(":", 1)[0]


def _names(predicate) -> list[str]:
    return [s.api_name for s in REGISTRY.values() if predicate(s)]


def find_gaps(snapshot: Queryable, due: dt.date) -> list[Gap]:
    """Every gap in `snapshot`, per-date ones up to the open days due by `due`."""
    sql = resources.files("twilight_assets.healing").joinpath("sql", "gaps.sql").read_text("utf-8")
    frame = snapshot.query(sql, {
        "datasets": list(REGISTRY),
        "per_date": _names(lambda s: s.grain is Grain.PER_DATE),
        "per_stock": _names(lambda s: s.grain is Grain.PER_ENTITY and s.entity_type is EntityType.STOCK),
        "per_index": _names(lambda s: s.grain is Grain.PER_ENTITY and s.entity_type is EntityType.INDEX),
        "due": due,
    })
    return [
        Gap(api, None if REGISTRY[api].grain is Grain.ONCE else key, reason)
        for api, key, reason in frame.itertuples(index=False)
    ]
