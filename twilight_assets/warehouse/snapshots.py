"""Read-only snapshots of the live warehouse, published atomically.

A warehouse file is published by copying it, as below. A DuckLake on PostgreSQL is
published as a verified catalog version instead (warehouse/lake_snapshots.py: no copy);
a DuckLake with a local catalog file publishes a copy of that catalog (its own DuckDB
file, checkpointed first: the lake's CHECKPOINT leaves that file's WAL alone), which
readers attach at the published version over the lake's immutable Parquet files; the
lake records the published version, so maintenance keeps its files (lake_snapshots).

DuckDB lets no other process open a file that a writer holds, so readers (the monitor,
notebooks) open copies. A copy is only consistent if nothing writes while it is made,
and copying the live file from inside the writer's process (opening and closing it)
drops DuckDB's lock (DESIGN.md). So a publish:

1. holds the writer (no thread writes), runs CHECKPOINT, counts every table's rows,
   copies the file with `cp` in a child process, and lets the writer go;
2. opens the copy read-only and checks every table has the counted rows;
3. fsyncs it, renames it into place, and points CURRENT at it (written the same way);
4. deletes all but the newest `keep` snapshots (never the current one).

Work in progress lives under names starting with `.tmp-`, which readers never look at
and the next publish deletes, so a crash at any step leaves the previous snapshot
published. A reader that already has a snapshot open keeps reading it even after it is
deleted (the file lives on until closed).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import subprocess
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import duckdb

from twilight_assets.errors import WarehouseError
from twilight_assets.warehouse.schema import quote

CURRENT = "CURRENT"
SUFFIX = ".duckdb"
INFO_SUFFIX = ".json"
TMP_PREFIX = ".tmp-"
LOCK_NAME = ".publish.lock"


@dataclass(frozen=True)
class SnapshotInfo:
    snapshot_id: str
    path: Path | None  # None: a DuckLake version, read in place
    bytes: int
    created_at: dt.datetime  # UTC
    duration_s: float
    writers_held_s: float
    checkpoint_s: float
    copy_s: float
    verify_s: float
    table_rows: dict[str, int]
    version: int | None = None
    """A DuckLake's catalog version the snapshot is (None for a warehouse file)."""

    def to_json(self) -> dict:
        out = asdict(self)
        out["path"] = str(self.path) if self.path is not None else None
        out["created_at"] = self.created_at.isoformat()
        return out

    @classmethod
    def from_json(cls, data: dict, path: Path | None) -> SnapshotInfo:
        return cls(
            snapshot_id=data["snapshot_id"],
            path=path,
            bytes=int(data["bytes"]),
            created_at=dt.datetime.fromisoformat(data["created_at"]),
            duration_s=float(data["duration_s"]),
            writers_held_s=float(data["writers_held_s"]),
            checkpoint_s=float(data["checkpoint_s"]),
            copy_s=float(data["copy_s"]),
            verify_s=float(data["verify_s"]),
            table_rows={k: int(v) for k, v in data["table_rows"].items()},
            version=data.get("version"),
        )


Gate = Callable[[Any], None]
"""Called with something that has `.query(sql, params)` over exactly what is about to be
published; raises to refuse the publication (blocking checks that failed, say)."""


