"""The simulator speaks Tushare's protocol, checked through the real `tushare` SDK."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
import requests

from tests.conftest import SIMULATOR_CONFIG, make_data_api
from tushare_sim import SimulatorConfig, SimulatorServer
from tushare_sim.apis import AFTER_HOURS_FIELDS, AFTER_HOURS_FROM
from tushare_sim.universe import BOARD_CHINEXT, BOARD_STAR
from twilight_assets.specs import REGISTRY, get_spec


def request_params(simulator, api_name: str) -> dict:
    """Parameters that make each API return rows on the shared simulator."""
    spec = get_spec(api_name)
    stock = simulator.universe.codes[0]
    index = simulator.universe.indexes["ts_code"].iloc[2]
    if api_name in ("daily", "daily_basic", "adj_factor"):
        return {"trade_date": "20240103"}
    if api_name == "index_weight":
        return {"index_code": index}
    if api_name in ("index_daily", "index_dailybasic"):
        return {"ts_code": index}
    if api_name == "trade_cal":
        return {"exchange": "SSE", "start_date": "20240101", "end_date": "20241231"}
    if api_name == "index_basic":
        return {"market": "CSI"}
    if api_name == "forecast":
        with_forecast = [c for c in simulator.universe.codes if _has_rows(simulator, "forecast", c)]
        return {"ts_code": with_forecast[0]}
    if spec.partition_param == "ts_code":
        return {"ts_code": stock}
    return {}


def _has_rows(simulator, api_name: str, code: str) -> bool:
    api = make_data_api(simulator)
    return len(api.query(api_name, ts_code=code)) > 0


@pytest.mark.parametrize("api_name", sorted(REGISTRY))
def test_every_api_returns_rows_with_every_documented_field(simulator, tushare_api, api_name):
    """Every documented field, but daily's after-hours ones: the shared market is of 2024."""
    spec = get_spec(api_name)
    frame = tushare_api.query(api_name, fields=",".join(spec.field_names), **request_params(simulator, api_name))
    assert len(frame) > 0
    served = [f for f in spec.field_names if not (api_name == "daily" and f in AFTER_HOURS_FIELDS)]
    assert list(frame.columns) == served
    for key in spec.key_fields:
        assert frame[key].notna().all(), f"{api_name}.{key} has nulls"


@pytest.mark.parametrize("api_name", sorted(REGISTRY))
def test_default_fields_are_the_default_shown_ones(simulator, tushare_api, api_name):
    frame = tushare_api.query(api_name, **request_params(simulator, api_name))
    assert list(frame.columns) == [f.name for f in get_spec(api_name).fields if f.default_shown]


def test_daily_serves_after_hours_fields_from_their_first_day_only():
    """As Tushare: before 2026-07-06 the reply does not name ah_vol/ah_amount at all; from
    that day on it does, with 0 for boards without an after-hours session. A range that
    spans the day names them, null before it."""
    assert AFTER_HOURS_FROM == dt.date(2026, 7, 6)
    config = SimulatorConfig(n_stocks=30, n_indexes=1, start=dt.date(2026, 6, 1), as_of=dt.date(2026, 7, 10))
    names = ",".join(get_spec("daily").field_names)
    classic = [f for f in get_spec("daily").field_names if f not in AFTER_HOURS_FIELDS]
    with SimulatorServer(config) as sim:
        before = _post(sim, "daily", {"trade_date": "20260703"}, fields=names)["data"]
        first = _post(sim, "daily", {"trade_date": "20260706"}, fields=names)["data"]
        api = make_data_api(sim)
        board = dict(zip(sim.universe.codes, sim.universe.board))
        spanning = api.query("daily", ts_code=",".join(sim.universe.codes), start_date="20260701",
                             end_date="20260710", fields=names)
    assert before["items"] and before["fields"] == classic
    assert first["items"] and first["fields"] == list(get_spec("daily").field_names)
    rows = [dict(zip(first["fields"], item)) for item in first["items"]]
    late_session = [r for r in rows if board[r["ts_code"]] in (BOARD_STAR, BOARD_CHINEXT)]
    assert late_session and any(r["ah_vol"] > 0 for r in late_session)
    assert all(r["ah_vol"] == 0 and r["ah_amount"] == 0 for r in rows if r not in late_session)
    assert all(abs(r["ah_amount"] - r["ah_vol"] * r["close"] / 10) < 0.01 for r in rows)
    on_or_after = spanning["trade_date"] >= "20260706"
    assert on_or_after.any() and (~on_or_after).any()
    assert spanning.loc[on_or_after, ["ah_vol", "ah_amount"]].notna().all().all()
    assert spanning.loc[~on_or_after, ["ah_vol", "ah_amount"]].isna().all().all()


