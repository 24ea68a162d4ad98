"""DuckDB extensions from their Python wheels, never from the network.

DuckDB downloads an extension it lacks from its own server, which fails offline (and a
production host should not fetch code at run time). The `duckdb-extension-<name>` wheels
pinned in pyproject.toml carry the binary built for the pinned DuckDB; INSTALL copies it
from the wheel into DuckDB's extension directory once, and LOAD loads it.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

import duckdb

from twilight_assets.errors import WarehouseError

# extension name as LOAD knows it -> the wheel's package
WHEELS = {"ducklake": "duckdb_extension_ducklake", "postgres": "duckdb_extension_postgres",
          "httpfs": "duckdb_extension_httpfs"}
_installed: set[str] = set()
_lock = threading.Lock()


def extension_file(name: str) -> Path:
    """The extension binary the wheel ships for this DuckDB version."""
    package = WHEELS[name]
    try:
        root = resources.files(package).joinpath("extensions", f"v{duckdb.__version__}")
        files = sorted(Path(str(root)).glob("*.duckdb_extension"))
    except ModuleNotFoundError:
        files = []
    if not files:
        raise WarehouseError(
            f"no {name} extension for DuckDB {duckdb.__version__}: install the "
            f"{package.replace('_', '-')} wheel of the same version (pyproject.toml pins both)"
        )
    return files[0]


def load(conn: duckdb.DuckDBPyConnection, *names: str) -> None:
    """INSTALL each extension from its wheel (once per process) and LOAD it."""
    for name in names:
        with _lock:
            if name not in _installed:
                conn.execute(f"INSTALL '{extension_file(name)}'").fetchall()
                _installed.add(name)
        conn.execute(f"LOAD {name}").fetchall()
