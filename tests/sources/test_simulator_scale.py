"""The simulator at full size, under concurrent clients, and its as_of rule."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from tests.conftest import SIMULATOR_CONFIG, make_data_api
from tushare_sim import SimulatorConfig, SimulatorServer
from tushare_sim.config import SHANGHAI


def test_as_of_defaults_to_today_after_the_shanghai_close():
    config = SimulatorConfig()
    before = dt.datetime(2024, 6, 28, 15, 29, tzinfo=SHANGHAI)
    after = dt.datetime(2024, 6, 28, 15, 30, tzinfo=SHANGHAI)
    assert config.resolved_as_of(before) == dt.date(2024, 6, 27)
    assert config.resolved_as_of(after) == dt.date(2024, 6, 28)
    # 23:00 UTC is already the next morning in Shanghai, before the close.
    assert config.resolved_as_of(dt.datetime(2024, 6, 28, 23, 0, tzinfo=dt.timezone.utc)) == dt.date(2024, 6, 28)
    assert SimulatorConfig(as_of=dt.date(2020, 1, 2)).resolved_as_of(after) == dt.date(2020, 1, 2)


def test_concurrent_clients_get_the_same_answers_as_one(simulator):
    calls = [("daily", {"trade_date": d}) for d in ("20240102", "20240103", "20240104", "20240105")]
    calls += [("income", {"ts_code": c}) for c in simulator.universe.codes[:6]]
    calls += [("index_weight", {"index_code": "000300.SH"}), ("weekly", {"ts_code": simulator.universe.codes[3]})]
    api = make_data_api(simulator)
    expected = [api.query(name, **params) for name, params in calls]
    with SimulatorServer(SIMULATOR_CONFIG) as fresh:  # cold: every part is built under contention
        fresh_api = make_data_api(fresh)
        with ThreadPoolExecutor(max_workers=8) as pool:
            got = list(pool.map(lambda call: fresh_api.query(call[0], **call[1]), calls * 2))
    for want, have in zip(expected * 2, got):
        assert want.equals(have)


@pytest.mark.slow
def test_full_market_thirty_years_stays_usable():
    config = SimulatorConfig(n_stocks=5500, n_indexes=12, start=dt.date(1995, 1, 3), as_of=dt.date(2024, 6, 28))
    with SimulatorServer(config) as big:
        api = make_data_api(big)
        listed = sum(len(api.query("stock_basic", list_status=s, fields="ts_code")) for s in "LDP")
        assert listed == 5500
        day = api.query("daily", trade_date="20240628")
        basic = api.query("daily_basic", trade_date="20240628")
        assert 4000 < len(day) <= 5500 and len(day) == len(basic)
        assert (day["low"] <= day[["open", "close"]].min(axis=1)).all()
        assert (day["high"] >= day[["open", "close"]].max(axis=1)).all()
        np.testing.assert_allclose(basic["total_mv"], basic["close"] * basic["total_share"], rtol=1e-7)
        u = big.universe
        old = u.codes[int(np.flatnonzero((u.first_idx == 0) & (u.last_idx == u.n_days - 1))[0])]
        history = api.query("daily", ts_code=old, start_date="19950101", end_date="20240628")
        assert len(history) == 6000  # capped: the rest is on the next page
        rest = api.query("daily", ts_code=old, start_date="19950101", end_date="20240628", offset=6000)
        assert len(rest) > 0 and set(rest["trade_date"]).isdisjoint(history["trade_date"])
        assert len(api.query("balancesheet", ts_code=old)) == 100  # balancesheet's cap
        assert len(api.query("balancesheet", ts_code=old, offset=100)) > 0
        weights = api.query("index_weight", index_code="000001.SH", trade_date="20240628")
        assert weights["weight"].sum().round(2) == 100.0 and len(weights) > 1000
