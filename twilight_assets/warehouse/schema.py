"""The warehouse DDL (twilight_assets/sql/): created in a new warehouse, brought up to
date by `twilight migrate`, and never changed behind a running writer's back.

Base files (`NN_*.sql`) hold only idempotent statements; a writer opening an empty
warehouse applies them, and one opening a warehouse whose recorded files differ from
this version's refuses, naming what is pending (`ensure_schema`). `migrate_schema`
applies them again: tables whose shape no longer fits are first reconciled (missing
nullable columns added; a table that cannot be brought in line, such as a legacy table
of the same name with other keys or types, renamed `<name>_legacy`, never dropped).
Migrations (`migrations/NNNN_*.sql`) run once each; a `-- requires-table: X` line makes
one apply only to warehouses that have table X (whose secondary indexes are dropped
first: DuckDB cannot rename an indexed table, and legacy tables get renamed).
"""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Iterator

import duckdb

from twilight_assets.errors import WarehouseError
from twilight_assets.warehouse.ledger import legacy_progress_key
from twilight_assets.warehouse.values import quote, transaction, utcnow


SQL_PACKAGE = "twilight_assets.sql"
VERSION_FILE = "00_schema_version.sql"
_BASE_NAME = re.compile(r"^\d{2}_[a-z0-9_]+\.sql$")
_MIGRATION_NAME = re.compile(r"^\d{4}_[a-z0-9_]+\.sql$")
_REQUIRES = re.compile(r"^--\s*requires-table:\s*(\w+)\s*$", re.MULTILINE)
LEGACY_SUFFIX = "_legacy"


@dataclass(frozen=True)
class SqlFile:
    name: str  # as recorded in schema_version: `02_x.sql` or `migrations/0001_x.sql`
    text: str
    kind: str  # schema | migration

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def required_tables(self) -> tuple[str, ...]:
        return tuple(_REQUIRES.findall(self.text))


def base_files() -> list[SqlFile]:
    """sql/NN_*.sql in order, schema_version's own DDL first."""
    root = resources.files(SQL_PACKAGE)
    names = sorted(p.name for p in root.iterdir() if _BASE_NAME.match(p.name))
    return [SqlFile(n, root.joinpath(n).read_text("utf-8"), "schema") for n in names]


def migration_files() -> list[SqlFile]:
    root = resources.files(SQL_PACKAGE).joinpath("migrations")
    names = sorted(p.name for p in root.iterdir() if _MIGRATION_NAME.match(p.name))
    return [
        SqlFile(f"migrations/{n}", root.joinpath(n).read_text("utf-8"), "migration") for n in names
    ]


class SchemaPendingError(WarehouseError):
    """The warehouse's schema is behind this version's DDL: `twilight migrate` first."""


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Create the schema in an empty warehouse; refuse one whose schema is behind.

    A writer calls this on open. It never changes an existing warehouse: renaming or
    rewriting tables under a running deployment is `twilight migrate`'s job, done once,
    deliberately, with its report. Cheap when nothing changed (one read of
    schema_version). Returns the files applied (all of them, or none)."""
    existing = _table_names(conn)
    if not existing:
        return _apply_base_files(conn)
    pending = pending_changes(conn)
    if pending:
        raise SchemaPendingError(
            "the warehouse's schema is behind this version of twilight-assets ("
            + "; ".join(pending) + "): run `twilight migrate` (it keeps every row) and retry"
        )
    return []


def pending_changes(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """What `twilight migrate` would do to this warehouse, in words; empty when current."""
    existing = _table_names(conn)
    if "schema_version" not in existing:
        return ["no schema_version table (a warehouse made by the legacy code)"]
    recorded = _recorded(conn)
    out = [f"{f.name} changed" for f in base_files() if (f.name, f.checksum) not in recorded]
    recorded_names = {name for name, _ in recorded}
    out += [
        f"{m.name} not applied" for m in migration_files()
        if m.name not in recorded_names and set(m.required_tables) <= existing
    ]
    return out


def migrate_schema(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Bring the warehouse up to the DDL in sql/ (after warehouse/migrate.py has rewritten
    an older layout); returns what was done, in order. Each file applies in its own
    transaction: a failure leaves the previous state."""
    files = base_files()
    version = next(f for f in files if f.name == VERSION_FILE)
    conn.execute(version.text).fetchall()
    recorded = _recorded(conn)
    done: list[str] = []
    pending = [f for f in files if f.name != VERSION_FILE and (f.name, f.checksum) not in recorded]
    if pending:
        done += reconcile_tables(conn, expected_tables(tuple(files)))
    for f in files:
        if f in pending or (f.name == VERSION_FILE and (f.name, f.checksum) not in recorded):
            _apply(conn, f)
            done.append(f.name)
    recorded_names = {name for name, _ in _recorded(conn)}
    existing = _table_names(conn)
    for m in migration_files():
        if m.name in recorded_names or not set(m.required_tables) <= existing:
            continue
        for table in m.required_tables:
            done += _drop_secondary_indexes(conn, table)
        with _migration_functions(conn):
            _apply(conn, m)
        done.append(m.name)
        existing = _table_names(conn)
    return done


