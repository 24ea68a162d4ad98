"""`twilight rebuild` re-normalizes from the raw archive, without the source, into exactly
the rows ingest wrote: a per-date, a per-entity (with restated reports) and a `once`
dataset, through the real CLI; on a warehouse file and on a DuckLake on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path

import pytest

from twilight_assets.ingest import ingest_partitions
from twilight_assets.sources.tushare import RateLimiter, TushareSource
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.backend import Backend
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.conftest import SIMULATOR_CONFIG

ROOT = Path(__file__).resolve().parents[2]
DAYS = ["2024-06-24", "2024-06-25", "2024-06-26"]
TABLES = ("normalized_daily", "normalized_stock_basic", "normalized_income", "revisions_income")


def contents(backend: Backend) -> dict[str, list]:
    with WarehouseWriter(backend) as writer, writer.quiesced() as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def url(backend: Backend) -> str:
    return f"ducklake:{backend.location.target}" if backend.is_lake else backend.location.target


@pytest.fixture
def ingested(backend, tmp_path, simulator, monkeypatch) -> tuple[Backend, list[str]]:
    monkeypatch.setenv("TWILIGHT_ARCHIVE", str(tmp_path / "archive"))  # this test's own: one is damaged
    source = TushareSource(simulator.token, simulator.url, source_name="simulator",
                           rate_limiter=RateLimiter({}), today=lambda: SIMULATOR_CONFIG.as_of)
    stocks = list(simulator.universe.codes[:4])
    with WarehouseWriter(backend) as writer:
        def run(api: str, keys: list) -> None:
            report = ingest_partitions(REGISTRY[api], keys, source=source,
                                       open_writer=lambda: nullcontext(writer))
            assert not report.failures, report.failures
        run("trade_cal", ["2024"])
        run("stock_basic", [None])
        run("daily", DAYS)
        run("income", stocks)
        # A later response restates one report: both versions must come back.
        with simulator_fault(simulator, "revised_values", "income", stocks[0]):
            run("income", stocks[:1])
    return backend, stocks


class simulator_fault:
    def __init__(self, server, kind: str, api: str, code: str) -> None:
        self.server, self.kind, self.api, self.code = server, kind, api, code

    def __enter__(self):
        self.fault = self.server.add_fault(self.kind, api_name=self.api, times=1, match={"ts_code": self.code})

    def __exit__(self, *exc):
        self.server.clear_faults()
        assert self.fault.applied == 1


def test_rebuild_reproduces_what_ingest_wrote_without_calling_the_source(tmp_path, ingested):
    backend, stocks = ingested
    before = contents(backend)
    assert len(before["revisions_income"]) > len(before["normalized_income"])  # restated reports
    with WarehouseWriter(backend) as writer, writer.quiesced() as conn:
        for table in TABLES:
            conn.execute(f"DELETE FROM {table}").fetchall()

    env = {k: v for k, v in os.environ.items() if k not in ("TUSHARE_TOKEN", "TUSHARE_HTTP_URL", "TWILIGHT_SOURCE")}
    env["TWILIGHT_WAREHOUSE"] = url(backend)
    env["TUSHARE_HTTP_URL"] = "http://127.0.0.1:9"  # were anything fetched, it would fail loudly
    for dataset, partitions in (("daily", []), ("stock_basic", []), ("income", stocks)):
        args = [sys.executable, "-m", "twilight_assets.cli", "rebuild", dataset]
        for p in partitions:
            args += ["--partition", p]
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "0 failed" in done.stdout

    assert contents(backend) == before  # every column: values, source, ingested_at, raw_id
    with WarehouseWriter(backend) as writer:
        ledger = writer.progress("income")
        assert set(ledger["status"]) == {"done"}
        # A rebuild is recorded, but fetched nothing: it is not an attempt.
        assert ledger.set_index("partition_key").loc[stocks[0], "attempts"] == 2


def test_a_damaged_archive_file_is_refused_and_leaves_the_partition_alone(ingested):
    backend, _ = ingested
    with WarehouseWriter(backend) as writer:
        (archive_path,) = writer.query(
            "SELECT archive_path FROM raw_responses WHERE api_name = 'daily' AND partition_key = ?",
            [DAYS[0]])["archive_path"]
    from twilight_assets import config
    from twilight_assets.rebuild import rebuild_dataset
    from twilight_assets.warehouse.archive import Archive

    archive = Archive(config.archive_root())
    file = Path(archive.location(archive_path))
    data = bytearray(file.read_bytes())
    data[-5] ^= 0xFF
    file.write_bytes(bytes(data))
    before = contents(backend)
    with WarehouseWriter(backend) as writer:
        report = rebuild_dataset(writer, archive, REGISTRY["daily"], [DAYS[0]])
    assert report.failed and "sha256" in report.failed[0]
    assert contents(backend) == before
