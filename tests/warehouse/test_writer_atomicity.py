"""One partition's raw row, rows, revisions and ledger row commit together or not at all."""

from __future__ import annotations

import pandas as pd
import pytest

from twilight_assets.errors import SchemaMismatchError, WarehouseError
from twilight_assets.specs import REGISTRY
from twilight_assets import config
from twilight_assets.warehouse.archive import Archive, decode
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.warehouse.conftest import daily_rows, codes, income_row, make_frame, make_raw, write_daily

DAILY = REGISTRY["daily"]
INCOME = REGISTRY["income"]
CODE = "000001.SZ"


def state(writer) -> dict[str, pd.DataFrame]:
    return {
        t: writer.query(f"SELECT * FROM {t} ORDER BY ALL")
        for t in ("raw_responses", "normalized_income", "ingest_log")
    }


def write_income(writer, revenue: float, n: int = 1):
    rows = [income_row(CODE, f"{2020 + i}-12-31", update_flag="0", f_ann_date=f"{2021 + i}-03-20",
                       revenue=revenue) for i in range(n)]
    frame = make_frame(INCOME, rows)
    return writer.write_partition(INCOME, CODE, frame, make_raw(INCOME, CODE, frame))


def test_a_failure_late_in_the_write_leaves_nothing_visible(writer):
    first = write_income(writer, 100.0, n=3)
    before = state(writer)
    # The revisions table is written after the raw row, the delete and the insert: hiding
    # it makes a real DuckDB error happen there, late in the transaction.
    with writer.quiesced() as conn:
        conn.execute("ALTER TABLE revisions_income RENAME TO revisions_income_hidden").fetchall()
    with pytest.raises(Exception, match="revisions_income") as err:
        write_income(writer, 200.0, n=5)

    after = state(writer)
    for name in ("raw_responses", "normalized_income"):
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    ledger = writer.progress("income").iloc[0]
    assert ledger["status"] == "failed"
    assert ledger["attempts"] == 2
    assert "revisions_income" in ledger["last_error"] and type(err.value).__name__ in ledger["last_error"]
    # The ledger still describes the last success, whose data is intact.
    assert ledger["rows"] == 3 and ledger["raw_id"] == first.raw_id

    with writer.quiesced() as conn:
        conn.execute("ALTER TABLE revisions_income_hidden RENAME TO revisions_income").fetchall()
    result = write_income(writer, 200.0, n=5)
    assert result.rows_written == 5
    ledger = writer.progress("income").iloc[0]
    assert (ledger["status"], ledger["attempts"], ledger["last_error"]) == ("done", 3, None)
    assert writer.query("SELECT min(revenue) AS c FROM normalized_income")["c"].item() == 200.0


def test_the_writer_survives_a_failed_write_and_a_reopen(backend):
    with WarehouseWriter(backend) as w:
        write_daily(w, "2024-01-02", n=2)
        bad = make_frame(DAILY, daily_rows("2024-01-03", codes(2))).drop(columns=["vol"])
        with pytest.raises(SchemaMismatchError):
            w.write_partition(DAILY, "2024-01-03", bad, make_raw(DAILY, "2024-01-03", bad))
    with WarehouseWriter(backend) as w:
        ledger = w.progress("daily")
        assert ledger[["partition_key", "status"]].values.tolist() == [["2024-01-02", "done"], ["2024-01-03", "failed"]]
        assert w.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 2
    with pytest.raises(WarehouseError, match="closed"):
        w.query("SELECT 1")


def test_mark_failed_counts_attempts_and_truncates_long_errors(writer):
    writer.mark_failed("income", "000001.sz", "first")
    writer.mark_failed(REGISTRY["income"], "000001.SZ", "x" * 10_000 + "the innermost cause")
    row = writer.progress("income").iloc[0]
    assert (row["progress_key"], row["attempts"], row["status"]) == ("income:000001.SZ", 2, "failed")
    assert len(row["last_error"]) < 2100
    assert row["last_error"].startswith("xxx") and row["last_error"].endswith("the innermost cause")
    assert "chars cut" in row["last_error"]


def test_no_payload_bytes_are_in_the_warehouse_file(warehouse_path):
    """What the source sent beyond the spec's fields stays in the archive only: the file
    holds the normalized rows and small records, never the pages."""
    marker = "only-in-the-archived-page-7f3a"
    frame = make_frame(DAILY, daily_rows("2024-01-02", codes(50)))
    raw = make_raw(DAILY, "2024-01-02", frame)
    archive = Archive(config.archive_root())
    pages = decode(archive.read_bytes(raw.archive.path))
    pages[0]["fields"].append("undocumented")
    for item in pages[0]["items"]:
        item.append(marker)
    bulky = type(raw)(**{**raw.__dict__, "archive": archive.store("daily", pages)})
    with WarehouseWriter(warehouse_path) as w:
        w.write_partition(DAILY, "2024-01-02", frame, bulky)
    assert marker.encode() not in warehouse_path.read_bytes()
    assert marker in str(decode(archive.read_bytes(bulky.archive.path)))
