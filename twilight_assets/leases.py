"""Cross-process leases held with flock on small sidecar files.

Two things here must be held by one process at a time: the DuckDB file for writing
(DuckDB fails a second writer at once instead of waiting) and a Tushare API's quota (two
runs fetching one API at full speed would each be throttled). Dagster's concurrency pools
could queue steps for both, but a pool slot held by a run that is killed -9 is never
given back, and every later run of that API then waits forever. The kernel drops an
flock when its holder dies, however it dies.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from twilight_assets.errors import TwilightError

POLL_S = 0.05


class LeaseTimeoutError(TwilightError):
    """Another process held the lease for longer than we were willing to wait."""


@contextmanager
def file_lease(
    path: Path,
    *,
    what: str,
    timeout_s: float = 3600.0,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[float]:
    """Hold the exclusive lease at `path`; yields the seconds spent waiting for it.

    `on_wait` is called once, when the lease is found taken, so a caller can say why it
    is waiting.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    started = time.monotonic()
    told = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if on_wait is not None and not told:
                    on_wait()
                    told = True
                if time.monotonic() - started > timeout_s:
                    raise LeaseTimeoutError(
                        f"waited {timeout_s:.0f}s for {what}; another process still holds it "
                        f"(lease file {path})"
                    ) from None
                time.sleep(POLL_S)
        try:
            yield time.monotonic() - started
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