def test_hidden_fields_come_only_when_named(simulator, tushare_api):
    code = simulator.universe.codes[0]
    plain = tushare_api.query("fina_indicator", ts_code=code)
    assert "update_flag" not in plain.columns
    asked = tushare_api.query("fina_indicator", ts_code=code, fields="ts_code,end_date,update_flag")
    assert list(asked.columns) == ["ts_code", "end_date", "update_flag"]
    assert set(asked["update_flag"]) <= {"0", "1"}


def test_fields_keep_the_requested_order_and_ignore_unknown_names(simulator):
    reply = _post(simulator, "daily", {"trade_date": "20240103"}, fields="close, ts_code,nonsense,close")
    assert reply["data"]["fields"] == ["close", "ts_code"]
    listed = _post(simulator, "daily", {"trade_date": "20240103"}, fields=["vol", "trade_date"])
    assert listed["data"]["fields"] == ["vol", "trade_date"]


def test_values_use_tushare_wire_types(simulator):
    reply = _post(simulator, "daily", {"trade_date": "20240103"})
    row = dict(zip(reply["data"]["fields"], reply["data"]["items"][0]))
    assert isinstance(row["trade_date"], str) and len(row["trade_date"]) == 8 and row["trade_date"].isdigit()
    assert all(isinstance(row[f], float) for f in ("open", "high", "low", "close", "vol", "amount"))
    cal = _post(simulator, "trade_cal", {"start_date": "20240101", "end_date": "20240110"})
    assert {type(item[2]) for item in cal["data"]["items"]} == {int}


def test_bad_token_is_40101(simulator):
    reply = _post(simulator, "daily", {"trade_date": "20240103"}, token="wrong")
    assert reply["code"] == 40101
    with pytest.raises(Exception, match="token"):
        make_data_api(simulator, token="wrong").query("daily", trade_date="20240103")
    missing = requests.post(f"{simulator.url}/daily", json={"api_name": "daily", "params": {}}, timeout=10).json()
    assert missing["code"] == 40101


def test_unknown_api_is_an_error_not_empty(simulator, tushare_api):
    reply = _post(simulator, "no_such_api", {})
    assert reply["code"] != 0 and reply["msg"]
    with pytest.raises(Exception, match="接口名"):
        tushare_api.query("no_such_api")


def test_malformed_parameters_are_errors_naming_the_parameter(simulator):
    reply = _post(simulator, "daily", {"trade_date": "2024-13-45"})
    assert reply["code"] == -2001 and "trade_date" in reply["msg"]
    reply = _post(simulator, "trade_cal", {"limit": "many"})
    assert reply["code"] == -2001 and "limit" in reply["msg"]