def publish_snapshot(writer, snapshot_dir: Path, *, keep: int = 3, gate: Gate | None = None) -> SnapshotInfo:
    """Publish a verified snapshot of `writer`'s warehouse; see the module docstring.

    `writer` is a WarehouseWriter (not imported here, to keep readers light).
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    backend = writer.backend
    if backend.is_lake and backend.location.local_file is None:
        from twilight_assets.warehouse import lake_snapshots

        snapshot_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        info = lake_snapshots.publish(writer, keep=keep, snapshot_id=snapshot_id, gate=gate)
        return SnapshotInfo.from_json(info, None)
    if gate is not None:
        # Under the writer lease, which the copy is made under too: nothing can land
        # between the verdict and the copy.
        gate(writer)
    snapshot_dir = Path(snapshot_dir)
    snapshot_dir.mkdir(parents=True, exist_ok=True)
    with _publish_lock(snapshot_dir):
        _remove_leftovers(snapshot_dir)
        started = time.monotonic()
        snapshot_id = _new_id(snapshot_dir)
        tmp = snapshot_dir / f"{TMP_PREFIX}{snapshot_id}{SUFFIX}"
        version = None
        with writer.quiesced() as conn:
            held = time.monotonic()
            if backend.is_lake:
                from twilight_assets.warehouse.lake_snapshots import current_version

                # The catalog's own DuckDB file, WAL folded in: what the copy must hold.
                # (CHECKPOINT on the lake itself does not do that; it runs DuckLake's
                # maintenance, which is the maintenance job's work, not a publish's.)
                conn.execute(f"CHECKPOINT {quote(metadata_alias())}").fetchall()
                version = current_version(conn)
            else:
                conn.execute("CHECKPOINT").fetchall()
            checkpointed = time.monotonic()
            counts = table_row_counts(conn)
            _copy_in_child(writer.path, tmp)
            copied = time.monotonic()
        released = time.monotonic()
        _verify(tmp, counts, backend, version)
        verified = time.monotonic()
        _fsync_file(tmp)
        info = SnapshotInfo(
            snapshot_id=snapshot_id,
            path=snapshot_dir / f"{snapshot_id}{SUFFIX}",
            bytes=tmp.stat().st_size,
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            duration_s=0.0,  # set below, once publishing is done
            writers_held_s=released - held,
            checkpoint_s=checkpointed - held,
            copy_s=copied - checkpointed,
            verify_s=verified - released,
            table_rows=counts,
            version=version,
        )
        # The info file goes first: a published .duckdb always has one.
        _write_atomically(snapshot_dir / f"{snapshot_id}{INFO_SUFFIX}", json.dumps(info.to_json(), indent=2))
        os.replace(tmp, info.path)
        _fsync_dir(snapshot_dir)
        _write_atomically(snapshot_dir / CURRENT, snapshot_id + "\n")
        _prune(snapshot_dir, keep, current=snapshot_id)
        info = _with_duration(info, time.monotonic() - started)
        _write_atomically(snapshot_dir / f"{snapshot_id}{INFO_SUFFIX}", json.dumps(info.to_json(), indent=2))
        if backend.is_lake:
            # The lake records what was published, so maintenance keeps those versions'
            # files (a published copy of the catalog reads the live lake's Parquet).
            from twilight_assets.warehouse.lake_snapshots import record_publication

            record_publication(writer, info.to_json())
        return info


def list_snapshots(snapshot_dir: Path) -> list[SnapshotInfo]:
    """Published snapshots, newest first."""
    snapshot_dir = Path(snapshot_dir)
    if not snapshot_dir.is_dir():
        return []
    out = []
    for db in snapshot_dir.glob(f"*{SUFFIX}"):
        if db.name.startswith("."):
            continue
        info = _read_info(db)
        if info is not None:
            out.append(info)
    return sorted(out, key=lambda i: i.snapshot_id, reverse=True)


_CURRENT_RETRIES = 10


def _read_current(snapshot_dir: Path) -> str | None:
    try:
        return (snapshot_dir / CURRENT).read_text("utf-8").strip() or None
    except FileNotFoundError:
        return None


def current_snapshot(snapshot_dir: Path) -> SnapshotInfo | None:
    """The published snapshot CURRENT names.

    Publishes can land, and prune the snapshot CURRENT named, between reading CURRENT and
    reading that snapshot's info: then CURRENT has moved on, and is read again. None only
    when nothing is published, or CURRENT names the same missing snapshot twice.
    """
    snapshot_dir = Path(snapshot_dir)
    snapshot_id = _read_current(snapshot_dir)
    for _ in range(_CURRENT_RETRIES):
        if snapshot_id is None:
            return None
        info = find_snapshot(snapshot_dir, snapshot_id)
        if info is not None:
            return info
        again = _read_current(snapshot_dir)
        if again == snapshot_id:
            return None
        snapshot_id = again
    return None


def published(backend, snapshot_dir: Path) -> list[SnapshotInfo]:
    """What readers of `backend` can open, newest first (the first is current)."""
    if backend.is_lake and backend.location.local_file is None:
        from twilight_assets.warehouse.lake_snapshots import publications

        conn = backend.connect(read_only=True)
        try:
            return [SnapshotInfo.from_json(p, None) for p in publications(conn)]
        finally:
            conn.close()
    current = current_snapshot(snapshot_dir)
    infos = list_snapshots(snapshot_dir)
    if current is not None:
        infos = [current] + [i for i in infos if i.snapshot_id != current.snapshot_id]
    return infos


def find_snapshot(snapshot_dir: Path, snapshot_id: str) -> SnapshotInfo | None:
    if not snapshot_id or "/" in snapshot_id or snapshot_id.startswith("."):
        return None
    return _read_info(Path(snapshot_dir) / f"{snapshot_id}{SUFFIX}")


def table_row_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows of every base table in the main schema: what a verified copy must match."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT internal ORDER BY table_name"
        ).fetchall()
    ]
    if not tables:
        return {}
    union = " UNION ALL ".join(f"SELECT ?, count(*) FROM {quote(t)}" for t in tables)
    return {name: int(n) for name, n in conn.execute(union, tables).fetchall()}


# --- steps ----------------------------------------------------------------------------


def metadata_alias() -> str:
    """The name DuckDB gives a local DuckLake catalog's own DuckDB file once attached."""
    from twilight_assets.warehouse.backend import LAKE_ALIAS

    return f"__ducklake_metadata_{LAKE_ALIAS}"


