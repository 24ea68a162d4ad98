"""The runner's contract: scopes bind as parameters, empty peers are reported as not
evaluated, samples are JSON-safe and few, bad scopes are typed errors, and the source's
schema drift shows up in the schema check."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from twilight_assets.checks import definitions as d
from twilight_assets.checks.definitions import CHECK_REGISTRY, CHECK_SPECS
from twilight_assets.checks.runner import (
    MAX_SAMPLES,
    CheckScopeError,
    KeyRange,
    evaluate,
    render,
    scope_label,
)
from twilight_assets.freshness import due_dates
from twilight_assets.warehouse.schema import ensure_schema
from twilight_assets.warehouse.writer import WarehouseWriter

from .conftest import LOADED_DAYS, NOW, SHANGHAI, evening, faulty


@pytest.fixture
def empty_conn():
    conn = duckdb.connect()
    ensure_schema(conn)
    yield conn
    conn.close()


def test_names_follow_the_convention_and_sql_files_exist():
    for check in CHECK_SPECS:
        assert check.name.endswith(f"_{check.asset}"), check.name
        assert check.sql_template.strip()
        assert check.label_columns, check.name


def test_values_are_bound_never_formatted():
    check = CHECK_REGISTRY["ohlc_daily"]
    rendered = render(check, {"2024-06-03", "2024-06-05"})
    assert "2024-06" not in rendered.sql
    assert ["2024-06-03", "2024-06-05"] in rendered.params
    assert "$1" in rendered.sql and "$" + str(len(rendered.params)) in rendered.sql
    ranged = render(check, KeyRange("2024-06-03", "20240607"))
    assert ranged.params[:2] == ["2024-06-03", "2024-06-07"]  # keys are made canonical


def test_scope_of_another_grain_is_a_typed_error():
    with pytest.raises(CheckScopeError, match="ohlc_daily on daily.*000001.SZ"):
        render(CHECK_REGISTRY["ohlc_daily"], {"000001.SZ"})
    with pytest.raises(CheckScopeError, match="empty scope"):
        render(CHECK_REGISTRY["ohlc_daily"], set())


def test_scope_labels():
    assert scope_label(None) is None
    assert scope_label(frozenset({"2024-06-03"})) == "2024-06-03"
    assert scope_label(frozenset({"2024-06-05", "2024-06-03"})) == "2024-06-03..2024-06-05"
    assert scope_label(KeyRange("a", "b")) == "a..b"


def test_stale_data_fails_freshness_naming_the_lag(clean_warehouse):
    later = evening(dt.date(2024, 6, 28))  # three open days on
    with duckdb.connect(str(clean_warehouse), read_only=True) as conn:
        outcome = evaluate(conn, CHECK_REGISTRY["fresh_daily"], None, now=later)
    assert not outcome.passed and outcome.metric == 3.0
    assert outcome.message == (
        "1 dataset behind the latest open day due: daily (latest 2024-06-25, due 2024-06-28: "
        "3 open days behind)")


def test_a_day_is_due_from_20_00_shanghai():
    before = dt.datetime(2024, 6, 25, 19, 59, tzinfo=SHANGHAI)
    after = dt.datetime(2024, 6, 25, 12, 0, tzinfo=dt.timezone.utc)  # 20:00 in Shanghai
    assert due_dates(before) == (dt.date(2024, 6, 25), dt.date(2024, 6, 24))
    assert due_dates(after) == (dt.date(2024, 6, 25), dt.date(2024, 6, 25))


def test_empty_peer_is_not_evaluated(empty_conn):
    empty_conn.execute(
        "INSERT INTO normalized_daily (ts_code, trade_date, open, high, low, close, pre_close, "
        "vol, amount, source, ingested_at) VALUES ('000001.SZ', DATE '2024-06-03', 10, 11, 9, "
        "10, 10, 1, 1, 'simulator', now())"
    )
    outcome = evaluate(empty_conn, CHECK_REGISTRY[d.HAS_ADJ_FACTOR_DAILY], None, now=NOW)
    assert outcome.passed and not outcome.evaluated
    assert outcome.message == "not evaluated: normalized_adj_factor is empty"
    # Its own empty table: nothing to judge either, except freshness, where empty is stale.
    assert not evaluate(empty_conn, CHECK_REGISTRY["ohlc_index_daily"], None).evaluated
    assert evaluate(empty_conn, CHECK_REGISTRY["fresh_daily"], None).message.startswith(
        "not evaluated: normalized_trade_cal is empty")


def test_samples_are_few_and_json_safe(empty_conn):
    empty_conn.execute(
        "INSERT INTO normalized_daily (ts_code, trade_date, open, high, low, close, pre_close, "
        "vol, amount, source, ingested_at) "
        "SELECT printf('%06d.SZ', i), DATE '2024-06-03', 10, 9, 11, 10, 10, 1, 1, 'simulator', now() "
        "FROM range(1, 8) t(i)"
    )
    outcome = evaluate(empty_conn, CHECK_REGISTRY["ohlc_daily"], None)
    assert not outcome.passed and outcome.failed_rows == 7
    assert len(outcome.samples) == MAX_SAMPLES and outcome.metric == 7.0
    json.dumps(outcome.samples)
    assert outcome.samples[0]["trade_date"] == "2024-06-03"
    assert outcome.message.startswith(
        "7 rows with high < low or open/close outside [low, high]: 000001.SZ 2024-06-03 (")
    assert outcome.message.endswith("; ...")


def test_schema_drift_from_the_source_is_reported(loader, warehouse_copy):
    day = LOADED_DAYS[-1]
    with faulty(loader.server, "extra_field", api_name="daily", match={"trade_date": day.strftime("%Y%m%d")}):
        with WarehouseWriter(warehouse_copy) as writer:
            report = loader.load(writer, "daily", [day.isoformat()])
    assert not report.failures  # kept in raw_responses, not in the table
    with duckdb.connect(str(warehouse_copy), read_only=True) as conn:
        outcome = evaluate(conn, CHECK_REGISTRY["schema_daily"], None, now=NOW)
    assert not outcome.passed and outcome.failed_rows == 1
    assert "sim_undocumented sent by the source, not in the spec" in outcome.message
