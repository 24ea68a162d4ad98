"""A cross-process lease on the right to open the warehouse for writing.

DuckDB lets one process hold the file read-write; any other that tries fails at once
with "Could not set lock on file". Runs that fetch from different Tushare APIs should
fetch in parallel and only queue for the few moments they write, so writers take this
lease (an flock on a sidecar file) around each open-write-close of the warehouse and
wait for it instead of failing. The kernel drops an flock when its holder dies, so a
kill -9 never leaves the warehouse locked.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from twilight_assets.errors import WarehouseError

POLL_S = 0.05


def lease_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".writer.lock")


@contextmanager
def writer_lease(warehouse: Path, *, timeout_s: float = 3600.0) -> Iterator[float]:
    """Hold the exclusive writer lease for `warehouse`; yields the seconds waited."""
    path = lease_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    started = time.monotonic()
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - started > timeout_s:
                    raise WarehouseError(
                        f"waited {timeout_s:.0f}s for the writer lease on {warehouse}; "
                        f"another process is still writing (lease file {path})"
                    ) from None
                time.sleep(POLL_S)
        try:
            yield time.monotonic() - started
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