def test_paging_with_limit_and_offset_returns_every_row_once(simulator, tushare_api):
    whole = tushare_api.query("trade_cal", start_date="20230101", end_date="20241231")
    pages, offset = [], 0
    while True:
        reply = _post(simulator, "trade_cal", {"start_date": "20230101", "end_date": "20241231",
                                                "limit": 100, "offset": offset})
        items = reply["data"]["items"]
        pages.append(items)
        offset += len(items)
        if not reply["data"]["has_more"]:
            break
        assert len(items) == 100
    rows = [tuple(r) for page in pages for r in page]
    assert len(pages) == -(-len(whole) // 100)
    assert len(rows) == len(set(rows)) == len(whole)


def test_page_limit_caps_a_call_and_sets_has_more():
    # Enough stocks that one day's daily rows exceed the spec's 6000-row cap.
    config = SimulatorConfig(n_stocks=7000, n_indexes=1, start=SIMULATOR_CONFIG.start,
                             as_of=SIMULATOR_CONFIG.start.replace(month=2))
    with SimulatorServer(config) as big:
        t = big.universe.day_index(SIMULATOR_CONFIG.start.replace(day=10))
        expected = int(big.universe.trading[:, t].sum())
        assert expected > 6000
        first = _post(big, "daily", {"trade_date": "20230110"})
        assert len(first["data"]["items"]) == get_spec("daily").page_limit
        assert first["data"]["has_more"] is True
        rest = _post(big, "daily", {"trade_date": "20230110", "offset": 6000})
        assert rest["data"]["has_more"] is False
        codes = [r[0] for r in first["data"]["items"] + rest["data"]["items"]]
        assert len(codes) == len(set(codes)) == expected


def test_page_limits_can_be_shrunk_for_tests():
    config = SimulatorConfig(as_of=SIMULATOR_CONFIG.as_of, start=SIMULATOR_CONFIG.start, page_limits={"daily": 7})
    with SimulatorServer(config) as server:
        api = make_data_api(server)
        whole = len(api.query("adj_factor", trade_date="20240103"))  # adj_factor keeps its 6000 cap
        first = _post(server, "daily", {"trade_date": "20240103"})
        assert len(first["data"]["items"]) == 7 and first["data"]["has_more"] is True
        rows, offset = [], 0
        while True:
            page = _post(server, "daily", {"trade_date": "20240103", "limit": 6000, "offset": offset})["data"]
            rows += page["items"]
            offset += len(page["items"])
            if not page["has_more"]:
                break
        assert len(rows) == len({r[0] for r in rows}) == whole - len(server.universe.suspended_codes_on(
            SIMULATOR_CONFIG.as_of.replace(month=1, day=3)))


def test_quota_answers_40203_with_tushares_message():
    config = SimulatorConfig(as_of=SIMULATOR_CONFIG.as_of, start=SIMULATOR_CONFIG.start, calls_per_minute={"daily": 2})
    with SimulatorServer(config) as limited:
        api = make_data_api(limited)
        api.query("daily", trade_date="20240103")
        api.query("daily", trade_date="20240104")
        with pytest.raises(Exception, match="每分钟最多访问该接口2次"):
            api.query("daily", trade_date="20240105")
        assert len(api.query("adj_factor", trade_date="20240105")) > 0  # other APIs have their own quota
        assert limited.stats["throttled"] == 1


def test_quota_window_passes_and_calls_succeed_again():
    config = SimulatorConfig(as_of=SIMULATOR_CONFIG.as_of, start=SIMULATOR_CONFIG.start,
                             calls_per_minute=1, quota_window_seconds=0.5)
    with SimulatorServer(config) as limited:
        assert _post(limited, "trade_cal", {})["code"] == 0
        assert _post(limited, "trade_cal", {})["code"] == 40203
        time.sleep(0.6)
        assert _post(limited, "trade_cal", {})["code"] == 0


def test_hourly_and_daily_quotas_name_their_window():
    for window, word in (("calls_per_hour", "每小时"), ("calls_per_day", "每天")):
        config = SimulatorConfig(as_of=SIMULATOR_CONFIG.as_of, start=SIMULATOR_CONFIG.start, **{window: 1})
        with SimulatorServer(config) as limited:
            _post(limited, "trade_cal", {})
            reply = _post(limited, "trade_cal", {})
            assert reply["code"] == 40203 and word in reply["msg"]


def test_unentitled_api_has_a_distinct_message():
    config = SimulatorConfig(as_of=SIMULATOR_CONFIG.as_of, start=SIMULATOR_CONFIG.start,
                             unentitled_apis=frozenset({"express"}))
    with SimulatorServer(config) as server:
        reply = _post(server, "express", {"ts_code": server.universe.codes[0]})
        assert reply["code"] == 40203
        assert "没有接口(express)访问权限" in reply["msg"] and "最多访问" not in reply["msg"]


def test_sdk_junk_param_is_ignored_and_token_never_logged(simulator, tushare_api):
    tushare_api.query("stock_basic")
    last = simulator.call_log[-1]
    assert last["api"] == "stock_basic" and "ts_type_name" not in last["params"]
    assert simulator.token not in json.dumps(simulator.call_log, default=str)


def _post(server, api_name: str, params: dict, token: str | None = None, fields: str | list = "") -> dict:
    body = {"api_name": api_name, "token": server.token if token is None else token, "params": params, "fields": fields}
    response = requests.post(f"{server.url}/{api_name}", json=body, timeout=30)
    response.raise_for_status()
    return response.json()