def _copy_in_child(source: Path, target: Path) -> None:
    # A child process, never Python's own open(): closing any descriptor of the live
    # file would drop the writer's POSIX lock (DESIGN.md). After CHECKPOINT the WAL is
    # empty, so the main file alone is the committed state.
    done = subprocess.run(["cp", "--", str(source), str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise WarehouseError(f"snapshot copy of {source} failed: {done.stderr.strip()}")


def open_copy(copy: Path, backend, version: int | None) -> duckdb.DuckDBPyConnection:
    """A published copy, read-only: the warehouse file itself, or a DuckLake's catalog
    attached at its published version over the lake's data."""
    if version is None:
        from twilight_assets.warehouse.backend import no_downloads

        return no_downloads(duckdb.connect(str(copy), read_only=True))
    return backend.connect(read_only=True, snapshot_version=version, catalog_file=copy)


def _verify(copy: Path, expected: dict[str, int], backend, version: int | None) -> None:
    try:
        conn = open_copy(copy, backend, version)
    except (duckdb.Error, WarehouseError) as exc:
        copy.unlink(missing_ok=True)
        raise WarehouseError(f"snapshot copy {copy.name} does not open: {exc}") from exc
    try:
        got = table_row_counts(conn)
    except duckdb.Error as exc:
        got = {"<error>": -1}
        reason = str(exc)
    else:
        reason = ""
    finally:
        conn.close()
    if got != expected:
        copy.unlink(missing_ok=True)
        diff = {t: (expected.get(t), got.get(t)) for t in set(expected) | set(got) if expected.get(t) != got.get(t)}
        raise WarehouseError(f"snapshot copy {copy.name} does not match the warehouse: {diff} {reason}".strip())


def _prune(snapshot_dir: Path, keep: int, *, current: str) -> None:
    for old in list_snapshots(snapshot_dir)[keep:]:
        if old.snapshot_id == current:
            continue
        old.path.unlink(missing_ok=True)
        (snapshot_dir / f"{old.snapshot_id}{INFO_SUFFIX}").unlink(missing_ok=True)


def _remove_leftovers(snapshot_dir: Path) -> None:
    """Temp files of a publish that crashed, and info files whose snapshot never landed."""
    for path in snapshot_dir.glob(f"{TMP_PREFIX}*"):
        path.unlink(missing_ok=True)
    for info in snapshot_dir.glob(f"*{INFO_SUFFIX}"):
        if not info.with_suffix(SUFFIX).exists():
            info.unlink(missing_ok=True)


def _new_id(snapshot_dir: Path) -> str:
    # Sortable by time; the counter only matters for two publishes in one microsecond.
    base = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    candidate, n = base, 1
    while (snapshot_dir / f"{candidate}{SUFFIX}").exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _read_info(db: Path) -> SnapshotInfo | None:
    try:
        data = json.loads(db.with_suffix(INFO_SUFFIX).read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if not db.exists():
        return None
    return SnapshotInfo.from_json(data, db)


def _with_duration(info: SnapshotInfo, duration_s: float) -> SnapshotInfo:
    data = info.to_json()
    data["duration_s"] = duration_s
    return SnapshotInfo.from_json(data, info.path)


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}.{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_file(path: Path) -> None:
    # The copy, never the live file: opening that would be harmless to read but closing
    # it drops DuckDB's lock.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _publish_lock(snapshot_dir: Path) -> Iterator[None]:
    """One publish per directory at a time, across threads and processes."""
    fd = os.open(snapshot_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock


