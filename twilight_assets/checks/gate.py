"""The publication gate: which blocking checks hold back a snapshot.

A snapshot is what readers trust, so it is not published while a blocking check on a
dataset it covers failed on its latest evaluation (publication_gate.sql says exactly
which evaluations clear a failure). The results are read from the warehouse's
quality_log rather than the Dagster instance: every check step appends there under the
writer lease, so the gate sees every result written before it took the lease, whichever
run or deployment wrote it; and it is the record the monitor reads, the same on every
backend.

This module knows nothing of Dagster.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Iterable

import pandas as pd

from twilight_assets.checks.definitions import CHECK_SPECS, SQL_DIR, SQL_PACKAGE
from twilight_assets.warehouse.values import Queryable

GATE_SQL = "publication_gate.sql"


@dataclass(frozen=True)
class HeldBack:
    """A blocking check whose latest evaluation over `partition` failed."""

    check_name: str
    asset: str
    partition: str | None
    """The scope it failed on: a partition key, a range 'a..b', or None for the whole table."""
    message: str
    evaluated_at: dt.datetime
    run_id: str | None

    def __str__(self) -> str:
        scope = self.partition or "the whole table"
        return (
            f"{self.check_name} on {self.asset} ({scope}; evaluated "
            f"{self.evaluated_at:%Y-%m-%d %H:%M:%S} UTC): {self.message}"
        )


def blocking_check_names(assets: Iterable[str]) -> list[str]:
    covered = set(assets)
    return sorted(c.name for c in CHECK_SPECS if c.blocking and c.asset in covered)


@cache
def _gate_sql() -> str:
    return resources.files(SQL_PACKAGE).joinpath(SQL_DIR, GATE_SQL).read_text("utf-8")


def held_back_by(target: Queryable, assets: Iterable[str]) -> list[HeldBack]:
    """The blocking checks on `assets` that stand failed, by asset, check and scope."""
    names = blocking_check_names(assets)
    if not names:
        return []
    frame = target.query(_gate_sql(), [names])
    return [
        HeldBack(
            check_name=row.check_name,
            asset=row.asset,
            partition=None if pd.isna(row.partition) else row.partition,
            message=row.message,
            evaluated_at=pd.Timestamp(row.evaluated_at).to_pydatetime(),
            run_id=None if pd.isna(row.run_id) else row.run_id,
        )
        for row in frame.itertuples(index=False)
    ]
