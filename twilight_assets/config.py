"""Configuration by environment, with the defaults a fresh clone runs on."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
DEFAULT_SNAPSHOT_DIR = Path("data/snapshots")


def warehouse_path() -> Path:
    """TWILIGHT_WAREHOUSE: the live DuckDB file (one writer at a time)."""
    return Path(os.environ.get("TWILIGHT_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve()


def snapshot_dir() -> Path:
    """TWILIGHT_SNAPSHOT_DIR: where published read-only snapshots live."""
    return Path(os.environ.get("TWILIGHT_SNAPSHOT_DIR") or DEFAULT_SNAPSHOT_DIR).resolve()


def tushare_token() -> str | None:
    """TUSHARE_TOKEN: set it to use Tushare Pro; unset runs the embedded simulator."""
    return os.environ.get("TUSHARE_TOKEN") or None


def tushare_http_url() -> str | None:
    """TUSHARE_HTTP_URL: overrides the endpoint (a proxy, or an external simulator)."""
    return os.environ.get("TUSHARE_HTTP_URL") or None
