"""Where the warehouse lives, and what that changes: one interface, two backends.

- **file** (the default): one DuckDB file. One process may open it read-write, so
  writers take turns through a kernel lease (flock on `<file>.writer.lock`) held only
  while they write; readers open published copies (warehouse/snapshots.py).
- **ducklake**: a DuckLake, its catalog in PostgreSQL (`ducklake:postgres:<conninfo>`)
  or in a local DuckDB file (`ducklake:<path>.ducklake`), its data as Parquet under
  TWILIGHT_LAKE_DATA (a folder or s3://). With a PostgreSQL catalog many processes on
  many hosts commit at once: no writer lease; a partition is guarded by a PostgreSQL
  advisory lock (PostgreSQL releases it when its holder dies, as the kernel does a
  flock), and a commit that conflicts with another is retried. A local catalog is one
  DuckDB file again, so its writers take the same kernel lease as the file backend.

Everything above this layer asks a `Backend` for a writer, a lease or a snapshot and
never looks at which kind it got.
"""

from __future__ import annotations

import hashlib
import re
import threading
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ContextManager, Iterator

import duckdb

from twilight_assets import config
from twilight_assets.errors import WarehouseError
from twilight_assets.leases import LeaseTimeoutError, file_lease
from twilight_assets.warehouse import extensions
from twilight_assets.warehouse.object_store import S3Settings

if TYPE_CHECKING:
    from twilight_assets.warehouse.writer import WarehouseWriter

FILE, DUCKLAKE = "file", "ducklake"
LAKE_ALIAS = "lake"
CHECKPOINT_THRESHOLD = "256MB"
"""WAL size that triggers DuckDB's automatic checkpoint in a warehouse file (default 16MB).
A checkpoint rewrites the last, partly filled row group of every table written since the
previous one; at the default that came every few daily partitions. The commits are as
durable either way (the WAL is synced at every commit); the writer checkpoints when it
closes."""
DATA_INLINING_ROW_LIMIT = 100
"""DuckLake keeps writes of up to this many rows in the catalog instead of a Parquet file
each: the ledger's, raw_responses' and quality_log's one-row appends would otherwise be
thousands of tiny files. Partitions of market data are thousands of rows: Parquet."""


@dataclass(frozen=True)
class WarehouseLocation:
    kind: str  # FILE | DUCKLAKE
    target: str
    """FILE: the file's absolute path. DUCKLAKE: the catalog, as ATTACH takes it after
    `ducklake:` (`postgres:<conninfo>` or a .ducklake file's path)."""
    data_path: str | None = None

    @classmethod
    def parse(cls, text: str, data_path: str | None = None) -> WarehouseLocation:
        if not text.startswith(config.LAKE_PREFIX):
            return cls(FILE, str(Path(text).resolve()))
        catalog = text[len(config.LAKE_PREFIX):].strip()
        if not catalog:
            raise WarehouseError("TWILIGHT_WAREHOUSE=ducklake: names no catalog "
                                 "(ducklake:postgres:<conninfo> or ducklake:<path>.ducklake)")
        if not catalog.startswith("postgres:"):
            catalog = str(Path(catalog).resolve())
        return cls(DUCKLAKE, catalog, data_path)

    @property
    def postgres_conninfo(self) -> str | None:
        if self.kind == DUCKLAKE and self.target.startswith("postgres:"):
            return self.target[len("postgres:"):].strip()
        return None

    @property
    def local_file(self) -> Path | None:
        """The one file a writer must hold alone (a warehouse file or a local catalog)."""
        if self.kind == FILE:
            return Path(self.target)
        return None if self.postgres_conninfo is not None else Path(self.target)

    @property
    def label(self) -> str:
        """How logs and metadata name the warehouse: a PostgreSQL password is never shown."""
        if self.kind == FILE:
            return self.target
        conninfo = self.postgres_conninfo
        if conninfo is None:
            return f"ducklake:{self.target}"
        return "ducklake:postgres:" + " ".join(
            "password=***" if part.lower().startswith("password=") else part
            for part in conninfo.split()
        )


