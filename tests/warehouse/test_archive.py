"""The raw archive: written once and durably, named by its hash, verified on read, and
swept of orphans (only orphans) by `twilight archive gc`."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from twilight_assets.errors import WarehouseError
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.archive import Archive, ArchiveRef, GC_MIN_AGE, collect_garbage, decode
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.warehouse.conftest import codes, daily_rows, make_frame, make_raw

ROOT = Path(__file__).resolve().parents[2]
DAILY = REGISTRY["daily"]
PAGES = [{"params": {"trade_date": "20240102"}, "fields": ["ts_code", "close"],
          "items": [["600000.SH", 10.5], ["600001.SH", None]]}]


def test_a_response_is_stored_once_under_its_hash_and_reads_back_verified(tmp_path):
    archive = Archive(tmp_path / "archive")
    ref = archive.store("daily", PAGES)
    data = (tmp_path / "archive" / ref.path).read_bytes()
    assert ref.path == f"daily/{ref.sha256[:2]}/{ref.sha256}.json.zst"
    assert (ref.bytes, ref.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert data[:4] == b"\x28\xb5\x2f\xfd"  # a zstd frame: any zstd tool reads it
    assert archive.load(ref) == PAGES
    assert archive.store("daily", PAGES) == ref  # the same answer again: the same file
    assert [f.path for f in archive.files()] == [ref.path]
    assert not list((tmp_path / "archive").rglob(".tmp-*"))


def test_a_file_that_does_not_match_its_record_is_refused(tmp_path):
    archive = Archive(tmp_path / "archive")
    ref = archive.store("daily", PAGES)
    assert archive.verify(ref) is None
    assert archive.verify(ArchiveRef(ref.path, ref.bytes + 1, ref.sha256)).startswith(f"{ref.bytes} bytes")
    with pytest.raises(WarehouseError, match="sha256"):
        archive.load(ArchiveRef(ref.path, ref.bytes, "0" * 64))
    assert archive.verify(ArchiveRef("daily/00/missing.json.zst", 1, "0" * 64)) == "missing"


def _age(archive_dir: Path, path: str, hours: float) -> None:
    old = time.time() - hours * 3600
    os.utime(archive_dir / path, (old, old))


def test_gc_removes_only_orphans_old_enough_to_be_crashed_writes(tmp_path, monkeypatch):
    archive_dir = tmp_path / "archive"
    monkeypatch.setenv("TWILIGHT_ARCHIVE", str(archive_dir))
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("TWILIGHT_WAREHOUSE", str(warehouse))
    archive = Archive(archive_dir)
    with WarehouseWriter(warehouse) as writer:
        kept = []
        for day in ("2024-01-02", "2024-01-03"):
            frame = make_frame(DAILY, daily_rows(day, codes(3)))
            raw = make_raw(DAILY, day, frame, archive=archive)
            writer.write_partition(DAILY, day, frame, raw)
            kept.append(raw.archive.path)
    # A crash between the file and the commit: the file is written, no row names it.
    crashed = archive.store("daily", [{**PAGES[0], "items": [["600009.SH", 1.0]]}]).path
    in_flight = archive.store("daily", [{**PAGES[0], "items": [["600010.SH", 2.0]]}]).path
    for path in (*kept, crashed):
        _age(archive_dir, path, 48)

    cmd = [sys.executable, "-m", "twilight_assets.cli", "archive", "gc"]
    dry = subprocess.run(cmd + ["--dry-run"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert dry.returncode == 0, dry.stderr
    assert "would remove 1 orphans" in dry.stdout and crashed in dry.stdout
    assert (archive_dir / crashed).exists()

    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "2 files referenced, removed 1 orphans" in done.stdout and "left 1 younger than 24 h" in done.stdout
    assert not (archive_dir / crashed).exists()
    assert all((archive_dir / p).exists() for p in kept) and (archive_dir / in_flight).exists()
    with WarehouseWriter(warehouse) as writer:  # every recorded response still reads back
        refs = writer.query("SELECT archive_path, archive_bytes, archive_sha256 FROM raw_responses")
    for row in refs.itertuples():
        assert archive.verify(ArchiveRef(row.archive_path, row.archive_bytes, row.archive_sha256)) is None


def test_storing_an_archived_answer_again_protects_it_from_gc(tmp_path):
    """An old orphan and a new fetch of the same answer are one file: storing it again
    marks it fresh, so a gc running before that write commits leaves it alone."""
    archive = Archive(tmp_path / "archive")
    ref = archive.store("daily", PAGES)
    _age(tmp_path / "archive", ref.path, 48)
    archive.store("daily", PAGES)
    report = collect_garbage(archive, referenced=set())
    assert report.removed == [] and report.too_recent == 1
    later = collect_garbage(archive, set(), now=dt.datetime.now(dt.UTC) + GC_MIN_AGE + dt.timedelta(hours=1))
    assert later.removed == [ref.path]