def _apply_base_files(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Create a new warehouse's schema in one transaction: a process killed while it
    runs leaves an empty warehouse, which the next writer creates again, never half a
    schema that would look like one needing migration."""
    files = base_files()
    with transaction(conn):
        for f in files:
            _run(conn, f)
    return [f.name for f in files]


def _apply(conn: duckdb.DuckDBPyConnection, f: SqlFile) -> None:
    with transaction(conn):
        _run(conn, f)


def _run(conn: duckdb.DuckDBPyConnection, f: SqlFile) -> None:
    try:
        conn.execute(f.text).fetchall()
        conn.execute(
            "INSERT INTO schema_version (name, checksum, kind, applied_at) SELECT ?, ?, ?, ? "
            "WHERE NOT EXISTS (SELECT 1 FROM schema_version WHERE name = ? AND checksum = ?)",
            [f.name, f.checksum, f.kind, utcnow(), f.name, f.checksum],
        ).fetchall()
    except duckdb.Error as exc:
        raise WarehouseError(f"applying {f.name} failed: {exc}") from exc


def _recorded(conn: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return {(n, c) for n, c in conn.execute("SELECT name, checksum FROM schema_version").fetchall()}


@contextmanager
def _migration_functions(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Python functions that migrations call, registered only while one runs."""
    conn.create_function(
        "legacy_progress_key",
        legacy_progress_key,
        [duckdb.sqltype("VARCHAR"), duckdb.sqltype("DATE")],
        duckdb.sqltype("VARCHAR"),
        null_handling="special",
    )
    try:
        yield
    finally:
        conn.remove_function("legacy_progress_key")




# --- reconciling existing tables with the DDL -------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    nullable: bool


@dataclass(frozen=True)
class TableShape:
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def table_shapes(conn: duckdb.DuckDBPyConnection) -> dict[str, TableShape]:
    """Columns (in order) and primary key of every base table in the main schema."""
    cols = conn.execute(
        "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable FROM duckdb_columns() AS c "
        "JOIN duckdb_tables() AS t ON t.database_name = c.database_name "
        "AND t.schema_name = c.schema_name AND t.table_name = c.table_name "
        "WHERE c.database_name = current_database() AND c.schema_name = 'main' AND NOT t.internal "
        "ORDER BY c.table_name, c.column_index"
    ).fetchall()
    keys = conn.execute(
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "AND constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    pk = {t: tuple(names) for t, names in keys}
    by_table: dict[str, list[Column]] = {}
    for table, name, data_type, nullable in cols:
        by_table.setdefault(table, []).append(Column(name, data_type, bool(nullable)))
    return {t: TableShape(tuple(c), pk.get(t, ())) for t, c in by_table.items()}


@cache
def expected_tables(files: tuple[SqlFile, ...]) -> dict[str, TableShape]:
    """The tables the DDL creates, read back from a scratch in-memory database."""
    scratch = duckdb.connect(":memory:")
    try:
        for f in files:
            scratch.execute(f.text).fetchall()
        return table_shapes(scratch)
    finally:
        scratch.close()


def reconcile_tables(
    conn: duckdb.DuckDBPyConnection, expected: dict[str, TableShape]
) -> list[str]:
    """Make existing tables fit `expected` without losing a row; returns what it did."""
    done: list[str] = []
    live = table_shapes(conn)
    for table, want in expected.items():
        have = live.get(table)
        if have is None:
            continue
        misfit = _misfit(have, want)
        if misfit:
            done += _drop_secondary_indexes(conn, table)
            new_name = _free_name(conn, table + LEGACY_SUFFIX)
            conn.execute(f"ALTER TABLE {quote(table)} RENAME TO {quote(new_name)}").fetchall()
            done.append(f"reconcile: renamed {table} to {new_name} ({misfit}); a new {table} replaces it")
            continue
        for col in want.columns:
            if have.column(col.name) is None:
                conn.execute(
                    f"ALTER TABLE {quote(table)} ADD COLUMN {quote(col.name)} {col.data_type}"
                ).fetchall()
                done.append(f"reconcile: added column {table}.{col.name} {col.data_type}")
    return done


def _drop_secondary_indexes(conn: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """DuckDB refuses to rename a table that has indexes (a "Dependency Error"), and
    setting aside or migrating a legacy table renames it. An index holds no data of its
    own, so it is dropped (ours are recreated by 05_indexes.sql)."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT index_name FROM duckdb_indexes() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = ?",
            [table],
        ).fetchall()
    ]
    for name in names:
        conn.execute(f"DROP INDEX {quote(name)}").fetchall()
    return [f"reconcile: dropped index {name} on {table} so the table can be renamed" for name in names]


def _misfit(have: TableShape, want: TableShape) -> str | None:
    """Why `have` cannot be brought to `want` by adding nullable columns, or None."""
    if have.primary_key != want.primary_key:
        return f"primary key {have.primary_key or 'none'} is not {want.primary_key or 'none'}"
    for col in want.columns:
        got = have.column(col.name)
        if got is None and not col.nullable:
            return f"lacks required column {col.name}"
        if got is not None and got.data_type != col.data_type:
            return f"column {col.name} is {got.data_type}, not {col.data_type}"
    return None


def _free_name(conn: duckdb.DuckDBPyConnection, name: str) -> str:
    taken = _table_names(conn)
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    return candidate


def _table_names(conn: duckdb.DuckDBPyConnection) -> set[str]:
    rows = conn.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT internal"
    ).fetchall()
    return {r[0] for r in rows}
