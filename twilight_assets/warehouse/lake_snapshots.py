"""Snapshots of a DuckLake on PostgreSQL: a verified catalog version, published, not copied.
(A lake with a local catalog file publishes a copy of that file, warehouse/snapshots.py,
and records it here too; `maintain` serves both.)

Every DuckLake commit is a snapshot readers can attach at (`SNAPSHOT_VERSION`), from any
host, while writers go on. Publishing one therefore copies nothing: it takes the latest
version, counts every table's rows at it, attaches it again as a reader would and checks
the counts match, and appends a row to `snapshot_publications` (in the lake itself, so
every host sees it). That row is this backend's CURRENT: a reader attaches at the
version the newest row names. The cost is the counting, whatever the warehouse's size.

Old versions are expired, and the files only they used removed, by `maintain`, which
keeps the last `keep` published versions readable and merges small files.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

import duckdb

from twilight_assets.errors import NoSnapshotError, WarehouseError
from twilight_assets.warehouse.backend import LAKE_ALIAS, Backend
from twilight_assets.warehouse.values import quote, utcnow

PUBLICATIONS = "snapshot_publications"


def current_version(conn: duckdb.DuckDBPyConnection) -> int:
    return int(conn.execute(f"SELECT id FROM ducklake_current_snapshot({LAKE_ALIAS!r})").fetchall()[0][0])


def table_row_counts(conn: duckdb.DuckDBPyConnection, version: int | None = None) -> dict[str, int]:
    """Rows of every table of the lake, at `version` (default: as the connection sees it)."""
    tables = [r[0] for r in conn.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT internal ORDER BY table_name"
    ).fetchall()]
    if not tables:
        return {}
    at = f" AT (VERSION => {int(version)})" if version is not None else ""
    union = " UNION ALL ".join(f"SELECT ?, count(*) FROM {quote(t)}{at}" for t in tables)
    return {name: int(n) for name, n in conn.execute(union, tables).fetchall()}


class _AtVersion:
    """`.query` over one version of the lake, for a publication gate."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self._conn = conn

    def query(self, sql: str, params: list | None = None):
        return self._conn.execute(sql, params or []).df()


def publish(writer, *, keep: int, snapshot_id: str, gate=None) -> dict:
    """Verify the lake's latest version and publish it; returns the publication. `gate`
    judges that very version (writers may commit newer ones meanwhile)."""
    started = time.monotonic()
    backend: Backend = writer.backend
    with backend.named_lock("publish"):
        with writer.quiesced() as conn:
            conn.begin()
            try:
                version = current_version(conn)
                counts = table_row_counts(conn, version)
            finally:
                conn.rollback()
        counted = time.monotonic()
        # As a reader would see it: a fresh attachment at that version, on its own.
        reader = backend.connect(read_only=True, snapshot_version=version)
        try:
            got = table_row_counts(reader)
            if gate is not None:
                gate(_AtVersion(reader))
        finally:
            reader.close()
        if got != counts:
            diff = {t: (counts.get(t), got.get(t)) for t in set(counts) | set(got) if counts.get(t) != got.get(t)}
            raise WarehouseError(f"lake version {version} does not read back as counted: {diff}")
        verified = time.monotonic()
        info = {
            "snapshot_id": snapshot_id, "version": version, "warehouse": backend.location.label,
            "created_at": utcnow().isoformat(), "table_rows": counts, "bytes": 0,
            "writers_held_s": 0.0, "checkpoint_s": 0.0, "copy_s": 0.0,
            "count_s": counted - started, "verify_s": verified - counted,
            "duration_s": time.monotonic() - started, "keep": keep,
        }
        record_publication(writer, info)
        return info


