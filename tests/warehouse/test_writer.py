"""A partition write on real DuckDB files: it replaces the partition (the seed's A0.1
revision semantics: revised values and update_flag flips replace the old row), resolves
in-batch duplicates by the spec's rule, keeps every financial version, and refuses what
does not belong."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pyarrow as pa
import pytest

from twilight_assets import config
from twilight_assets.errors import DataValidationError, SchemaMismatchError
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.archive import Archive, decode
from twilight_assets.warehouse.writer import MixedSourcesError, WarehouseWriter

from tests.warehouse.conftest import (
    codes,
    daily_rows,
    income_row,
    make_frame,
    make_raw,
    write_daily,
)

DAILY = REGISTRY["daily"]
INCOME = REGISTRY["income"]


def table(writer, name: str, order: str) -> pd.DataFrame:
    return writer.query(f"SELECT * FROM {name} ORDER BY {order}")


def test_rerunning_a_partition_replaces_it_with_the_same_rows(writer):
    first = write_daily(writer, "2024-01-02", n=20)
    before = table(writer, "normalized_daily", "ts_code")
    again = write_daily(writer, "2024-01-02", n=20)
    after = table(writer, "normalized_daily", "ts_code")

    assert (first.rows_written, first.rows_replaced) == (20, 0)
    assert (again.rows_written, again.rows_replaced, again.rows_removed) == (20, 20, 0)
    values = [c for c in before.columns if c not in ("ingested_at", "raw_id")]
    pd.testing.assert_frame_equal(before[values], after[values])
    # raw_id and ingested_at say which response the rows were last written from, and when.
    assert set(after["raw_id"]) == {again.raw_id}
    written_at = writer.query("SELECT written_at FROM raw_responses WHERE raw_id = ?", [again.raw_id])
    assert set(after["ingested_at"]) == set(written_at["written_at"])
    ledger = writer.progress("daily")
    assert ledger["status"].tolist() == ["done"]
    assert ledger["attempts"].tolist() == [2]
    assert ledger["raw_id"].tolist() == [again.raw_id]
    # One small record per write, re-runs included; the pages are in the archive.
    assert writer.query("SELECT count(*) AS n FROM raw_responses")["n"].item() == 2


def test_revised_values_replace_the_old_row(writer):
    write_daily(writer, "2024-01-02", n=3, close=10.0)
    revised = write_daily(writer, "2024-01-02", n=3, close=11.0)
    rows = table(writer, "normalized_daily", "ts_code")
    assert revised.rows_replaced == 3
    assert rows["close"].tolist() == [11.0, 11.01, 11.02]
    assert set(rows["raw_id"]) == {revised.raw_id}
    assert len(rows) == 3


def test_update_flag_flip_replaces_the_report(writer):
    code = "000001.SZ"
    original = make_frame(INCOME, [income_row(code, "2023-12-31", update_flag="0", f_ann_date="2024-03-20", revenue=100.0)])
    writer.write_partition(INCOME, code, original, make_raw(INCOME, code, original))
    revision = make_frame(INCOME, [income_row(code, "2023-12-31", update_flag="1", f_ann_date="2024-04-25", revenue=120.0)])
    result = writer.write_partition(INCOME, code, revision, make_raw(INCOME, code, revision))
    rows = table(writer, "normalized_income", "end_date")
    assert result.rows_replaced == 1
    assert rows[["update_flag", "revenue"]].values.tolist() == [["1", 120.0]]
    assert str(rows["f_ann_date"].item().date()) == "2024-04-25"


def test_a_partition_written_twice_holds_each_key_once_without_a_primary_key(writer):
    """No table has a key (DuckLake has none): the write itself keeps keys unique."""
    write_daily(writer, "2024-01-02", n=5)
    rows = daily_rows("2024-01-02", codes(5), close=10.0)
    rows[1]["close"], rows[2]["vol"] = 99.0, 1.0
    frame = make_frame(DAILY, rows + rows[:2])  # and two duplicates in the batch
    second = writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))
    assert (second.rows_written, second.rows_replaced, second.duplicates_dropped) == (5, 5, 2)
    got = table(writer, "normalized_daily", "ts_code")
    assert got["close"].tolist() == [10.0, 99.0, 10.02, 10.03, 10.04]
    assert got["vol"].tolist() == [1000.0, 1001.0, 1.0, 1003.0, 1004.0]
    keys = writer.query("SELECT count(*) AS n, count(DISTINCT (ts_code, trade_date, source)) AS k "
                        "FROM normalized_daily").iloc[0]
    assert (keys["n"], keys["k"]) == (5, 5)
    assert writer.query("SELECT count(*) AS n FROM duckdb_constraints() "
                        "WHERE constraint_type = 'PRIMARY KEY'")["n"].item() == 0


def test_rows_of_another_source_are_refused_unless_mixing_is_allowed(writer, backend):
    frame = make_frame(DAILY, daily_rows("2024-01-02", codes(2)))
    writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))
    with pytest.raises(MixedSourcesError, match=r"refusing to write tushare rows .* holds simulator rows"):
        writer.write_partition(DAILY, "2024-01-03", frame.assign(trade_date=pd.Timestamp("2024-01-03")),
                               make_raw(DAILY, "2024-01-03", frame, source="tushare"))
    assert writer.progress("daily", ["2024-01-03"])["status"].tolist() == ["failed"]
    writer.close()
    with WarehouseWriter(backend, allow_mixed_sources=True) as mixed:
        mixed.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame, source="tushare"))
        got = mixed.query("SELECT source, count(*) AS n FROM normalized_daily GROUP BY 1 ORDER BY 1")
    assert got.values.tolist() == [["simulator", 2], ["tushare", 2]]


def test_simulator_rows_are_refused_in_a_tushare_warehouse(backend, monkeypatch):
    frame = make_frame(DAILY, daily_rows("2024-01-02", codes(2)))
    with WarehouseWriter(backend) as writer:
        writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame, source="tushare"))
        with pytest.raises(MixedSourcesError, match="refusing to write simulator rows"):
            writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))
        assert writer.query("SELECT DISTINCT source FROM normalized_daily")["source"].tolist() == ["tushare"]
    monkeypatch.setenv("TWILIGHT_ALLOW_MIXED_SOURCES", "1")  # the setting, for a deliberate mix
    with WarehouseWriter(backend) as writer:
        writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))


def test_identical_rows_in_one_batch_collapse_and_are_counted(writer):
    rows = daily_rows("2024-01-02", codes(4))
    frame = make_frame(DAILY, rows + [rows[1], rows[1], rows[3]])
    result = writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))
    assert (result.rows_received, result.rows_written, result.duplicates_dropped) == (7, 4, 3)
    assert writer.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 4
    assert writer.progress("daily")["duplicates_dropped"].tolist() == [3]
    assert writer.query("SELECT row_count FROM raw_responses")["row_count"].item() == 7


def test_differing_duplicates_without_a_rule_keep_the_last_received(writer):
    first, second = daily_rows("2024-01-02", ["600000.SH"], close=10.0)[0], daily_rows("2024-01-02", ["600000.SH"], close=12.0)[0]
    for order, expected in (([first, second], 12.0), ([second, first], 10.0)):
        frame = make_frame(DAILY, order)
        result = writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))
        assert result.duplicates_dropped == 1
        assert writer.query("SELECT close FROM normalized_daily")["close"].item() == expected


@pytest.mark.parametrize("reverse", [False, True], ids=["revision-last", "revision-first"])
def test_the_revision_rule_picks_update_flag_then_latest_announcement(writer, reverse):
    code = "000002.SZ"
    rows = [
        income_row(code, "2023-12-31", update_flag="0", f_ann_date="2024-03-20", revenue=100.0),
        income_row(code, "2023-12-31", update_flag="1", f_ann_date="2024-04-25", revenue=120.0),
        income_row(code, "2023-12-31", update_flag="1", f_ann_date="2024-04-01", revenue=110.0),
        income_row(code, "2023-09-30", update_flag="0", f_ann_date="2023-10-20", revenue=70.0),
        income_row(code, "2023-09-30", update_flag="0", f_ann_date="2023-10-28", revenue=75.0),
    ]
    rows = rows[::-1] if reverse else rows
    frame = make_frame(INCOME, rows)
    result = writer.write_partition(INCOME, code, frame, make_raw(INCOME, code, frame))
    got = writer.query("SELECT CAST(end_date AS VARCHAR) AS end_date, revenue FROM normalized_income ORDER BY end_date")
    assert result.duplicates_dropped == 3
    # update_flag 1 beats 0 whatever the order; then the latest f_ann_date wins.
    assert got.values.tolist() == [["2023-09-30", 75.0], ["2023-12-31", 120.0]]


def test_an_arrow_table_is_written_like_a_frame(writer):
    frame = make_frame(DAILY, daily_rows("2024-01-03", codes(3)))
    table_ = pa.Table.from_pandas(frame, preserve_index=False)
    result = writer.write_partition(DAILY, "20240103", table_, make_raw(DAILY, "2024-01-03", frame))
    assert result.progress_key == "daily:2024-01-03"
    got = writer.query("SELECT ts_code, CAST(trade_date AS VARCHAR) AS d, close FROM normalized_daily ORDER BY 1")
    assert got.values.tolist() == [["600000.SH", "2024-01-03", 10.0], ["600001.SH", "2024-01-03", 10.01],
                                   ["600002.SH", "2024-01-03", 10.02]]


def test_types_land_as_the_ddl_says(writer):
    frame = make_frame(DAILY, daily_rows("2024-01-02", codes(1)))
    writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame, source="tushare"))
    got = writer.query("SELECT typeof(trade_date) AS d, typeof(vol) AS v, source, ingested_at IS NOT NULL AS i FROM normalized_daily")
    assert got.values.tolist() == [["DATE", "DOUBLE", "tushare", True]]


def test_a_missing_float_lands_as_null_not_nan(writer):
    rows = daily_rows("2024-01-02", codes(2))
    rows[0]["close"] = float("nan")  # pandas' missing value in a float64 column
    frame = make_frame(DAILY, rows)
    assert frame["close"].dtype == "float64" and frame["ah_vol"].isna().all()
    writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))
    got = writer.query("SELECT close IS NULL AS c, ah_vol IS NULL AS a FROM normalized_daily ORDER BY ts_code")
    assert got.values.tolist() == [[True, True], [False, True]]
    assert writer.query("SELECT count(*) AS n FROM normalized_daily WHERE isnan(close)")["n"].item() == 0


def test_missing_and_extra_columns_raise_naming_dataset_partition_and_field(writer):
    write_daily(writer, "2024-01-02", n=2)
    frame = make_frame(DAILY, daily_rows("2024-01-02", codes(2), close=99.0)).drop(columns=["amount"])
    frame["surprise"] = 1.0
    with pytest.raises(SchemaMismatchError) as err:
        writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))
    message = str(err.value)
    assert "dataset daily" in message and "partition 2024-01-02" in message
    assert "missing field(s) amount" in message and "unexpected field(s) surprise" in message
    ledger = writer.progress("daily")
    assert ledger["status"].tolist() == ["failed"]
    assert "SchemaMismatchError" in ledger["last_error"].item() and "amount" in ledger["last_error"].item()
    assert writer.query("SELECT max(close) AS c FROM normalized_daily")["c"].item() == 10.01  # untouched


def test_a_null_key_raises_naming_the_field(writer):
    rows = daily_rows("2024-01-02", codes(2))
    rows[1]["ts_code"] = None
    frame = make_frame(DAILY, rows)
    with pytest.raises(DataValidationError, match=r"dataset daily, partition 2024-01-02: field ts_code: 1 value"):
        writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))
    assert writer.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 0


def test_a_value_that_cannot_take_its_type_raises_naming_the_field(writer):
    frame = make_frame(DAILY, daily_rows("2024-01-02", codes(2)))
    frame["vol"] = pd.Series(["12.5", "lots"], dtype=object)
    with pytest.raises(DataValidationError, match=r"field vol: 1 value\(s\) cannot be read as DOUBLE \(e.g. \['lots'\]\)"):
        writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))


def test_a_key_that_cannot_take_its_type_raises_naming_the_field(writer):
    frame = make_frame(DAILY, daily_rows("2024-01-02", codes(2)))
    frame["trade_date"] = pd.Series(["2024-01-02", "someday"], dtype=object)
    with pytest.raises(DataValidationError, match=r"field trade_date: 1 value\(s\) cannot be read as DATE \(e.g. \['someday'\]\)"):
        writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))
    assert writer.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 0


def test_a_column_of_mixed_values_is_still_checked_by_field(writer):
    # Numbers and text in one column: Arrow cannot type it, so the frame goes to DuckDB
    # as it is, and the check still names the field and the value.
    frame = make_frame(DAILY, daily_rows("2024-01-02", codes(3)))
    frame["vol"] = pd.Series([12.5, "lots", None], dtype=object)
    with pytest.raises(DataValidationError, match=r"field vol: 1 value\(s\) cannot be read as DOUBLE \(e.g. \['lots'\]\)"):
        writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))
    frame["vol"] = pd.Series(["12.5", 3.0, None], dtype=object)  # mixed, but every value a number
    result = writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))
    assert result.rows_written == 3
    got = writer.query("SELECT vol FROM normalized_daily ORDER BY ts_code")["vol"].tolist()
    assert got[:2] == [12.5, 3.0] and pd.isna(got[2])


def test_a_bad_partition_key_is_refused(writer):
    frame = make_frame(DAILY, daily_rows("2024-01-02", codes(1)))
    with pytest.raises(ValueError, match="dataset daily, partition '000001.SZ'"):
        writer.write_partition(DAILY, "000001.SZ", frame, make_raw(DAILY, "2024-01-02", frame))


def test_a_raw_response_for_another_partition_or_source_is_refused(writer):
    frame = make_frame(DAILY, daily_rows("2024-01-02", codes(1)))
    with pytest.raises(DataValidationError, match="the raw response is for partition '2024-01-03'"):
        writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-03", frame))
    with pytest.raises(DataValidationError, match="field source: must be one of"):
        writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame, source="csv"))
    assert writer.query("SELECT count(*) AS n FROM raw_responses")["n"].item() == 0
    assert writer.progress("daily")["attempts"].tolist() == [2]


def test_a_result_left_unfetched_on_the_held_connection_does_not_block_writes(writer):
    with writer.quiesced() as conn:
        conn.execute("SELECT * FROM range(10)")  # never fetched
    assert write_daily(writer, "2024-01-02", n=2).rows_written == 2
    assert len(writer.query("SELECT * FROM normalized_daily")) == 2


def test_a_closed_market_day_is_recorded_with_no_rows(writer):
    frame = make_frame(DAILY, [])
    result = writer.write_partition(DAILY, "2024-02-12", frame, make_raw(DAILY, "2024-02-12", frame), status="market_closed")
    assert (result.status, result.rows_written) == ("market_closed", 0)
    assert writer.progress("daily", ["20240212"])["status"].tolist() == ["market_closed"]
    assert writer.query("SELECT latest_partition FROM source_freshness")["latest_partition"].item() == "2024-02-12"

    rows = make_frame(DAILY, daily_rows("2024-02-13", codes(1)))
    with pytest.raises(DataValidationError, match="market_closed but 1 rows arrived"):
        writer.write_partition(DAILY, "2024-02-13", rows, make_raw(DAILY, "2024-02-13", rows), status="market_closed")


def test_freshness_keeps_the_newest_partition_and_the_last_write(writer):
    write_daily(writer, "2024-01-05", n=3)
    write_daily(writer, "2024-01-03", n=2)
    got = writer.query("SELECT latest_partition, last_partition, rows, source FROM source_freshness WHERE api_name = 'daily'")
    assert got.values.tolist() == [["2024-01-05", "2024-01-03", 2, "simulator"]]


def test_the_raw_row_is_small_and_names_its_archived_response(writer):
    frame = make_frame(DAILY, daily_rows("2024-01-02", codes(4)))
    raw = make_raw(DAILY, "2024-01-02", frame)
    result = writer.write_partition(DAILY, "2024-01-02", frame, raw)
    row = writer.query("SELECT * FROM raw_responses WHERE raw_id = ?", [result.raw_id]).iloc[0]
    assert "payload" not in row.index
    assert (row["archive_path"], row["archive_bytes"], row["archive_sha256"]) == (
        raw.archive.path, raw.archive.bytes, raw.archive.sha256)
    archive = Archive(config.archive_root())
    data = archive.read_bytes(row["archive_path"])
    assert hashlib.sha256(data).hexdigest() == row["archive_sha256"]
    page = decode(data)[0]
    rebuilt = pd.DataFrame(page["items"], columns=page["fields"])
    stored = writer.query("SELECT ts_code, strftime(trade_date, '%Y%m%d') AS trade_date, close FROM normalized_daily ORDER BY 1")
    assert rebuilt[["ts_code", "trade_date", "close"]].values.tolist() == stored.values.tolist()
    assert json.loads(row["request_params"]) == raw.request_params


def test_every_version_of_a_report_is_kept_once(writer):
    code = "000001.SZ"
    original = make_frame(INCOME, [income_row(code, "2023-12-31", update_flag="0", f_ann_date="2024-03-20", revenue=100.0)])
    first = writer.write_partition(INCOME, code, original, make_raw(INCOME, code, original))
    both = make_frame(INCOME, [
        income_row(code, "2023-12-31", update_flag="0", f_ann_date="2024-03-20", revenue=100.0),
        income_row(code, "2023-12-31", update_flag="1", f_ann_date="2024-04-25", revenue=120.0),
    ])
    second = writer.write_partition(INCOME, code, both, make_raw(INCOME, code, both))
    third = writer.write_partition(INCOME, code, both, make_raw(INCOME, code, both))
    assert (first.revisions_added, second.revisions_added, third.revisions_added) == (1, 1, 0)
    versions = writer.query(
        "SELECT update_flag, revenue, raw_id FROM revisions_income ORDER BY update_flag")
    assert versions.values.tolist() == [["0", 100.0, first.raw_id], ["1", 120.0, second.raw_id]]
    assert table(writer, "normalized_income", "end_date")["revenue"].tolist() == [120.0]


def test_two_different_latest_revisions_are_recorded_for_the_check(writer):
    code = "000001.SZ"
    frame = make_frame(INCOME, [
        income_row(code, "2023-12-31", update_flag="1", f_ann_date="2024-04-25", revenue=120.0),
        income_row(code, "2023-12-31", update_flag="1", f_ann_date="2024-04-25", revenue=125.0),
    ])
    result = writer.write_partition(INCOME, code, frame, make_raw(INCOME, code, frame))
    recorded = writer.query("SELECT CAST(revision_conflicts AS VARCHAR) AS c FROM raw_responses WHERE raw_id = ?",
                            [result.raw_id])["c"].item()
    assert json.loads(recorded) == [{"ts_code": code, "end_date": "2023-12-31", "report_type": "1", "versions": "2"}]


def test_a_row_of_another_partition_is_refused_naming_the_field(writer):
    """Fault finding F5: a row dated another day would be committed under this day's done
    mark; the writer refuses the whole batch."""
    rows = daily_rows("2024-01-02", codes(3)) + daily_rows("2024-01-03", codes(1))
    frame = make_frame(DAILY, rows)
    with pytest.raises(DataValidationError,
                       match=r"partition 2024-01-02: field trade_date: 1 row\(s\) outside the partition .*2024-01-03.*nothing written"):
        writer.write_partition(DAILY, "2024-01-02", frame, make_raw(DAILY, "2024-01-02", frame))
    assert writer.query("SELECT count(*) AS n FROM normalized_daily")["n"].item() == 0
    other = make_frame(INCOME, [income_row("000002.SZ", "2023-12-31", update_flag="0", f_ann_date="2024-03-20", revenue=1.0)])
    with pytest.raises(DataValidationError, match=r"field ts_code: 1 row\(s\) outside the partition"):
        writer.write_partition(INCOME, "000001.SZ", other, make_raw(INCOME, "000001.SZ", other))


def test_check_results_are_appended_to_quality_log(writer):
    import datetime as dt

    from twilight_assets.warehouse.quality import CheckRecord

    records = [
        CheckRecord(run_id="r1", asset="daily", check_name="no_null_close_normalized_daily",
                    partition="2024-01-02..2024-01-05", severity="ERROR", passed=False, metric=2.0,
                    threshold=0.0, failed_rows=2,
                    samples=[{"ts_code": "600000.SH", "trade_date": dt.date(2024, 1, 2)}],
                    message="2 rows have no close", evaluated_at=dt.datetime(2024, 1, 6, tzinfo=dt.UTC)),
        CheckRecord(run_id=None, asset="daily", check_name="rows_normalized_daily", partition=None,
                    severity="WARN", passed=True, metric=None, threshold=None, failed_rows=0, samples=[],
                    message="ok", evaluated_at=dt.datetime(2024, 1, 6)),
    ]
    assert writer.record_check_results(records) == 2
    got = writer.query('SELECT id, "partition", passed, metric, CAST(samples AS VARCHAR) AS s FROM quality_log ORDER BY id')
    assert got["id"].is_unique and got["id"].is_monotonic_increasing
    assert json.loads(got["s"][0]) == [{"ts_code": "600000.SH", "trade_date": "2024-01-02"}]
    assert got["passed"].tolist() == [False, True]
    assert pd.isna(got["metric"][1])
    with pytest.raises(ValueError, match="severity"):
        CheckRecord(run_id=None, asset="daily", check_name="x", partition=None, severity="INFO", passed=True,
                    metric=None, threshold=None, failed_rows=0, samples=[], message="", evaluated_at=dt.datetime(2024, 1, 1))


def test_a_partition_mirrors_the_source_rows_it_no_longer_serves_are_removed(writer):
    """Fault finding F4: Tushare corrects a day by dropping a row; the day then holds what
    the source serves, and its done mark counts exactly those rows. Other days, and the
    same day from another source, are untouched."""
    from tests.warehouse.conftest import codes, daily_rows, make_frame, make_raw, write_daily

    spec = REGISTRY["daily"]
    write_daily(writer, "2024-06-27", n=7)
    write_daily(writer, "2024-06-28", n=7)
    other = make_frame(spec, daily_rows("2024-06-28", codes(7)))
    writer.allow_mixed_sources = True
    writer.write_partition(spec, "2024-06-28", other, make_raw(spec, "2024-06-28", other, source="tushare"))

    result = write_daily(writer, "2024-06-28", n=6)

    assert (result.rows_written, result.rows_removed) == (6, 1)
    counts = writer.query(
        "SELECT strftime(trade_date, '%Y-%m-%d') AS day, source, count(*) AS n FROM normalized_daily "
        "GROUP BY ALL ORDER BY ALL"
    ).values.tolist()
    assert counts == [["2024-06-27", "simulator", 7], ["2024-06-28", "simulator", 6], ["2024-06-28", "tushare", 7]]
    assert writer.progress("daily", ["2024-06-28"])["rows"].tolist() == [6]
