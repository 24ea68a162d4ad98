"""Every check passes on clean simulator data, and each simulator data fault makes the
matching check fail with a message that names the faulty rows."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from twilight_assets.checks import definitions as d
from twilight_assets.checks.definitions import CHECK_REGISTRY, CHECK_SPECS, ScopeKind
from twilight_assets.checks.runner import KeyRange, evaluate
from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.writer import WarehouseWriter

from .conftest import LOADED_DAYS, NOW, SPARE_DAYS, entity_keys, faulty, insert_past_the_writer


def _iso(yyyymmdd: str) -> str:
    return dt.datetime.strptime(str(yyyymmdd), "%Y%m%d").date().isoformat()


def _ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _scopes_for(check, sim_server) -> list:
    """A full sweep plus the kinds of scope a run hands a check of this grain."""
    if check.scope_kind is ScopeKind.DATE:
        days = [x.isoformat() for x in LOADED_DAYS]
        return [None, {days[-1]}, KeyRange(days[-10], days[-1])]
    if check.scope_kind is ScopeKind.TEXT:
        keys = entity_keys(sim_server, check.asset)
        return [None, {keys[0]}, set(keys[:5])]
    if check.scope_kind is ScopeKind.YEAR:
        return [None, {"2024"}, KeyRange("2023", "2024")]
    return [None]


@pytest.fixture(scope="module")
def clean_conn(clean_warehouse):
    conn = duckdb.connect(str(clean_warehouse), read_only=True)
    yield conn
    conn.close()


@pytest.mark.parametrize("check", CHECK_SPECS, ids=lambda c: c.name)
def test_clean_data_passes(check, clean_conn, sim_server):
    for scope in _scopes_for(check, sim_server):
        outcome = evaluate(clean_conn, check, scope, now=NOW)
        assert outcome.evaluated, outcome.message
        assert outcome.passed, outcome.message
        assert outcome.failed_rows == 0 and outcome.samples == []


def _fails(path, check_name: str, scope=None):
    with WarehouseWriter(path) as writer:
        outcome = evaluate(writer, CHECK_REGISTRY[check_name], scope, now=NOW)
    assert outcome.evaluated, outcome.message
    assert not outcome.passed, f"{check_name} passed on faulty data: {outcome.message}"
    assert outcome.failed_rows >= 1 and 1 <= len(outcome.samples) <= 5
    return outcome


def _reload(loader, path, api, keys):
    with WarehouseWriter(path) as writer:
        return loader.load(writer, api, keys)


def test_ohlc_violation(loader, warehouse_copy):
    day = LOADED_DAYS[-2]
    with faulty(loader.server, "ohlc_violation", api_name="daily", match={"trade_date": _ymd(day)}):
        _reload(loader, warehouse_copy, "daily", [day.isoformat()])
    row = loader.server.fault_log[-1]["rows"][0]
    for scope in (None, {day.isoformat()}):
        outcome = _fails(warehouse_copy, "ohlc_daily", scope)
        assert outcome.failed_rows == 1
        assert f"{row['ts_code']} {day.isoformat()}" in outcome.message
        assert "outside [low, high]" in outcome.message
    # A partition that the fault did not touch still passes.
    with duckdb.connect(str(warehouse_copy), read_only=True) as conn:
        other = evaluate(conn, CHECK_REGISTRY["ohlc_daily"], {LOADED_DAYS[0].isoformat()}, now=NOW)
    assert other.passed, other.message


def test_missing_day(loader, warehouse_copy):
    hole, after = SPARE_DAYS[0], SPARE_DAYS[1]
    with faulty(loader.server, "missing_day", api_name="daily", match={"trade_date": _ymd(hole)}):
        report = _reload(loader, warehouse_copy, "daily", [hole.isoformat(), after.isoformat()])
    assert [o.partition_key for o in report.failures] == [hole.isoformat()]
    for scope in (None, {hole.isoformat(), after.isoformat()}):
        outcome = _fails(warehouse_copy, "open_days_covered_daily", scope)
        assert outcome.failed_rows == 1
        assert outcome.message.startswith("1 open day without rows in normalized_daily")
        assert hole.isoformat() in outcome.message


def test_rows_on_closed_day(loader, warehouse_copy):
    day = LOADED_DAYS[-1]
    with faulty(loader.server, "rows_on_closed_day", api_name="daily", match={"trade_date": _ymd(day)}):
        report = _reload(loader, warehouse_copy, "daily", [day.isoformat()])
    # The writer refuses rows outside their partition; the check is the backstop for any
    # other way in, so put the same answer in past the writer, by plain SQL.
    (refused,) = report.failures
    assert "trade_date" in refused.error and "outside the partition" in refused.error
    with faulty(loader.server, "rows_on_closed_day", api_name="daily", match={"trade_date": _ymd(day)}):
        fetched = loader.source.fetch(REGISTRY["daily"], day.isoformat())
    with WarehouseWriter(warehouse_copy) as writer:
        closed_rows = fetched.frame[fetched.frame["trade_date"] != pd.Timestamp(day)]
        insert_past_the_writer(writer, "daily", closed_rows)
    closed = _iso(loader.server.fault_log[-1]["closed_day"])
    outcome = _fails(warehouse_copy, "closed_days_empty_daily")
    assert closed in outcome.message and "3 rows on a closed day" in outcome.message
    assert CHECK_REGISTRY["closed_days_empty_daily"].blocking


def test_adj_factor_gap_missing_factor(loader, warehouse_copy):
    # A day the clean warehouse never had: its bars arrive whole, its factors with a gap.
    day = SPARE_DAYS[-1]
    _reload(loader, warehouse_copy, "daily", [day.isoformat()])
    with faulty(loader.server, "adj_factor_gap", api_name="adj_factor", match={"trade_date": _ymd(day)}):
        _reload(loader, warehouse_copy, "adj_factor", [day.isoformat()])
    row = loader.server.fault_log[-1]["rows"][0]
    for scope in (None, {day.isoformat()}):
        outcome = _fails(warehouse_copy, d.HAS_ADJ_FACTOR_DAILY, scope)
        assert outcome.failed_rows == 1
        assert f"{row['ts_code']} {day.isoformat()} (no adj_factor)" in outcome.message


def test_adj_factor_gap_pre_close(loader, warehouse_copy):
    day = LOADED_DAYS[-4]
    with faulty(loader.server, "adj_factor_gap", api_name="daily", match={"trade_date": _ymd(day)}):
        _reload(loader, warehouse_copy, "daily", [day.isoformat()])
    row = loader.server.fault_log[-1]["rows"][0]
    for scope in (None, {day.isoformat()}):
        outcome = _fails(warehouse_copy, d.PRE_CLOSE_DAILY, scope)
        assert f"{row['ts_code']} {day.isoformat()}" in outcome.message
        assert "unchanged" in outcome.message


def test_weights_not_100(loader, warehouse_copy, sim_server):
    index = entity_keys(sim_server, "index_weight")[0]
    with faulty(loader.server, "weights_not_100", api_name="index_weight", match={"index_code": index}):
        _reload(loader, warehouse_copy, "index_weight", [index])
    row = loader.server.fault_log[-1]["rows"][0]
    outcome = _fails(warehouse_copy, d.WEIGHTS_SUM_INDEX_WEIGHT, {index})
    assert f"{index} {_iso(row['trade_date'])}" in outcome.message
    assert "weights sum to 101.5" in outcome.message


def test_identity_broken(loader, warehouse_copy, sim_server):
    stock = _stock_with_reports(warehouse_copy, "balancesheet")
    with faulty(loader.server, "identity_broken", api_name="balancesheet", match={"ts_code": stock}):
        _reload(loader, warehouse_copy, "balancesheet", [stock])
    row = loader.server.fault_log[-1]["rows"][0]
    outcome = _fails(warehouse_copy, d.BALANCE_IDENTITY_BALANCESHEET, {stock})
    assert outcome.failed_rows == 1
    assert f"{stock} {_iso(row['end_date'])}" in outcome.message


@pytest.mark.parametrize("api", ["income", "fina_indicator", "express"])
def test_pit_reversed(api, loader, warehouse_copy):
    stock = _stock_with_reports(warehouse_copy, api)
    with faulty(loader.server, "pit_reversed", api_name=api, match={"ts_code": stock}):
        _reload(loader, warehouse_copy, api, [stock])
    fault = loader.server.fault_log[-1]
    outcome = _fails(warehouse_copy, f"pit_order_{api}", {stock})
    assert f"{stock} {_iso(fault['rows'][0]['end_date'])}" in outcome.message
    if api == "income":
        assert f"f_ann_date {_iso(fault['f_ann_date'])}" in outcome.message
    else:
        assert f"ann_date {_iso(fault['ann_date'])}" in outcome.message


def test_unknown_ts_code(loader, warehouse_copy):
    day = LOADED_DAYS[-1]
    with faulty(loader.server, "unknown_ts_code", api_name="daily", match={"trade_date": _ymd(day)}):
        _reload(loader, warehouse_copy, "daily", [day.isoformat()])
    code = loader.server.fault_log[-1]["rows"][0]["ts_code"]
    for scope in (None, {day.isoformat()}):
        outcome = _fails(warehouse_copy, "known_ts_code_daily", scope)
        assert outcome.message.startswith(f"1 stock missing from stock_basic")
        assert code in outcome.message


def test_duplicate_revision(loader, warehouse_copy):
    stock = _stock_with_reports(warehouse_copy, "income")
    with faulty(loader.server, "duplicate_revision", api_name="income", match={"ts_code": stock}):
        report = _reload(loader, warehouse_copy, "income", [stock])
    assert report.outcomes[0].duplicates_dropped == 1  # the writer kept one of the twins
    row = loader.server.fault_log[-1]["rows"][0]
    outcome = _fails(warehouse_copy, d.single_revision_name("income"), {stock})
    assert stock in outcome.message and "2 rows flagged update_flag 1" in outcome.message
    # Other stocks' latest responses are clean: a full sweep finds the same one report.
    with duckdb.connect(str(warehouse_copy), read_only=True) as conn:
        sweep = evaluate(conn, CHECK_REGISTRY[d.single_revision_name("income")], None, now=NOW)
    assert sweep.failed_rows == 1
    assert row["ts_code"] == stock


def _stock_with_reports(path, api: str) -> str:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(
            f"SELECT ts_code FROM {REGISTRY[api].table} GROUP BY ts_code ORDER BY count(*) DESC, ts_code LIMIT 1"
        ).fetchall()[0][0]
    finally:
        conn.close()


def test_schema_drift_reports_fields_the_source_stopped_serving(loader, warehouse_copy):
    """An account that is served only the required fields: the partition lands (absent
    fields are NULL), and the warning-level drift check names what is missing, but not
    fields Tushare serves only from a later day on (daily's after-hours fields)."""
    day = LOADED_DAYS[-1]
    with faulty(loader.server, "essential_only", api_name="daily", match={"trade_date": _ymd(day)}):
        report = _reload(loader, warehouse_copy, "daily", [day.isoformat()])
    assert not report.failures and "change" in report.outcomes[0].absent_fields
    outcome = _fails(warehouse_copy, f"schema_{'daily'}")
    problems = {s["column_name"]: s["problem"] for s in outcome.samples}
    assert problems["change"].startswith("documented, not served in 1 of the latest 5 responses")
    assert "ah_vol" not in problems and "ah_amount" not in problems
    assert not CHECK_REGISTRY["schema_daily"].blocking and CHECK_REGISTRY["schema_daily"].severity is d.Severity.WARN
