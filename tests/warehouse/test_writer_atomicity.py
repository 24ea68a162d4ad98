"""One partition's raw row, upsert and ledger mark commit together or not at all."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from twilight_assets.errors import SchemaMismatchError, WarehouseError
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.warehouse.conftest import daily_rows, codes, make_frame, make_raw, write_daily

DAILY = REGISTRY["daily"]


def state(writer) -> dict[str, pd.DataFrame]:
    return {
        t: writer.query(f"SELECT * FROM {t} ORDER BY ALL")
        for t in ("raw_responses", "normalized_daily")
    }


def test_a_failure_after_the_upsert_leaves_nothing_visible(writer):
    write_daily(writer, "2024-01-02", n=3, close=10.0)
    before = state(writer)
    # Freshness is the last step of a write, after the raw insert, the upsert and the
    # ledger mark: hiding its table makes a real DuckDB error happen there.
    with writer.quiesced() as conn:
        conn.execute("ALTER TABLE source_freshness RENAME TO source_freshness_hidden").fetchall()
    revised = make_frame(DAILY, daily_rows("2024-01-02", codes(5), close=20.0))
    with pytest.raises(Exception, match="source_freshness") as err:
        writer.write_partition(DAILY, "2024-01-02", revised, make_raw(DAILY, "2024-01-02", revised))

    after = state(writer)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    ledger = writer.progress("daily").iloc[0]
    assert ledger["status"] == "failed"
    assert ledger["attempts"] == 2
    assert "source_freshness" in ledger["last_error"] and type(err.value).__name__ in ledger["last_error"]
    # The ledger still describes the last success, whose data is intact.
    assert ledger["rows"] == 3 and ledger["raw_id"] == before["raw_responses"]["raw_id"].max()

    with writer.quiesced() as conn:
        conn.execute("ALTER TABLE source_freshness_hidden RENAME TO source_freshness").fetchall()
    result = writer.write_partition(DAILY, "2024-01-02", revised, make_raw(DAILY, "2024-01-02", revised))
    assert result.rows_written == 5
    ledger = writer.progress("daily").iloc[0]
    assert (ledger["status"], ledger["attempts"], ledger["last_error"]) == ("done", 3, None)
    assert writer.query("SELECT min(close) AS c FROM normalized_daily")["c"].item() == 20.0


def test_the_writer_survives_a_failed_write_and_a_reopen(warehouse_path):
    with WarehouseWriter(warehouse_path) as w:
        write_daily(w, "2024-01-02", n=2)
        bad = make_frame(DAILY, daily_rows("2024-01-03", codes(2))).drop(columns=["vol"])
        with pytest.raises(SchemaMismatchError):
            w.write_partition(DAILY, "2024-01-03", bad, make_raw(DAILY, "2024-01-03", bad))
    with WarehouseWriter(warehouse_path) as w:
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


def test_commits_leave_checkpoints_to_the_raised_threshold(warehouse_path):
    """Every checkpoint rewrites the whole raw archive (see CHECKPOINT_THRESHOLD), so the
    commits must not trigger one at DuckDB's default of 16 MB of WAL; closing still does."""
    wal = warehouse_path.with_name(warehouse_path.name + ".wal")
    items = [[f"{i:08d}" + "x" * 1000] * 20 for i in range(1000)]  # a ~20 MB payload
    sizes = []
    with WarehouseWriter(warehouse_path) as w:
        for day in ("2024-01-02", "2024-01-03"):
            frame = make_frame(DAILY, daily_rows(day, codes(1)))
            raw = make_raw(DAILY, day, frame)
            bulky = dataclasses.replace(raw, pages=[{**raw.pages[0], "items": items}])
            w.write_partition(DAILY, day, frame, bulky)
            sizes.append(wal.stat().st_size if wal.exists() else 0)
    assert sizes[0] > 16 * 2**20 and sizes[1] > sizes[0]  # both commits still in the WAL
    assert not wal.exists() or wal.stat().st_size == 0  # the writer checkpointed on close
    with WarehouseWriter(warehouse_path) as w:
        stored = w.query("SELECT json_array_length(payload -> '$[0].items') AS n FROM raw_responses")
        assert stored["n"].tolist() == [1000, 1000]
