"""A DuckLake whose data files, and the raw archive, live on an S3-protocol server (moto on
127.0.0.1): written, published, read at the published version, and rebuilt from the
archive there; and a warehouse file moved into a DuckLake with identical rows."""

from __future__ import annotations

import duckdb
import pytest
from pyarrow.fs import FileSelector

from twilight_assets.migrate import move_to_lake
from twilight_assets.rebuild import rebuild_dataset
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.archive import Archive
from twilight_assets.warehouse.backend import open_backend
from twilight_assets.warehouse.object_store import S3Settings
from twilight_assets.warehouse.reader import WarehouseReader
from twilight_assets.warehouse.snapshots import publish_snapshot
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.services import create_database, drop_database
from tests.warehouse.conftest import codes, daily_rows, income_row, make_frame, make_raw, write_daily

DAILY, INCOME = REGISTRY["daily"], REGISTRY["income"]


@pytest.fixture
def s3_env(s3_store, monkeypatch):
    for name, value in s3_store.env.items():
        monkeypatch.setenv(name, value)
    return s3_store


@pytest.fixture
def empty_lake():
    database = create_database("lake_s3")
    try:
        yield database
    finally:
        drop_database(database)


def test_lake_data_and_archive_on_s3_write_publish_read_and_rebuild(s3_env, empty_lake, tmp_path, monkeypatch):
    monkeypatch.setenv("TWILIGHT_ARCHIVE", s3_env.url("archive"))
    lake = open_backend(f"ducklake:postgres:{empty_lake.conninfo}", data_path=s3_env.url("lake"))
    archive = Archive(s3_env.url("archive"))
    with lake.writer() as writer:
        for day in ("2024-03-01", "2024-03-04"):
            frame = make_frame(DAILY, daily_rows(day, codes(200)))
            writer.write_partition(DAILY, day, frame, make_raw(DAILY, day, frame, archive=archive))
        info = publish_snapshot(writer, tmp_path)
        before = writer.query("SELECT * FROM normalized_daily ORDER BY ALL")
    files = S3Settings.from_env().pyarrow_filesystem().get_file_info(
        FileSelector(f"{s3_env.bucket}/lake", recursive=True))
    assert any(f.path.endswith(".parquet") for f in files)  # the rows are Parquet on the bucket
    assert sum(1 for _ in archive.files()) == 2  # the responses too
    with WarehouseReader(backend=lake) as reader:
        assert reader.info.version == info.version
        assert reader.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 400
    with lake.writer() as writer:
        writer.query("DELETE FROM normalized_daily")
        report = rebuild_dataset(writer, archive, DAILY)
        assert not report.failed and report.rows_written == 400
        after = writer.query("SELECT * FROM normalized_daily ORDER BY ALL")
    assert after.equals(before)


def test_a_warehouse_file_moves_into_a_ducklake_with_identical_rows(tmp_path, empty_lake):
    path = tmp_path / "warehouse.duckdb"
    with WarehouseWriter(path) as writer:
        for day in ("2024-03-01", "2024-03-04", "2024-03-05"):
            write_daily(writer, day, n=50)
        frame = make_frame(INCOME, [
            income_row("000001.SZ", "2023-12-31", update_flag="0", f_ann_date="2024-03-20", revenue=100.0),
            income_row("000001.SZ", "2023-12-31", update_flag="1", f_ann_date="2024-04-25", revenue=120.0),
        ])
        writer.write_partition(INCOME, "000001.SZ", frame, make_raw(INCOME, "000001.SZ", frame))
        writer.mark_failed("daily", "2024-03-06", "HTTP 502")
    url = f"ducklake:postgres:{empty_lake.conninfo}"
    report = move_to_lake(str(path), url, lake_data=str(tmp_path / "lake"))
    assert any("normalized_daily: 150 rows" in line for line in report)

    conn = duckdb.connect(str(path), read_only=True)
    tables = [r[0] for r in conn.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()]
    original = {t: conn.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    conn.close()
    lake = open_backend(url)
    with lake.writer() as writer:
        with writer.quiesced() as conn:
            for table in tables:
                if table == "schema_version":
                    continue  # each warehouse records its own applications of the DDL
                assert conn.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() == original[table], table
        assert writer.progress("daily", ["2024-03-06"])["status"].tolist() == ["failed"]
    again = move_to_lake(str(path), url)  # resumable, and nothing twice
    assert any("normalized_daily: 150 rows already there" in line for line in again)
