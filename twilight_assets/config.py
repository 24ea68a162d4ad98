"""Configuration by environment, with the defaults a fresh clone runs on."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
DEFAULT_SNAPSHOT_DIR = Path("data/snapshots")
DEFAULT_LAKE_ARCHIVE = Path("data/archive")
LAKE_PREFIX = "ducklake:"


def warehouse_url() -> str:
    """TWILIGHT_WAREHOUSE: a DuckDB file path (default data/warehouse.duckdb; one writer
    process at a time), or a DuckLake: `ducklake:postgres:<libpq conninfo>` (catalog on
    PostgreSQL, many writers on many hosts) or `ducklake:<path>.ducklake` (a local catalog)."""
    text = (os.environ.get("TWILIGHT_WAREHOUSE") or "").strip()
    if not text:
        return str(DEFAULT_WAREHOUSE.resolve())
    return text if text.startswith(LAKE_PREFIX) else str(Path(text).resolve())


def lake_data() -> str | None:
    """TWILIGHT_LAKE_DATA: where a DuckLake keeps its Parquet files (a folder or s3://...)."""
    text = (os.environ.get("TWILIGHT_LAKE_DATA") or "").strip()
    if not text:
        return None
    return text if "://" in text else str(Path(text).resolve())


def archive_root() -> str:
    """TWILIGHT_ARCHIVE: the raw archive, a folder or s3://bucket/prefix. Default: `archive`
    beside a warehouse file (data/archive for the default), data/archive for a DuckLake,
    whose writers on several hosts need it on shared storage instead."""
    text = (os.environ.get("TWILIGHT_ARCHIVE") or "").strip()
    if text:
        return text if "://" in text else str(Path(text).resolve())
    url = warehouse_url()
    if url.startswith(LAKE_PREFIX):
        return str(DEFAULT_LAKE_ARCHIVE.resolve())
    return str(Path(url).parent / "archive")


def snapshot_dir() -> Path:
    """TWILIGHT_SNAPSHOT_DIR: where published read-only snapshots live."""
    return Path(os.environ.get("TWILIGHT_SNAPSHOT_DIR") or DEFAULT_SNAPSHOT_DIR).resolve()


def allow_mixed_sources() -> bool:
    """TWILIGHT_ALLOW_MIXED_SOURCES=1: let simulator and Tushare rows share one warehouse
    (normally refused: a warehouse holds one source's data)."""
    return (os.environ.get("TWILIGHT_ALLOW_MIXED_SOURCES") or "").strip().lower() in {"1", "true", "yes"}


def tushare_token() -> str | None:
    """TUSHARE_TOKEN: set it to use Tushare Pro; unset runs the embedded simulator."""
    return os.environ.get("TUSHARE_TOKEN") or None


def tushare_http_url() -> str | None:
    """TUSHARE_HTTP_URL: overrides the endpoint (a proxy, or an external simulator)."""
    return os.environ.get("TUSHARE_HTTP_URL") or None
