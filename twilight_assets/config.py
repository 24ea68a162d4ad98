"""Configuration by environment, with the defaults a fresh clone runs on."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from twilight_assets.errors import SourceConfigError

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


# -- the source ---------------------------------------------------------------------------

TOKEN_VARIABLE = "TUSHARE_TOKEN"
SOURCE_VARIABLE = "TWILIGHT_SOURCE"
URL_VARIABLE = "TUSHARE_HTTP_URL"
TUSHARE = "tushare"
SIMULATOR = "simulator"
SOURCE_NAMES = (TUSHARE, SIMULATOR)
"""What TWILIGHT_SOURCE may say, and the labels rows carry in their `source` column."""
SIMULATOR_TOKEN = "twilight-simulator-token"
"""The simulator's public token, sent only when TWILIGHT_SOURCE=simulator. Not a secret:
it opens nothing but a simulator, which serves it by default."""


def tushare_token() -> str | None:
    """TUSHARE_TOKEN, stripped; None when unset or blank."""
    return _present(os.environ.get(TOKEN_VARIABLE))


def tushare_http_url() -> str | None:
    """TUSHARE_HTTP_URL: another endpoint (a proxy, or a simulator); None: Tushare's own."""
    return _present(os.environ.get(URL_VARIABLE))


@dataclass(frozen=True)
class SourceSettings:
    """Where to fetch from, with which token, and the label its rows carry."""

    name: str
    """tushare or simulator."""
    token: str = field(repr=False)
    http_url: str | None
    """None: the tushare SDK's own endpoint."""


def source_settings(*, token: str | None) -> SourceSettings:
    """The source the environment chooses; `token` is TUSHARE_TOKEN as the caller read it.

    - TUSHARE_TOKEN set (not blank): Tushare with that token, at TUSHARE_HTTP_URL if set.
      With TWILIGHT_SOURCE=simulator as well it is an error: one of the two must go.
    - TWILIGHT_SOURCE=simulator: the simulator at TUSHARE_HTTP_URL (required), with
      SIMULATOR_TOKEN; its rows are labelled simulator.
    - Otherwise it is an error naming TUSHARE_TOKEN and the ways forward: the simulator's
      token is never sent to an endpoint nobody chose as a simulator, and real data is
      never labelled simulator.
    """
    return choose_source(
        token, choice=os.environ.get(SOURCE_VARIABLE), http_url=os.environ.get(URL_VARIABLE)
    )


def choose_source(token: str | None, *, choice: str | None, http_url: str | None) -> SourceSettings:
    """`source_settings` on explicit values (each as read: unset None, maybe blank)."""
    picked = _present(choice)
    picked = picked.lower() if picked else None
    url = _present(http_url)
    secret = _present(token)
    blank = token is not None and secret is None
    if picked is not None and picked not in SOURCE_NAMES:
        raise SourceConfigError(
            f"{SOURCE_VARIABLE}={choice!r} is not a source: set it to {TUSHARE} or "
            f"{SIMULATOR}, or leave it unset"
        )
    if secret is not None:
        if picked == SIMULATOR:
            raise SourceConfigError(
                f"{TOKEN_VARIABLE} is set and {SOURCE_VARIABLE}=simulator: drop one of the "
                f"two. Unset {SOURCE_VARIABLE} to fetch from Tushare with your token, or "
                f"unset {TOKEN_VARIABLE} to use the simulator"
            )
        return SourceSettings(name=TUSHARE, token=secret, http_url=url)
    if picked == SIMULATOR:
        if url is None:
            raise SourceConfigError(
                f"{SOURCE_VARIABLE}=simulator needs the simulator's address in {URL_VARIABLE}: "
                f"start one with `twilight simulator serve` and set {URL_VARIABLE} to the URL "
                "it prints, or use `make demo` / `make dev`, which start one and set both"
            )
        return SourceSettings(name=SIMULATOR, token=SIMULATOR_TOKEN, http_url=url)
    state = f"{TOKEN_VARIABLE} is blank" if blank else f"{TOKEN_VARIABLE} is not set"
    if url is not None:
        raise SourceConfigError(
            f"{URL_VARIABLE} is set but {state}: set {TOKEN_VARIABLE} to your token for that "
            f"endpoint. The simulator's token is sent only with {SOURCE_VARIABLE}=simulator"
        )
    if picked == TUSHARE:
        raise SourceConfigError(
            f"{SOURCE_VARIABLE}=tushare but {state}: set {TOKEN_VARIABLE} to your Tushare "
            "Pro token"
        )
    raise SourceConfigError(
        f"no source chosen ({state}). Either set {TOKEN_VARIABLE} to your Tushare Pro "
        f"token, or use the simulator: {SOURCE_VARIABLE}=simulator with {URL_VARIABLE} "
        "pointing at a running `twilight simulator serve` (`make demo` and `make dev` "
        "start one and set both)"
    )


def _present(value: str | None) -> str | None:
    """A setting's value stripped, or None when it is unset or blank."""
    if value is None:
        return None
    return value.strip() or None
