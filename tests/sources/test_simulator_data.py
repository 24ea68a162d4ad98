"""The simulator's clean data obeys the invariants real Tushare data obeys. Everything
is fetched through the real `tushare` SDK over HTTP from the shared simulator."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tests.conftest import SIMULATOR_CONFIG, make_data_api
from tushare_sim import SimulatorServer, Universe
from tushare_sim.calendar import holidays, lunar_new_year
from twilight_assets.specs import get_spec

AS_OF = SIMULATOR_CONFIG.as_of


def ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


@pytest.fixture(scope="module")
def api(simulator):
    return make_data_api(simulator)


@pytest.fixture(scope="module")
def stock_history(simulator, api):
    """daily and adj_factor of every stock (all statuses), whole window, oldest first."""
    out = {}
    for code in simulator.universe.codes:
        d = api.query("daily", ts_code=code, fields=",".join(get_spec("daily").field_names))
        a = api.query("adj_factor", ts_code=code)
        out[code] = (d.sort_values("trade_date", ignore_index=True), a.sort_values("trade_date", ignore_index=True))
    return out


@pytest.fixture(scope="module")
def open_days(api):
    cal = api.query("trade_cal", exchange="SSE", start_date="20230101", end_date="20241231")
    return sorted(cal.loc[cal["is_open"] == 1, "cal_date"])


# -- calendar --------------------------------------------------------------------------------
def test_calendar_closes_weekdays_every_year_and_runs_through_next_year(api):
    cal = api.query("trade_cal", exchange="SSE")
    assert cal["cal_date"].min() == ymd(SIMULATOR_CONFIG.start)
    assert cal["cal_date"].max() == f"{AS_OF.year + 1}1231"
    days = pd.to_datetime(cal["cal_date"], format="%Y%m%d")
    assert not ((days.dt.weekday >= 5) & (cal["is_open"] == 1)).any()
    closed_weekdays = cal[(days.dt.weekday < 5) & (cal["is_open"] == 0)]
    by_year = closed_weekdays["cal_date"].str[:4].value_counts()
    assert all(by_year.get(str(y), 0) >= 10 for y in range(2023, AS_OF.year + 2))
    # Spring Festival and National Day weeks are closed.
    assert set(closed_weekdays["cal_date"]) >= {"20240212", "20240213", "20241001", "20241002"}


def test_sse_and_szse_calendars_agree_and_pretrade_is_the_previous_open_day(api):
    sse = api.query("trade_cal", exchange="SSE", start_date="20230101", end_date="20251231")
    szse = api.query("trade_cal", exchange="SZSE", start_date="20230101", end_date="20251231")
    assert sse.drop(columns="exchange").equals(szse.drop(columns="exchange"))
    ordered = sse.sort_values("cal_date", ignore_index=True)
    last_open = None
    for row in ordered.itertuples():
        if last_open is not None:
            assert row.pretrade_date == last_open
        if row.is_open == 1:
            last_open = row.cal_date


def test_holidays_cover_each_festival_every_year():
    for year in range(1991, 2041):
        closed = holidays(year)
        assert any(d.month == 10 and d.day <= 8 for d in closed), year
        new_year = lunar_new_year(year)
        assert any(abs((d - new_year).days) <= 5 for d in closed), year
        assert len(closed) >= 10, year


def test_no_market_rows_on_closed_days(simulator, api):
    closed = simulator.universe.calendar.closed_weekdays()
    for day in (d for d in closed if SIMULATOR_CONFIG.start <= d <= AS_OF):
        assert api.query("daily", trade_date=ymd(day)).empty
    assert api.query("adj_factor", trade_date="20240212").empty
    assert api.query("daily", trade_date="20240106").empty  # a Saturday


def test_no_market_rows_after_as_of(api):
    assert api.query("daily", trade_date="20240701").empty
    assert api.query("daily", start_date="20240629", end_date="20241231").empty


# -- stocks ----------------------------------------------------------------------------------
def test_stock_basic_honours_list_status(simulator, api):
    fields = "ts_code,list_status,list_date,delist_date,exchange,market"
    default = api.query("stock_basic", fields=fields)
    assert set(default["list_status"]) == {"L"}
    every = pd.concat([api.query("stock_basic", list_status=s, fields=fields) for s in "LDP"], ignore_index=True)
    assert sorted(every["ts_code"]) == sorted(simulator.universe.codes)
    assert {"L", "D", "P"} <= set(every["list_status"])
    delisted = every[every["list_status"] == "D"]
    assert delisted["delist_date"].notna().all() and (delisted["delist_date"] > delisted["list_date"]).all()
    assert every.loc[every["list_status"] != "D", "delist_date"].isna().all()
    assert set(every["exchange"]) == {"SSE", "SZSE"}
    names = api.query("stock_basic", list_status="D", fields="name")["name"]
    assert names.str.endswith("退").all()
    assert api.query("stock_basic", list_status="P", fields="name")["name"].str.startswith("*ST").all()
    suffix_ok = every["ts_code"].str.match(r"^(60\d{4}|688\d{3})\.SH$|^(00\d{4}|30\d{4})\.SZ$")
    assert suffix_ok.all()


def test_delisted_and_paused_stocks_stop_trading(simulator, api, stock_history):
    stocks = pd.concat([api.query("stock_basic", list_status=s, fields="ts_code,list_status,delist_date,list_date")
                        for s in "DP"])
    for row in stocks.itertuples():
        daily, _ = stock_history[row.ts_code]
        assert len(daily) > 0
        if row.list_status == "D":
            assert daily["trade_date"].max() < row.delist_date
        assert daily["trade_date"].max() < ymd(AS_OF)
        assert (daily["trade_date"] >= row.list_date).all()


def test_suspended_stocks_have_no_daily_rows_but_keep_adj_factor(simulator, api, stock_history):
    u = simulator.universe
    assert u.suspensions, "the fixture universe must have suspensions"
    for i, a, b in u.suspensions:
        code = u.codes[i]
        days = {u.calendar.open_yyyymmdd[t] for t in range(a, b + 1)}
        daily, factors = stock_history[code]
        assert not days & set(daily["trade_date"])
        assert days <= set(factors["trade_date"])
        basic = api.query("daily_basic", ts_code=code, start_date=min(days), end_date=max(days))
        assert basic.empty
        suspended_day = min(days)
        cross = api.query("daily", trade_date=suspended_day)
        assert code not in set(cross["ts_code"]) and len(cross) > 0


# -- bars ------------------------------------------------------------------------------------
def test_ohlc_consistent_and_within_daily_limits(stock_history):
    for code, (daily, _) in stock_history.items():
        assert (daily["low"] > 0).all()
        assert (daily["low"] <= daily[["open", "close"]].min(axis=1)).all(), code
        assert (daily["high"] >= daily[["open", "close"]].max(axis=1)).all(), code
        np.testing.assert_allclose(daily["change"], daily["close"] - daily["pre_close"], atol=1e-9)
        np.testing.assert_allclose(daily["pct_chg"], (daily["close"] / daily["pre_close"] - 1) * 100, atol=1e-4)
        vwap = daily["amount"] * 10 / daily["vol"]  # thousand yuan / lots -> yuan per share
        assert ((vwap >= daily["low"] - 0.001) & (vwap <= daily["high"] + 0.001)).all(), code
        wide = code.startswith(("688", "30"))
        move = (daily["close"] / daily["pre_close"] - 1).abs().iloc[1:]  # the first row may be a listing day
        assert (move <= (0.2 if wide else 0.1) + 0.006).all(), code


def test_pre_close_moves_off_the_previous_close_exactly_where_adj_factor_steps(stock_history):
    steps = 0
    for code, (daily, factors) in stock_history.items():
        merged = daily.merge(factors, on=["ts_code", "trade_date"], how="left")
        assert merged["adj_factor"].notna().all(), code
        for prev, cur in zip(merged.iloc[:-1].itertuples(), merged.iloc[1:].itertuples()):
            if cur.adj_factor == prev.adj_factor:
                assert cur.pre_close == prev.close, (code, cur.trade_date)
            else:
                steps += 1
                assert cur.adj_factor > prev.adj_factor
                assert cur.pre_close != prev.close
                assert cur.pre_close == pytest.approx(round(prev.close * prev.adj_factor / cur.adj_factor, 2), abs=0.011)
    assert steps > 5


def test_adj_factor_only_changes_on_trading_days(stock_history):
    for code, (daily, factors) in stock_history.items():
        changed = factors.loc[factors["adj_factor"].diff().fillna(0) != 0, "trade_date"]
        assert set(changed) <= set(daily["trade_date"]), code


def test_daily_basic_agrees_with_daily(api):
    for day in ("20230301", "20240103", "20240628"):
        daily = api.query("daily", trade_date=day)
        basic = api.query("daily_basic", trade_date=day)
        merged = daily.merge(basic, on=["ts_code", "trade_date"], suffixes=("", "_b"))
        assert len(merged) == len(daily) == len(basic)
        assert (merged["close"] == merged["close_b"]).all()
        np.testing.assert_allclose(basic["total_mv"], basic["close"] * basic["total_share"], rtol=1e-7)
        np.testing.assert_allclose(basic["circ_mv"], basic["close"] * basic["float_share"], rtol=1e-7)
        assert (basic["float_share"] <= basic["total_share"]).all()
        assert (basic["free_share"] <= basic["float_share"]).all()
        np.testing.assert_allclose(basic["turnover_rate"], merged["vol"] / basic["float_share"], rtol=1e-3, atol=1e-4)
        assert basic["turnover_rate"].between(0.01, 60).all()


@pytest.mark.parametrize("api_name", ["weekly", "monthly"])
def test_weekly_and_monthly_aggregate_daily_exactly(simulator, api, stock_history, open_days, api_name):
    key = (lambda d: d.isocalendar()[:2]) if api_name == "weekly" else (lambda d: (d.year, d.month))
    period_end = {}
    for day in open_days + [ymd(d) for d in simulator.universe.calendar.open_days if ymd(d) > open_days[-1]]:
        period_end[key(dt.datetime.strptime(day, "%Y%m%d").date())] = day
    checked = 0
    for code, (daily, _) in stock_history.items():
        bars = api.query(api_name, ts_code=code).sort_values("trade_date", ignore_index=True)
        groups = daily.groupby(daily["trade_date"].map(lambda s: key(dt.datetime.strptime(s, "%Y%m%d").date())))
        expected = {}
        for period, rows in groups:
            if period_end[period] <= ymd(AS_OF):
                expected[period_end[period]] = rows
        assert list(bars["trade_date"]) == sorted(expected), code
        for bar in bars.itertuples():
            rows = expected[bar.trade_date]
            assert bar.open == rows["open"].iloc[0] and bar.close == rows["close"].iloc[-1]
            assert bar.high == rows["high"].max() and bar.low == rows["low"].min()
            assert bar.pre_close == rows["pre_close"].iloc[0]
            assert bar.vol == pytest.approx(rows["vol"].sum()) and bar.amount == pytest.approx(rows["amount"].sum())
            assert bar.change == pytest.approx(bar.close - bar.pre_close, abs=1e-9)
            # Tushare documents weekly pct_chg as a fraction (未*100) and monthly's in percent.
            scale = 1.0 if api_name == "weekly" else 100.0
            assert bar.pct_chg == pytest.approx((bar.close / bar.pre_close - 1) * scale, abs=1e-6)
            checked += 1
    assert checked > 100
    by_date = api.query(api_name, trade_date=ymd(AS_OF))
    assert len(by_date) > 0 and set(by_date["trade_date"]) == {ymd(AS_OF)}


def test_data_is_deterministic_across_servers(api):
    with SimulatorServer(SIMULATOR_CONFIG) as other:
        again = make_data_api(other)
        for name, params in (("daily", {"trade_date": "20240103"}), ("income", {"ts_code": "000001.SZ"}),
                             ("index_weight", {"index_code": "000300.SH", "trade_date": "20240628"})):
            served = api.query(name, **params)
            assert len(served) > 0 and served.equals(again.query(name, **params))


@pytest.mark.parametrize("n_stocks, seed", [(1, 7), (2, 3), (24, 7), (240, 11)])
def test_every_universe_starts_with_the_real_codes(n_stocks, seed):
    """000001.SZ and 600000.SH (one stock: 000001.SZ only) are listed all along, under their
    real names and listing dates; the rest of the universe is drawn as ever."""
    config = dataclasses.replace(SIMULATOR_CONFIG, n_stocks=n_stocks, seed=seed)
    stocks = Universe(config, config.as_of).stocks.set_index("ts_code")
    real = {"000001.SZ": ("平安银行", dt.date(1991, 4, 3)), "600000.SH": ("浦发银行", dt.date(1999, 11, 10))}
    expected = list(real)[: min(n_stocks, 2)]
    assert [c for c in real if c in stocks.index] == expected
    assert len(stocks) == n_stocks and stocks.index.is_unique
    for code in expected:
        row = stocks.loc[code]
        assert (row["name"], row["list_date"]) == real[code] and row["list_status"] == "L"
        assert row["first_idx"] == 0 and row["last_idx"] == Universe(config, config.as_of).n_days - 1
    if n_stocks >= 24:
        assert {"D", "P"} <= set(stocks["list_status"])


# -- indexes ---------------------------------------------------------------------------------
def test_index_basic_honours_market(simulator, api):
    every = api.query("index_basic")
    assert sorted(every["ts_code"]) == sorted(simulator.universe.indexes["ts_code"])
    for market in set(every["market"]):
        assert set(api.query("index_basic", market=market)["market"]) == {market}
    assert len(set(every["market"])) >= 4


def test_index_daily_bars_chain(simulator, api):
    for code in simulator.universe.indexes["ts_code"]:
        bars = api.query("index_daily", ts_code=code).sort_values("trade_date", ignore_index=True)
        assert len(bars) > 0
        assert (bars["pre_close"].iloc[1:].to_numpy() == bars["close"].iloc[:-1].to_numpy()).all()
        assert (bars["low"] <= bars[["open", "close"]].min(axis=1)).all()
        assert (bars["high"] >= bars[["open", "close"]].max(axis=1)).all()
        basic = api.query("index_dailybasic", ts_code=code)
        assert list(basic["trade_date"]) == list(bars["trade_date"][::-1])


def test_index_weights_are_monthly_and_sum_to_100(simulator, api, open_days):
    month_ends = {d[:6]: d for d in open_days}
    for code in simulator.universe.indexes["ts_code"]:
        weights = api.query("index_weight", index_code=code)
        assert len(weights) > 0, code
        assert set(weights["trade_date"]) <= set(month_ends.values())
        listed = set(simulator.universe.codes)
        assert set(weights["con_code"]) <= listed
        sums = weights.groupby("trade_date")["weight"].sum().round(2)
        assert (sums == 100.0).all(), (code, sums[sums != 100.0])
        assert (weights["weight"] > 0).all()


# -- financials ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reports(simulator, api):
    out = {}
    for name in ("income", "balancesheet", "cashflow", "fina_indicator", "express", "forecast"):
        spec = get_spec(name)
        frames = [api.query(name, ts_code=c, fields=",".join(spec.field_names)) for c in simulator.universe.codes]
        out[name] = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    return out


def test_balance_sheet_identities_hold(reports):
    bs = reports["balancesheet"]
    assert (bs["total_assets"] == bs["total_liab_hldr_eqy"]).all()
    assert (bs["total_assets"] == bs["total_liab"] + bs["total_hldr_eqy_inc_min_int"]).all()
    assert (bs["total_hldr_eqy_inc_min_int"] == bs["total_hldr_eqy_exc_min_int"] + bs["minority_int"]).all()
    assert (bs["total_assets"] == bs["total_cur_assets"] + bs["total_nca"]).all()
    assert (bs["total_liab"] == bs["total_cur_liab"] + bs["total_ncl"]).all()


def test_income_and_cashflow_identities_hold(reports):
    inc, cf = reports["income"], reports["cashflow"]
    assert (inc["n_income"] == inc["n_income_attr_p"] + inc["minority_gain"]).all()
    assert (inc["n_income"] == inc["total_profit"] - inc["income_tax"]).all()
    assert (inc["total_profit"] == inc["operate_profit"] + inc["non_oper_income"] - inc["non_oper_exp"]).all()
    flows = cf["n_cashflow_act"] + cf["n_cashflow_inv_act"] + cf["n_cash_flows_fnc_act"] + cf["eff_fx_flu_cash"]
    assert (cf["n_incr_cash_cash_equ"] == flows).all()
    assert (cf["c_cash_equ_end_period"] == cf["c_cash_equ_beg_period"] + cf["n_incr_cash_cash_equ"]).all()
    joined = inc.merge(cf, on=["ts_code", "end_date", "f_ann_date"])
    assert (joined["n_income"] == joined["net_profit"]).all()


def test_announcements_follow_period_ends_and_nothing_after_as_of(reports):
    for name, frame in reports.items():
        assert (frame["end_date"] < frame["ann_date"]).all(), name
        assert (frame["ann_date"] <= ymd(AS_OF)).all(), name
        if "f_ann_date" in frame:
            assert (frame["ann_date"] <= frame["f_ann_date"]).all(), name
            assert (frame["f_ann_date"] <= ymd(AS_OF)).all(), name


def test_some_reports_are_revised_with_a_later_announcement(reports):
    for name in ("income", "balancesheet", "cashflow", "fina_indicator"):
        frame = reports[name]
        key = ["ts_code", "end_date", "report_type"] if "report_type" in frame else ["ts_code", "end_date"]
        counts = frame.groupby(key)["update_flag"].agg(lambda s: "".join(sorted(s)))
        assert set(counts) == {"1", "01"}, name  # one row, or an original and its revision
        revised = frame.set_index(key).loc[counts[counts == "01"].index].reset_index()
        assert len(revised) >= 2, name
        date_col = "f_ann_date" if "f_ann_date" in frame else "ann_date"
        for _, pair in revised.groupby(key):
            original, revision = pair[pair["update_flag"] == "0"].iloc[0], pair[pair["update_flag"] == "1"].iloc[0]
            assert revision[date_col] > original[date_col]
            numeric = [c for c in pair.columns if pair[c].dtype.kind == "f"]
            assert not original[numeric].equals(revision[numeric])


def test_statement_share_counts_match_daily_basic(api, reports):
    bs = reports["balancesheet"]
    row = bs[bs["end_date"] == "20231231"]
    basic = api.query("daily_basic", trade_date="20231229")  # the year's last trading day
    merged = row.merge(basic, on="ts_code", suffixes=("_bs", "_db"))
    assert len(merged) > 5
    np.testing.assert_allclose(merged["total_share_bs"], merged["total_share_db"] * 1e4, rtol=1e-6)


def test_forecasts_and_express_are_consistent(reports):
    fc = reports["forecast"]
    assert len(fc) > 0
    assert (fc["p_change_min"] <= fc["p_change_max"]).all()
    assert (fc["net_profit_min"] <= fc["net_profit_max"]).all()
    assert (fc["first_ann_date"] <= fc["ann_date"]).all()
    assert set(fc["type"]) <= {"预增", "预减", "扭亏", "首亏", "续亏", "续盈", "略增", "略减"}
    ex = reports["express"]
    assert len(ex) > 0 and ex["revenue"].notna().all()
    inc = reports["income"]
    formal = inc.groupby(["ts_code", "end_date"])["ann_date"].min()
    for row in ex.itertuples():
        assert row.ann_date < formal[(row.ts_code, row.end_date)]


def test_financial_params_filter(simulator, api, reports):
    inc = reports["income"]
    code, period = inc["ts_code"].iloc[0], inc["end_date"].iloc[0]
    by_period = api.query("income", ts_code=code, period=period)
    assert set(by_period["end_date"]) == {period}
    ann = inc["ann_date"].iloc[0]
    ranged = api.query("income", ts_code=code, start_date=ann, end_date=ann)
    assert len(ranged) > 0 and set(ranged["ann_date"]) == {ann}
    everyone = api.query("income", period="20231231")
    assert set(everyone["end_date"]) == {"20231231"} and everyone["ts_code"].nunique() > 5
