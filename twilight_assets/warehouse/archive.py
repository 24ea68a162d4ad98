"""The raw archive: every response as received, beside the warehouse, never inside it.

Each partition write's pages are one file, zstd-compressed JSON, named by the sha256 of
its bytes (`<api>/<aa>/<sha256>.json.zst`): written once, never changed, fsynced (or, on
S3-protocol storage, put whole) by the fetching thread before the writer's transaction
records its path, size and hash in `raw_responses`. A crash between the two leaves a file
no row names, which `twilight archive gc` removes; an identical response fetched twice
is stored once. Readers of the warehouse never read it: only re-normalizing does
(`twilight rebuild`), so snapshots leave it out.

Why JSON and not Parquet: a page is a list of rows whose cells Tushare types loosely
(a code may come as text one day and a number the next); JSON keeps exactly what came,
and DuckDB reads it directly (`read_json(..., compression = 'zstd')`). Measured by
benchmarks/bench_archive.py: zstd takes the JSON to 0.35x (a day of daily) and 0.27x
(income), and Parquet with a row per item is 1.5x (daily) and 3.8x (income) the bytes of
the .json.zst and 9.7x its encode time for statements.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.fs as pafs

from twilight_assets.errors import WarehouseError
from twilight_assets.warehouse.object_store import S3Settings, split_s3_url
from twilight_assets.warehouse.values import to_json

SUFFIX = ".json.zst"
CODEC = "zstd"


@dataclass(frozen=True)
class ArchiveRef:
    """Where one response lives in the archive: a path relative to the archive's root."""

    path: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class ArchivedFile:
    path: str
    bytes: int
    modified: dt.datetime  # UTC


def encode(pages: list[dict[str, Any]]) -> bytes:
    """The pages as zstd-compressed JSON (a zstd frame any zstd tool can read)."""
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, CODEC) as stream:
        stream.write(to_json(pages).encode("utf-8"))
    return sink.getvalue().to_pybytes()


def decode(data: bytes) -> list[dict[str, Any]]:
    with pa.CompressedInputStream(pa.BufferReader(data), CODEC) as stream:
        return json.loads(stream.read())


class Archive:
    """A folder (or `s3://bucket/prefix`) of archived responses."""

    def __init__(self, root: str | Path) -> None:
        text = str(root)
        self.is_remote = "://" in text
        if self.is_remote:
            if not text.startswith("s3://"):
                raise WarehouseError(f"the raw archive must be a folder or s3://bucket/prefix, not {text}")
            self._fs, self._root = S3Settings.from_env().pyarrow_filesystem(), split_s3_url(text)
            self.root = text.rstrip("/")
        else:
            self._fs = None
            self._root = str(Path(text).resolve())
            self.root = self._root

    def __repr__(self) -> str:
        return f"Archive({self.root!r})"

    def store(self, api_name: str, pages: list[dict[str, Any]]) -> ArchiveRef:
        """Write the pages once and durably; returns where they are."""
        data = encode(pages)
        sha = hashlib.sha256(data).hexdigest()
        path = f"{api_name}/{sha[:2]}/{sha}{SUFFIX}"
        if self._exists(path):
            # Already archived (the same answer fetched again): mark it fresh, so a gc that
            # took it for an old orphan cannot remove it before this write commits.
            self._touch(path, data)
        else:
            self._write(path, data)
        return ArchiveRef(path=path, bytes=len(data), sha256=sha)

    def load(self, ref: ArchiveRef) -> list[dict[str, Any]]:
        """The pages of one archived response, verified against its recorded hash."""
        data = self.read_bytes(ref.path)
        problem = _mismatch(ref, data)
        if problem:
            raise WarehouseError(f"archive file {ref.path}: {problem}")
        return decode(data)

    def verify(self, ref: ArchiveRef) -> str | None:
        """None if the file exists and matches; else what is wrong."""
        try:
            data = self.read_bytes(ref.path)
        except FileNotFoundError:
            return "missing"
        return _mismatch(ref, data)

    def read_bytes(self, path: str) -> bytes:
        if self._fs is None:
            return Path(self._root, path).read_bytes()
        try:
            with self._fs.open_input_stream(f"{self._root}/{path}") as stream:
                return stream.read()
        except (FileNotFoundError, OSError) as exc:
            if "not found" in str(exc).lower() or isinstance(exc, FileNotFoundError):
                raise FileNotFoundError(path) from exc
            raise

    def location(self, path: str) -> str:
        """The absolute path or URI of an archived file (for DuckDB's read_json)."""
        return f"{self.root}/{path}"

    def files(self) -> Iterator[ArchivedFile]:
        """Every archived file, in no particular order."""
        if self._fs is None:
            base = Path(self._root)
            if not base.is_dir():
                return
            for file in base.glob(f"*/*/*{SUFFIX}"):
                stat = file.stat()
                yield ArchivedFile(str(file.relative_to(base)), stat.st_size,
                                   dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC))
            return
        selector = pafs.FileSelector(self._root, recursive=True, allow_not_found=True)
        for info in self._fs.get_file_info(selector):
            if info.type == pafs.FileType.File and info.path.endswith(SUFFIX):
                modified = info.mtime or dt.datetime.now(dt.UTC)
                yield ArchivedFile(info.path[len(self._root) + 1:], info.size or 0,
                                   modified if modified.tzinfo else modified.replace(tzinfo=dt.UTC))

    def remove(self, path: str) -> None:
        if self._fs is None:
            Path(self._root, path).unlink(missing_ok=True)
        else:
            self._fs.delete_file(f"{self._root}/{path}")

    def _exists(self, path: str) -> bool:
        if self._fs is None:
            return Path(self._root, path).is_file()
        return self._fs.get_file_info(f"{self._root}/{path}").type == pafs.FileType.File

    def _touch(self, path: str, data: bytes) -> None:
        if self._fs is None:
            os.utime(Path(self._root, path))
        else:
            self._write(path, data)

    def _write(self, path: str, data: bytes) -> None:
        if self._fs is not None:
            # An object store's put is all or nothing: a half-written object is never seen.
            with self._fs.open_output_stream(f"{self._root}/{path}") as stream:
                stream.write(data)
            return
        target = Path(self._root, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name in the same folder and renamed, so a reader (or
        # gc) never sees a partial file under the final name.
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)


def _mismatch(ref: ArchiveRef, data: bytes) -> str | None:
    if len(data) != ref.bytes:
        return f"{len(data)} bytes, recorded {ref.bytes}"
    digest = hashlib.sha256(data).hexdigest()
    if digest != ref.sha256:
        return f"sha256 {digest}, recorded {ref.sha256}"
    return None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- garbage collection ---------------------------------------------------------------

GC_MIN_AGE = dt.timedelta(hours=24)
"""Files younger than this are left alone: a fetching thread may have written one whose
transaction has not committed yet. A fetched response waits at most the writer lease's
timeout (an hour by default) for its transaction, so a day leaves a wide margin."""


@dataclass(frozen=True)
class GcReport:
    removed: list[str]
    referenced: int
    too_recent: int
    bytes_removed: int


def collect_garbage(
    archive: Archive, referenced: set[str], *, min_age: dt.timedelta = GC_MIN_AGE,
    now: dt.datetime | None = None, dry_run: bool = False,
) -> GcReport:
    """Remove the archived files no raw_responses row names (orphans of crashed writes),
    except those written within `min_age`."""
    now = now or dt.datetime.now(dt.UTC)
    removed: list[str] = []
    recent = kept = size = 0
    for file in archive.files():
        if file.path in referenced:
            kept += 1
        elif now - file.modified < min_age:
            recent += 1
        else:
            if not dry_run:
                archive.remove(file.path)
            removed.append(file.path)
            size += file.bytes
    return GcReport(removed=sorted(removed), referenced=kept, too_recent=recent, bytes_removed=size)


def main(argv: list[str] | None = None) -> int:
    """`twilight archive gc [--dry-run] [--min-age-hours H]`"""
    from twilight_assets import config
    from twilight_assets.warehouse.backend import open_backend
    from twilight_assets.warehouse.raw import referenced_archive_paths

    parser = argparse.ArgumentParser(prog="twilight archive", description="Maintain the raw archive.")
    parser.add_argument("action", choices=("gc",))
    parser.add_argument("--dry-run", action="store_true", help="list what would be removed")
    parser.add_argument("--min-age-hours", type=float, default=GC_MIN_AGE.total_seconds() / 3600,
                        help=f"leave files younger than this (default {GC_MIN_AGE.total_seconds() / 3600:g}): "
                             "their write may not have committed yet")
    args = parser.parse_args(argv)
    archive = Archive(config.archive_root())
    backend = open_backend()
    try:
        with backend.writer() as writer:
            referenced = referenced_archive_paths(writer)
        report = collect_garbage(archive, referenced, min_age=dt.timedelta(hours=args.min_age_hours),
                                 dry_run=args.dry_run)
    except WarehouseError as exc:
        print(f"twilight archive: {exc}", file=sys.stderr)
        return 1
    verb = "would remove" if args.dry_run else "removed"
    print(f"{archive.root}: {report.referenced} files referenced, {verb} {len(report.removed)} "
          f"orphans ({report.bytes_removed / 1e6:.1f} MB), left {report.too_recent} younger than "
          f"{args.min_age_hours:g} h")
    for path in report.removed:
        print(f"  {path}")
    return 0