class Backend:
    """Connections, leases and locks for one warehouse location."""

    def __init__(self, location: WarehouseLocation, *, lease_timeout_s: float = 3600.0) -> None:
        self.location = location
        self.lease_timeout_s = lease_timeout_s
        self._locks = _AdvisoryLocks(location.postgres_conninfo) if location.postgres_conninfo else None

    @property
    def kind(self) -> str:
        return self.location.kind

    @property
    def is_lake(self) -> bool:
        return self.location.kind == DUCKLAKE

    @property
    def concurrent_writers(self) -> bool:
        """Whether processes write at once (and commits may conflict) or take turns."""
        return self.location.local_file is None

    def __repr__(self) -> str:
        return f"Backend({self.location.label})"

    # --- connections ---------------------------------------------------------------------

    def connect(self, *, read_only: bool = False, snapshot_version: int | None = None,
                catalog_file: Path | None = None) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection whose default catalog is the warehouse.

        On a DuckLake, `snapshot_version` attaches it as of that catalog snapshot, and
        `catalog_file` reads a copy of a local catalog instead of the live one."""
        if self.location.kind == FILE:
            path = Path(self.location.target)
            if not read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
            try:
                if read_only:
                    return no_downloads(duckdb.connect(str(path), read_only=True))
                return no_downloads(duckdb.connect(str(path), config={"checkpoint_threshold": CHECKPOINT_THRESHOLD}))
            except duckdb.IOException as exc:
                raise WarehouseError(
                    f"cannot open the warehouse {path}: another process holds it (one writer "
                    f"at a time; readers use snapshots). {exc}"
                ) from exc
        conn = no_downloads(duckdb.connect())
        try:
            self._attach_lake(conn, read_only=read_only, snapshot_version=snapshot_version,
                              catalog_file=catalog_file)
        except BaseException:
            conn.close()
            raise
        return conn

    def cursor(self, conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """A new cursor on `conn` that sees the warehouse as its default catalog (`USE` is
        per connection, and a cursor is a connection of its own)."""
        cursor = conn.cursor()
        if self.is_lake:
            cursor.execute(f"USE {LAKE_ALIAS}").fetchall()
        return cursor

    def _attach_lake(self, conn: duckdb.DuckDBPyConnection, *, read_only: bool,
                     snapshot_version: int | None, catalog_file: Path | None) -> None:
        loc = self.location
        needed = ["ducklake"]
        if loc.postgres_conninfo is not None and catalog_file is None:
            needed.append("postgres")
        if loc.data_path and "://" in loc.data_path:
            needed.append("httpfs")
        extensions.load(conn, *needed)
        if "httpfs" in needed:
            _create_s3_secret(conn)
        target = str(catalog_file) if catalog_file is not None else loc.target
        if catalog_file is None and loc.postgres_conninfo is None:
            Path(loc.target).parent.mkdir(parents=True, exist_ok=True)
        options = [f"DATA_INLINING_ROW_LIMIT {DATA_INLINING_ROW_LIMIT}"]
        if loc.data_path:
            if "://" not in loc.data_path:
                Path(loc.data_path).mkdir(parents=True, exist_ok=True)
            options.append(f"DATA_PATH {_literal(loc.data_path.rstrip('/') + '/')}")
        if snapshot_version is not None:
            options.append(f"SNAPSHOT_VERSION {int(snapshot_version)}")
        if read_only:
            options.append("READ_ONLY")
        try:
            conn.execute(
                f"ATTACH {_literal('ducklake:' + target)} AS {LAKE_ALIAS} ({', '.join(options)})"
            ).fetchall()
        except duckdb.Error as exc:
            text = str(exc)
            if not loc.data_path and "data_path is not set" in text.lower():
                raise WarehouseError(
                    f"the DuckLake {loc.label} does not exist yet, and creating it needs "
                    f"TWILIGHT_LAKE_DATA: set it to where the lake keeps its Parquet files (a folder "
                    f"every writer host sees, or s3://bucket/prefix). An existing lake remembers its own"
                ) from exc
            if catalog_file is None and "does not exist" in text and "creating a new DuckLake is" in text:
                raise WarehouseError(
                    f"there is no DuckLake at {loc.label} yet: nothing has written to it (a writer "
                    f"creates it on first open)"
                ) from exc
            raise WarehouseError(f"cannot attach the DuckLake {loc.label}: {_redact(text, loc)}") from exc
        conn.execute(f"USE {LAKE_ALIAS}").fetchall()

    # --- writing -----------------------------------------------------------------------

    @contextmanager
    def writer_lease(self) -> Iterator[float]:
        """The right to write, for as long as the block runs; yields the seconds waited.

        A warehouse file (or a local catalog) takes the kernel lease; a DuckLake on
        PostgreSQL needs none."""
        path = self.location.local_file
        if path is None:
            yield 0.0
            return
        lease = path.with_name(path.name + ".writer.lock")
        try:
            with file_lease(lease, what=f"the writer lease on {path}", timeout_s=self.lease_timeout_s) as waited:
                yield waited
        except LeaseTimeoutError as exc:
            raise WarehouseError(str(exc)) from None

    @contextmanager
    def writer(self) -> Iterator["WarehouseWriter"]:
        """The lease, then the warehouse open for writing, closed again at the end."""
        from twilight_assets.warehouse.writer import WarehouseWriter

        with self.writer_lease():
            with WarehouseWriter(self) as writer:
                yield writer

    def partition_lock(self, key: str) -> ContextManager[None]:
        """Held around one partition's transaction, so two processes never write one
        partition at once. Writers that take turns (the lease) need nothing more."""
        if self._locks is None:
            return nullcontext()
        return self._locks.hold(f"twilight:partition:{key}", what=f"the write lock of partition {key}")

    def named_lock(self, name: str) -> ContextManager[None]:
        """A cross-process lock for work that must not run twice at once (creating the
        schema, publishing). On a DuckLake on PostgreSQL, an advisory lock."""
        if self._locks is None:
            return nullcontext()
        return self._locks.hold(f"twilight:{name}", what=f"the {name} lock")

    def fetch_lease(self, api_name: str, *, timeout_s: float, on_wait=None) -> ContextManager[float]:
        """One process at a time fetches a Tushare API: its quota is per API and account.

        A kernel lease beside a warehouse file; a PostgreSQL advisory lock for a DuckLake
        on PostgreSQL, whose writers may run on several hosts."""
        if self._locks is not None:
            return self._locks.lease(f"twilight:fetch:{api_name}", what=f"the {api_name} fetch lease",
                                     timeout_s=timeout_s, on_wait=on_wait)
        folder = (self.location.local_file or Path(config.DEFAULT_WAREHOUSE).resolve()).parent / "leases"
        return file_lease(folder / f"fetch-{api_name}.lock", what=f"the {api_name} fetch lease",
                          timeout_s=timeout_s, on_wait=on_wait)

    @staticmethod
    def is_conflict(exc: BaseException) -> bool:
        """A DuckLake commit that lost a race with another writer's: retry it."""
        text = str(exc)
        return isinstance(exc, duckdb.Error) and "conflict" in text.lower() and "ransaction" in text

    def lost_catalog(self, exc: BaseException) -> bool:
        """Whether `exc` says the lake's PostgreSQL session is gone (the server restarted,
        crashed or cannot be reached), rather than that the server refused the statement.

        DuckDB's postgres extension reports a dead session as a failed query with no
        server message (`Failed to execute query "ROLLBACK": `), or with libpq's own."""
        if self.location.postgres_conninfo is None or not isinstance(exc, duckdb.Error):
            return False
        text = str(exc).lower()
        return bool(_EMPTY_SERVER_REPLY.search(text)) or any(sign in text for sign in _LOST_CONNECTION)


def open_backend(url: str | None = None, *, data_path: str | None = None,
                 lease_timeout_s: float = 3600.0) -> Backend:
    """The backend TWILIGHT_WAREHOUSE (and TWILIGHT_LAKE_DATA) name, or the given ones."""
    location = WarehouseLocation.parse(url or config.warehouse_url(),
                                       data_path if data_path is not None else config.lake_data())
    return Backend(location, lease_timeout_s=lease_timeout_s)


def no_downloads(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """`conn`, with DuckDB's automatic extension installs and loads turned off: a query that
    needs an extension nobody loaded fails, instead of fetching code from the network at
    run time (extensions come from their wheels, extensions.py).

    Set after connecting, not through `config=`: a second connection to the same file in
    this process with a different config would be refused."""
    conn.execute("SET autoinstall_known_extensions = false").fetchall()
    conn.execute("SET autoload_known_extensions = false").fetchall()
    return conn


def as_backend(target: "Backend | str | Path") -> Backend:
    """A Backend, from itself or from a path or URL (tests and scripts pass paths)."""
    if isinstance(target, Backend):
        return target
    return open_backend(str(target))


# --- helpers ---------------------------------------------------------------------------

_LOST_CONNECTION = (
    "server closed the connection", "terminating connection", "connection refused",
    "could not connect to server", "no connection to the server", "connection to server at",
    "ssl connection has been closed", "the database system is shutting down",
    "the database system is starting up", "the database system is in recovery mode",
    "could not receive data from server", "could not send data to server",
    "unable to connect to postgres",
)
_EMPTY_SERVER_REPLY = re.compile(r'failed to execute query "[^"]*":\s*$')


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _redact(text: str, location: WarehouseLocation) -> str:
    conninfo = location.postgres_conninfo or ""
    for part in conninfo.split():
        if part.lower().startswith("password="):
            text = text.replace(part.split("=", 1)[1], "***")
    return text


def _create_s3_secret(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(S3Settings.from_env().duckdb_secret_sql()).fetchall()


class _AdvisoryLocks:
    """PostgreSQL session advisory locks on the lake's catalog database.

    One connection per thread, held open: a session lock lives as long as the session,
    and PostgreSQL ends the session (and frees its locks) when the process dies."""

    POLL_S = 0.05

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._local = threading.local()

    def _connection(self):
        import psycopg2  # dagster-postgres' driver; only a DuckLake on PostgreSQL needs it

        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            try:
                conn = psycopg2.connect(self.conninfo)
            except psycopg2.Error as exc:
                raise WarehouseError(f"cannot reach the lake's PostgreSQL: {exc}") from exc
            conn.autocommit = True
            self._local.conn = conn
        return conn

    @staticmethod
    def _key(name: str) -> int:
        return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)

    @contextmanager
    def hold(self, name: str, *, what: str) -> Iterator[None]:
        with self.lease(name, what=what, timeout_s=None):
            yield

    def _try_lock(self, key: int, what: str) -> bool:
        """One attempt; a session the server dropped (a restart) is replaced once."""
        import psycopg2

        for attempt in (1, 2):
            try:
                conn = self._connection()
                with conn.cursor() as cur:
                    cur.execute("SELECT pg_try_advisory_lock(%s)", (key,))
                    return bool(cur.fetchone()[0])
            except (psycopg2.OperationalError, WarehouseError) as exc:
                if getattr(self._local, "conn", None) is not None:
                    self._local.conn.close()
                if attempt == 2:
                    raise WarehouseError(f"{what}: the lake's PostgreSQL is unreachable ({exc})") from exc
        return False

    @contextmanager
    def lease(self, name: str, *, what: str, timeout_s: float | None, on_wait=None) -> Iterator[float]:
        import time

        import psycopg2

        key = self._key(name)
        started = time.monotonic()
        told = False
        while not self._try_lock(key, what):
            if on_wait is not None and not told:
                on_wait()
                told = True
            if timeout_s is not None and time.monotonic() - started > timeout_s:
                raise WarehouseError(f"waited {timeout_s:.0f}s for {what}; another process holds it")
            time.sleep(self.POLL_S)
        try:
            yield time.monotonic() - started
        finally:
            try:
                with self._connection().cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock(%s)", (key,))
            except psycopg2.OperationalError:
                self._local.conn.close()  # the session is gone, and its locks with it
