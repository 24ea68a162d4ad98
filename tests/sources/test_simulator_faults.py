"""Every fault kind does what it says, on the calls it is aimed at, and is logged."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
import requests

from tests.conftest import SIMULATOR_CONFIG, make_data_api
from tushare_sim import FAULT_KINDS, SimulatorServer
from tushare_sim.cli import READY_PREFIX
from tushare_sim.faults import EXTRA_FIELD, WRONG_TYPE_VALUE
from twilight_assets.specs import get_spec

DAY = "20240103"


def post(server, api_name: str, params: dict, fields: str = "", timeout: float = 30) -> requests.Response:
    body = {"api_name": api_name, "token": server.token, "params": params, "fields": fields}
    return requests.post(f"{server.url}/{api_name}", json=body, timeout=timeout)


def frame(response: requests.Response) -> pd.DataFrame:
    data = response.json()["data"]
    return pd.DataFrame(data["items"], columns=data["fields"])


def test_fault_kinds_are_the_documented_set():
    assert FAULT_KINDS == {
        "http_500", "http_502", "timeout", "empty_body", "malformed_json", "throttle",
        "missing_field", "extra_field", "null_key", "wrong_type", "duplicate_rows", "essential_only",
        "revised_values", "ohlc_violation", "missing_day", "rows_on_closed_day", "duplicate_revision",
        "adj_factor_gap", "weights_not_100", "identity_broken", "pit_reversed", "unknown_ts_code",
    }


def test_unknown_kind_or_api_is_refused(simulator):
    with pytest.raises(ValueError, match="unknown fault kind"):
        simulator.add_fault("gremlins")
    with pytest.raises(ValueError, match="no API"):
        simulator.add_fault("http_500", api_name="nope")


# -- transport -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,status", [("http_500", 500), ("http_502", 502)])
def test_http_errors_fire_the_given_number_of_times(simulator, kind, status):
    simulator.add_fault(kind, api_name="daily", times=2)
    assert [post(simulator, "daily", {"trade_date": DAY}).status_code for _ in range(3)] == [status, status, 200]
    # The SDK would have turned these into an empty DataFrame: that is why the client wraps it.
    simulator.add_fault(kind, api_name="daily", times=1)
    assert make_data_api(simulator).query("daily", trade_date=DAY).empty


def test_timeout_hangs_past_the_client_timeout(simulator):
    simulator.add_fault("timeout", api_name="daily", times=1, delay=3.0)
    with pytest.raises(requests.exceptions.Timeout):
        post(simulator, "daily", {"trade_date": DAY}, timeout=0.5)
    assert post(simulator, "daily", {"trade_date": DAY}).status_code == 200


def test_empty_body_and_malformed_json_break_the_sdk(simulator):
    api = make_data_api(simulator)
    simulator.add_fault("empty_body", api_name="daily", times=1)
    response = post(simulator, "daily", {"trade_date": DAY})
    assert response.status_code == 200 and response.content == b""
    simulator.add_fault("malformed_json", api_name="daily", times=1)
    with pytest.raises(json.JSONDecodeError):
        api.query("daily", trade_date=DAY)
    assert len(api.query("daily", trade_date=DAY)) > 0


@pytest.mark.parametrize("window,word", [("minute", "每分钟"), ("hour", "每小时"), ("day", "每天")])
def test_throttle_fault_speaks_tushares_message(simulator, window, word):
    simulator.add_fault("throttle", api_name="income", times=1, window=window)
    reply = post(simulator, "income", {"ts_code": simulator.universe.codes[0]}).json()
    assert reply["code"] == 40203 and word in reply["msg"] and "最多访问该接口" in reply["msg"]


def test_match_aims_at_one_exact_call(simulator):
    simulator.add_fault("http_500", api_name="daily", match={"trade_date": "20240104", "offset": 0})
    assert post(simulator, "daily", {"trade_date": DAY, "offset": 0}).status_code == 200
    assert post(simulator, "daily", {"trade_date": "20240104"}).status_code == 200  # no offset param
    assert post(simulator, "daily", {"trade_date": "20240104", "offset": 0}).status_code == 500


def test_rate_fires_on_some_calls_reproducibly(simulator):
    def run() -> list[int]:
        simulator.clear_faults()
        simulator.add_fault("http_502", api_name="trade_cal", rate=0.5)
        return [post(simulator, "trade_cal", {"start_date": "20240101", "end_date": "20240105"}).status_code
                for _ in range(30)]
    first, second = run(), run()
    assert 0 < first.count(502) < 30
    assert first == second


# -- schema ----------------------------------------------------------------------------------
def test_missing_field_drops_a_documented_field(simulator):
    simulator.add_fault("missing_field", api_name="daily", times=1, field="amount")
    got = frame(post(simulator, "daily", {"trade_date": DAY}))
    assert "amount" not in got.columns and "close" in got.columns
    assert simulator.fault_log[-1]["kind"] == "missing_field" and simulator.fault_log[-1]["field"] == "amount"


@pytest.mark.parametrize("api_name, dropped", [("daily", "amount"), ("stock_basic", "delist_date"),
                                              ("trade_cal", "is_open"), ("index_dailybasic", "pb")])
def test_missing_field_by_default_drops_the_last_required_one(simulator, api_name, dropped):
    """A required field, so the fault still breaks the shape a client depends on; a dataset
    with no essential field loses its last field (there is no required one but the key)."""
    spec = get_spec(api_name)
    simulator.add_fault("missing_field", api_name=api_name, times=1)
    post(simulator, api_name, {"trade_date": DAY} if api_name == "daily" else
         {"ts_code": "000300.SH"} if api_name == "index_dailybasic" else {}, fields=",".join(spec.field_names))
    assert simulator.fault_log[-1]["field"] == dropped


@pytest.mark.parametrize("api_name", ["daily", "stock_basic", "income"])
def test_essential_only_serves_just_the_required_fields(simulator, api_name):
    spec = get_spec(api_name)
    params = {"trade_date": DAY} if api_name == "daily" else {"ts_code": "000001.SZ"} if api_name == "income" else {}
    clean = frame(post(simulator, api_name, params, fields=",".join(spec.field_names)))
    simulator.add_fault("essential_only", api_name=api_name, times=1)
    narrow = frame(post(simulator, api_name, params, fields=",".join(spec.field_names)))
    assert list(narrow.columns) == [f for f in spec.field_names if f in spec.required_fields]
    assert len(narrow) == len(clean) > 0
    pd.testing.assert_frame_equal(narrow, clean[list(narrow.columns)])
    logged = simulator.fault_log[-1]
    assert logged["kind"] == "essential_only" and set(logged["fields_dropped"]) == set(clean.columns) - set(spec.required_fields)


def test_extra_field_adds_an_undocumented_one(simulator):
    simulator.add_fault("extra_field", api_name="daily", times=1)
    got = frame(post(simulator, "daily", {"trade_date": DAY}))
    assert EXTRA_FIELD in got.columns and EXTRA_FIELD not in get_spec("daily").field_names


def test_null_key_puts_null_in_a_key_column(simulator):
    simulator.add_fault("null_key", api_name="daily_basic", times=1)
    got = frame(post(simulator, "daily_basic", {"trade_date": DAY}))
    assert got["ts_code"].isna().sum() == 1


def test_wrong_type_puts_text_in_a_float_field(simulator):
    simulator.add_fault("wrong_type", api_name="daily", times=1, field="close")
    got = frame(post(simulator, "daily", {"trade_date": DAY}))
    assert (got["close"] == WRONG_TYPE_VALUE).sum() == 1


def test_duplicate_rows_are_byte_identical(simulator):
    simulator.add_fault("duplicate_rows", api_name="adj_factor", times=1)
    raw = post(simulator, "adj_factor", {"trade_date": DAY}).json()["data"]["items"]
    dumped = [json.dumps(r) for r in raw]
    assert len(dumped) - len(set(dumped)) == 3 == simulator.fault_log[-1]["rows_affected"]
    clean = post(simulator, "adj_factor", {"trade_date": DAY}).json()["data"]["items"]
    assert len(clean) == len(raw) - 3


# -- data ------------------------------------------------------------------------------------
def test_ohlc_violation(simulator):
    simulator.add_fault("ohlc_violation", api_name="daily", times=1)
    got = frame(post(simulator, "daily", {"trade_date": DAY}))
    bad = got[got["high"] < got["low"]]
    assert len(bad) == 1
    entry = simulator.fault_log[-1]
    assert entry["rows"] == [{"ts_code": bad["ts_code"].iloc[0], "trade_date": DAY}]
    assert entry["rows_affected"] == 1 and entry["api"] == "daily" and entry["params"] == {"trade_date": DAY}


def test_missing_day_returns_no_rows_for_an_open_day(simulator):
    simulator.add_fault("missing_day", api_name="daily", match={"trade_date": DAY})
    assert frame(post(simulator, "daily", {"trade_date": DAY})).empty
    assert len(frame(post(simulator, "daily", {"trade_date": "20240104"}))) > 0
    assert simulator.fault_log[-1]["trade_dates"] == [DAY] and simulator.fault_log[-1]["rows_affected"] > 0


def test_rows_on_closed_day(simulator):
    simulator.add_fault("rows_on_closed_day", api_name="daily", times=1)
    got = frame(post(simulator, "daily", {"trade_date": DAY}))
    closed = simulator.fault_log[-1]["closed_day"]
    assert (got["trade_date"] == closed).sum() > 0
    cal = frame(post(simulator, "trade_cal", {"start_date": closed, "end_date": closed}))
    assert cal["is_open"].tolist() == [0]


def test_revised_values_make_a_same_day_revision(simulator):
    code = simulator.universe.codes[0]
    fields = "ts_code,ann_date,f_ann_date,end_date,report_type,revenue,update_flag"
    clean = frame(post(simulator, "income", {"ts_code": code}, fields))
    simulator.add_fault("revised_values", api_name="income", times=1)
    got = frame(post(simulator, "income", {"ts_code": code}, fields))
    assert len(got) == len(clean) + 1
    end = simulator.fault_log[-1]["rows"][0]["end_date"]
    pair = got[got["end_date"] == end]
    assert sorted(pair["update_flag"]) == ["0", "1"]
    assert pair["f_ann_date"].nunique() == 1 and pair["revenue"].nunique() == 2


def test_duplicate_revision_gives_two_latest_rows(simulator):
    code = simulator.universe.codes[0]
    simulator.add_fault("duplicate_revision", api_name="balancesheet", times=1)
    got = frame(post(simulator, "balancesheet", {"ts_code": code}, "ts_code,end_date,total_assets,update_flag"))
    latest = got[got["update_flag"] == "1"].groupby("end_date")["total_assets"].nunique()
    assert (latest == 2).sum() == 1


def test_adj_factor_gap_drops_a_trading_stocks_factor(simulator):
    simulator.add_fault("adj_factor_gap", api_name="adj_factor", times=1)
    factors = frame(post(simulator, "adj_factor", {"trade_date": DAY}))
    daily = frame(post(simulator, "daily", {"trade_date": DAY}))
    missing = set(daily["ts_code"]) - set(factors["ts_code"])
    assert missing == {simulator.fault_log[-1]["rows"][0]["ts_code"]}


def test_adj_factor_gap_on_daily_moves_pre_close(simulator):
    code = simulator.universe.codes[0]
    clean = frame(post(simulator, "daily", {"ts_code": code}))
    simulator.add_fault("adj_factor_gap", api_name="daily", times=1)
    got = frame(post(simulator, "daily", {"ts_code": code}))
    assert (got["pre_close"] != clean["pre_close"]).sum() == 1
    assert (got["close"] == clean["close"]).all()


def test_weights_not_100(simulator):
    simulator.add_fault("weights_not_100", times=1)
    got = frame(post(simulator, "index_weight", {"index_code": "000300.SH"}))
    sums = got.groupby("trade_date")["weight"].sum().round(2)
    assert (sums != 100).sum() == 1
    assert simulator.fault_log[-1]["sum"] != 100


def test_identity_broken(simulator):
    simulator.add_fault("identity_broken", times=1)
    got = frame(post(simulator, "balancesheet", {"ts_code": simulator.universe.codes[1]}))
    assert (got["total_assets"] != got["total_liab_hldr_eqy"]).sum() == 1


def test_pit_reversed(simulator):
    simulator.add_fault("pit_reversed", api_name="income", times=1)
    got = frame(post(simulator, "income", {"ts_code": simulator.universe.codes[0]}))
    assert (got["f_ann_date"] < got["ann_date"]).sum() == 1
    simulator.add_fault("pit_reversed", api_name="fina_indicator", times=1)
    got = frame(post(simulator, "fina_indicator", {"ts_code": simulator.universe.codes[0]}))
    assert (got["ann_date"] < got["end_date"]).sum() == 1


def test_unknown_ts_code(simulator):
    simulator.add_fault("unknown_ts_code", api_name="daily", times=1)
    got = frame(post(simulator, "daily", {"trade_date": DAY}))
    listed = set().union(*(frame(post(simulator, "stock_basic", {"list_status": s}))["ts_code"] for s in "LDP"))
    strangers = set(got["ts_code"]) - listed
    assert len(strangers) == 1
    assert simulator.fault_log[-1]["rows"][0]["ts_code"] in strangers


def test_data_faults_only_hit_apis_they_fit(simulator):
    simulator.add_fault("identity_broken")  # no api_name: balance sheets only
    got = frame(post(simulator, "income", {"ts_code": simulator.universe.codes[0]}))
    assert len(got) > 0
    assert not [e for e in simulator.fault_log if e["api"] == "income" and e["kind"] == "identity_broken"]


def test_faults_are_cleared_between_tests(simulator):
    # The autouse fixture cleared what earlier tests registered: every API answers cleanly.
    assert post(simulator, "daily", {"trade_date": DAY}).status_code == 200
    assert (frame(post(simulator, "daily", {"trade_date": DAY}))["high"] >= frame(
        post(simulator, "daily", {"trade_date": DAY}))["low"]).all()


# -- the command -----------------------------------------------------------------------------
def test_twilight_simulator_serve_starts_and_serves(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "twilight_assets.cli", "simulator", "serve", "--port", "0", "--stocks", "8",
         "--start", "2024-01-02", "--as-of", "2024-03-29", "--token", "cli-token"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith(READY_PREFIX), (line, proc.stderr.read() if proc.poll() is not None else "")
        url = line[len(READY_PREFIX):].strip()
        body = {"api_name": "stock_basic", "token": "cli-token", "params": {}, "fields": ""}
        reply = requests.post(f"{url}/stock_basic", json=body, timeout=30).json()
        assert reply["code"] == 0 and len(reply["data"]["items"]) > 0
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0
        proc.stdout.close()
        proc.stderr.close()


def test_a_server_can_stop_while_a_timeout_fault_hangs():
    with SimulatorServer(SIMULATOR_CONFIG) as server:
        server.add_fault("timeout", delay=600)
        with pytest.raises(requests.exceptions.Timeout):
            post(server, "trade_cal", {}, timeout=0.3)
    # Leaving the block returned: stop() did not wait out the 600 s hang.
