"""A cross-process lease on the right to open the warehouse for writing.

DuckDB lets one process hold the file read-write; any other that tries fails at once
with "Could not set lock on file". Runs that fetch from different Tushare APIs should
fetch in parallel and only queue for the few moments they write, so writers take this
lease around each open-write-close of the warehouse and wait for it instead of failing.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from twilight_assets.errors import WarehouseError
from twilight_assets.leases import LeaseTimeoutError, file_lease


def lease_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".writer.lock")


@contextmanager
def writer_lease(warehouse: Path, *, timeout_s: float = 3600.0) -> Iterator[float]:
    """Hold the exclusive writer lease for `warehouse`; yields the seconds waited."""
    try:
        with file_lease(
            lease_path(warehouse), what=f"the writer lease on {warehouse}", timeout_s=timeout_s
        ) as waited:
            yield waited
    except LeaseTimeoutError as exc:
        raise WarehouseError(str(exc)) from None