def record_publication(writer, info: dict) -> None:
    """Append a publication (snapshot_id, version, created_at, ...) to the lake's record:
    a PostgreSQL-catalog lake's CURRENT, and what `maintain` keeps readable on both."""
    created_at = dt.datetime.fromisoformat(str(info["created_at"]))
    if created_at.tzinfo is not None:
        created_at = created_at.astimezone(dt.UTC).replace(tzinfo=None)
    writer.query(
        f"INSERT INTO {PUBLICATIONS} (snapshot_id, version, created_at, info) "
        "VALUES (?, ?, ?, CAST(? AS JSON))",
        [info["snapshot_id"], int(info["version"]), created_at, json.dumps(info)],
    )


def publications(conn: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[dict]:
    """Published versions, newest first, as recorded in the lake."""
    if PUBLICATIONS not in {r[0] for r in conn.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
    ).fetchall()}:
        return []
    sql = f"SELECT info FROM {PUBLICATIONS} ORDER BY version DESC, created_at DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [json.loads(r[0]) for r in conn.execute(sql).fetchall()]


def locate(backend: Backend, snapshot_id: str | None = None) -> dict:
    """The publication to read: the newest, or the one named."""
    conn = backend.connect(read_only=True)
    try:
        found = publications(conn)
    finally:
        conn.close()
    if not found:
        raise NoSnapshotError(
            f"no snapshot has been published in {backend.location.label}; publish one with "
            "`twilight snapshot publish` (or materialize the snapshot asset)"
        )
    if snapshot_id is None:
        return found[0]
    for info in found:
        if info["snapshot_id"] == snapshot_id:
            return info
    known = ", ".join(i["snapshot_id"] for i in found[:10])
    raise NoSnapshotError(f"no snapshot {snapshot_id!r} in {backend.location.label} (published: {known})")


@dataclass(frozen=True)
class MaintenanceReport:
    kept_versions: list[int]
    expired: int
    compacted: bool
    seconds: float

    def lines(self) -> list[str]:
        return [
            f"kept the last {len(self.kept_versions)} published versions readable: {self.kept_versions}",
            f"expired {self.expired} older snapshots and removed the files only they used",
            "merged adjacent small files and flushed inlined rows to Parquet" if self.compacted else
            "flushed inlined rows to Parquet; small files not merged (the published copies of a "
            "local catalog name the files they read)",
        ]


def maintain(writer, *, keep: int = 3) -> MaintenanceReport:
    """Compact small files, expire the versions older than the last `keep` published
    ones, and delete the files nothing readable uses any more. On a local catalog the
    published copies of the catalog read the live lake's files, so the same rule keeps
    them readable; nothing published yet: nothing expires."""
    started = time.monotonic()
    # Merging rewrites files for every version at once: a catalog on PostgreSQL then reads
    # old versions from the merged files, but a published copy of a local catalog still
    # names the files it was copied with, which the cleanup would delete.
    compact = writer.backend.location.local_file is None
    with writer.backend.named_lock("maintenance"), writer.quiesced() as conn:
        kept = [int(p["version"]) for p in publications(conn, keep)]
        conn.execute(f"CALL ducklake_flush_inlined_data({LAKE_ALIAS!r})").fetchall()
        if compact:
            conn.execute(f"CALL ducklake_merge_adjacent_files({LAKE_ALIAS!r})").fetchall()
        expired = 0
        if kept:
            older = [int(r[0]) for r in conn.execute(
                f"SELECT snapshot_id FROM ducklake_snapshots({LAKE_ALIAS!r}) WHERE snapshot_id < ?",
                [min(kept)],
            ).fetchall()]
            if older:
                conn.execute(
                    f"CALL ducklake_expire_snapshots({LAKE_ALIAS!r}, versions => ?)", [older]
                ).fetchall()
                expired = len(older)
        conn.execute(f"CALL ducklake_cleanup_old_files({LAKE_ALIAS!r}, cleanup_all => true)").fetchall()
        if writer.backend.location.local_file is not None:
            from twilight_assets.warehouse.snapshots import metadata_alias

            conn.execute(f"CHECKPOINT {quote(metadata_alias())}").fetchall()  # the catalog's WAL
    return MaintenanceReport(kept_versions=kept, expired=expired, compacted=compact,
                             seconds=time.monotonic() - started)
