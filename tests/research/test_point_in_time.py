"""Point-in-time reads held to the data's own truth: what the source served (through the
real SDK) and what the simulated market did (suspensions, listings), on a published
snapshot. No look-ahead is a property over many days, not one example."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.research.conftest import CONFIG, DAILY_FROM, FINANCIAL, Research, served
from twilight_assets.specs import REGISTRY

DAY = dt.timedelta(days=1)
STATEMENTS = ("income", "balancesheet", "cashflow")
# A figure the simulator's restatements change in each statement.
RESTATED_FIGURE = {"income": "revenue", "balancesheet": "total_assets", "cashflow": "n_cashflow_act",
                   "fina_indicator": "revenue_ps"}


def announced(frame: pd.DataFrame) -> pd.Series:
    """When each version became known: f_ann_date, else ann_date."""
    column = pd.to_datetime(frame["ann_date"])
    if "f_ann_date" in frame:
        column = pd.to_datetime(frame["f_ann_date"]).fillna(column)
    return column.dt.date


def identity(api: str) -> list[str]:
    """What one point-in-time row stands for: a stock's period (and report type)."""
    return [c for c in ("ts_code", "end_date", "report_type") if c in REGISTRY[api].field_names]


def known_on(source: pd.DataFrame, api: str, day: dt.date) -> pd.DataFrame:
    """The oracle, written against the source's rows: of the versions announced by `day`,
    each period's last announced, a revision before an original on the same day."""
    rows = source.assign(_known=announced(source))
    rows = rows[rows["_known"] <= day]
    rows = rows.sort_values(["_known", "update_flag"], kind="stable")
    return rows.drop_duplicates(identity(api), keep="last").drop(columns="_known")


def comparable(frame: pd.DataFrame, api: str) -> pd.DataFrame:
    out = frame[list(REGISTRY[api].field_names)].copy()
    for f in REGISTRY[api].fields:
        if f.type == "date":
            out[f.name] = pd.to_datetime(out[f.name]).dt.date
        elif f.type in ("float", "int"):
            out[f.name] = out[f.name].astype("float64")
        else:
            out[f.name] = out[f.name].astype("object").where(out[f.name].notna(), None)
    return out.sort_values(identity(api)).reset_index(drop=True)


@pytest.fixture(scope="module")
def reader(research: Research):
    with research.reader() as wh:
        yield wh


@pytest.fixture(scope="module")
def sources(research: Research) -> dict[str, pd.DataFrame]:
    return {api: served(research, api) for api in FINANCIAL}


def restatements(source: pd.DataFrame) -> pd.DataFrame:
    """Revised versions (update_flag 1) of periods whose original (update_flag 0) was
    announced earlier: one row per restated period, with both announcement days."""
    known = source.assign(_known=announced(source))
    keys = [c for c in ("ts_code", "end_date", "report_type") if c in source]
    first = known[known["update_flag"] == "0"][keys + ["_known"]].rename(columns={"_known": "original_day"})
    later = known[known["update_flag"] == "1"][keys + ["_known"]].rename(columns={"_known": "restated_day"})
    both = first.merge(later, on=keys)
    return both[both["restated_day"] > both["original_day"]]


@pytest.mark.parametrize("api", [*STATEMENTS, "fina_indicator"])
def test_a_restated_period_reads_as_first_published_until_the_restatement_day(reader, sources, api):
    source = sources[api]
    restated = restatements(source)
    assert len(restated) >= 3, f"the simulator restated too few {api} periods to test"
    value = RESTATED_FIGURE[api]
    for row in restated.itertuples():
        versions = source[(source["ts_code"] == row.ts_code) & (source["end_date"] == row.end_date)]
        original = versions[versions["update_flag"] == "0"][value].item()
        revised = versions[versions["update_flag"] == "1"][value].item()
        assert original != revised
        eve = reader.fundamentals(api, row.ts_code, as_of=row.restated_day - DAY, fields=[value])
        day = reader.fundamentals(api, row.ts_code, as_of=row.restated_day, fields=[value])
        before = eve[pd.to_datetime(eve["end_date"]).dt.date == row.end_date]
        after = day[pd.to_datetime(day["end_date"]).dt.date == row.end_date]
        assert before[value].tolist() == [original], (row, before)
        assert after[value].tolist() == [revised], (row, after)
        assert before["update_flag"].tolist() == ["0"] and after["update_flag"].tolist() == ["1"]


def probe_days(source: pd.DataFrame, n: int, seed: int) -> list[dt.date]:
    """Every restatement day and its eve, and a seeded sample of other announcement days,
    their eves, and days in between."""
    known = sorted(set(announced(source)))
    restated = restatements(source)
    days = set(restated["restated_day"]) | {d - DAY for d in restated["restated_day"]}
    rng = random.Random(seed)
    days |= set(rng.sample(known, min(n, len(known))))
    days |= {d - DAY for d in rng.sample(known, min(n, len(known)))}
    span = (known[-1] - known[0]).days
    days |= {known[0] + dt.timedelta(days=rng.randrange(span)) for _ in range(n)}
    return sorted(days | {known[0] - DAY, CONFIG.as_of})


@pytest.mark.parametrize("api", FINANCIAL)
def test_no_version_announced_after_the_day_ever_appears(reader, sources, api):
    """A property over many days: each answer holds only what was announced by then, and
    exactly the source's latest word on each period as of that day."""
    source = sources[api]
    days = probe_days(source, n=10, seed=len(api))
    assert len(days) >= 25
    for day in days:
        got = reader.fundamentals(api, as_of=day)
        assert (announced(got) <= day).all(), f"{api} as of {day}: look-ahead"
        want = known_on(source, api, day)
        pd.testing.assert_frame_equal(comparable(got, api), comparable(want, api), check_dtype=False,
                                      obj=f"{api} as of {day}")


def test_fundamentals_narrow_by_stock_and_field(reader):
    codes = list(reader.universe(CONFIG.as_of)["ts_code"][:2])
    got = reader.fundamentals("income", codes, as_of="2024-05-01", fields=["revenue", "n_income"])
    assert set(got["ts_code"]) == set(codes)
    assert list(got.columns) == ["ts_code", "end_date", "report_type", "ann_date", "f_ann_date",
                                 "update_flag", "revenue", "n_income", "source"]
    assert got["ann_date"].dtype.kind == "M" and got["revenue"].dtype.kind == "f"
    with pytest.raises(ValueError, match="income has no field"):
        reader.fundamentals("income", as_of="2024-05-01", fields=["close"])
    with pytest.raises(ValueError, match="'daily' is not one of"):
        reader.fundamentals("daily", as_of="2024-05-01")


# --- prices ---------------------------------------------------------------------------


def factors_known_on(reader, day: dt.date) -> pd.Series:
    rows = reader.query(
        "SELECT ts_code, arg_max(adj_factor, trade_date) AS f FROM normalized_adj_factor "
        "WHERE trade_date <= ? GROUP BY ts_code", [day])
    return rows.set_index("ts_code")["f"]


def ex_dividend_days(reader) -> list[dt.date]:
    rows = reader.query(
        "SELECT DISTINCT trade_date FROM (SELECT trade_date, adj_factor <> lag(adj_factor) OVER "
        "(PARTITION BY ts_code ORDER BY trade_date) AS stepped FROM normalized_adj_factor) WHERE stepped "
        "ORDER BY trade_date")
    return [d.date() for d in pd.to_datetime(rows["trade_date"])]


def test_qfq_as_of_a_day_is_the_hfq_series_over_that_days_factor(reader):
    steps = ex_dividend_days(reader)
    assert len(steps) >= 5, "too few ex-dividend days in the simulated span"
    hfq = reader.prices(None, DAILY_FROM, CONFIG.as_of, adjust="hfq")
    for day in sorted({steps[0] - DAY, steps[0], steps[len(steps) // 2], steps[-1] - DAY, CONFIG.as_of}):
        qfq = reader.prices(None, DAILY_FROM, CONFIG.as_of, adjust="qfq", as_of=day)
        assert pd.to_datetime(qfq["trade_date"]).dt.date.max() <= day  # nothing after the day
        expected = hfq[pd.to_datetime(hfq["trade_date"]).dt.date <= day]
        assert len(qfq) == len(expected)
        factor = qfq["ts_code"].map(factors_known_on(reader, day))
        for column in ("open", "high", "low", "close", "pre_close"):
            np.testing.assert_allclose(qfq[column], expected[column].to_numpy() / factor, rtol=1e-12)
        # On the day itself qfq is the price as traded.
        on_day = qfq[pd.to_datetime(qfq["trade_date"]).dt.date == day]
        raw = reader.prices(list(on_day["ts_code"]), day, day)
        np.testing.assert_allclose(on_day["close"], raw["close"], rtol=1e-12)


def test_qfq_history_is_stable_once_known(reader):
    """What a backtest saw at D is what a rerun of it at D sees later: qfq as_of D does
    not move when later factors arrive, though the latest qfq does."""
    steps = ex_dividend_days(reader)
    day = steps[len(steps) // 2]
    as_then = reader.prices(None, DAILY_FROM, day, adjust="qfq", as_of=day)
    latest = reader.prices(None, DAILY_FROM, day, adjust="qfq")
    moved = ~np.isclose(as_then["close"], latest["close"], rtol=1e-12)
    assert moved.any(), "no dividend after the day: the test proves nothing"
    again = reader.prices(None, DAILY_FROM, CONFIG.as_of, adjust="qfq", as_of=day)
    pd.testing.assert_frame_equal(as_then, again)


def test_unadjusted_prices_are_the_sources_bars_and_suspended_days_stay_absent(reader, research):
    universe = research.server.universe
    days = [d for d in universe.market_days if DAILY_FROM <= d <= CONFIG.as_of]
    suspended = {(code, d) for d in days for code in universe.suspended_codes_on(d)}
    assert suspended, "no suspension in the simulated span"
    bars = reader.prices(None, DAILY_FROM, CONFIG.as_of)
    got = set(zip(bars["ts_code"], pd.to_datetime(bars["trade_date"]).dt.date))
    assert not got & suspended
    day = days[len(days) // 2]
    source = research.sdk().daily(trade_date=day.strftime("%Y%m%d"))
    mine = bars[pd.to_datetime(bars["trade_date"]).dt.date == day].set_index("ts_code")
    assert set(mine.index) == set(source["ts_code"])
    np.testing.assert_allclose(mine.loc[source["ts_code"], "close"], source["close"])
    assert list(bars.columns[:11]) == ["ts_code", "trade_date", "open", "high", "low", "close",
                                       "pre_close", "change", "pct_chg", "vol", "amount"]
    with pytest.raises(ValueError, match="adjust must be"):
        reader.prices(None, DAILY_FROM, CONFIG.as_of, adjust="forward")
    with pytest.raises(ValueError, match="is after end"):
        reader.prices(None, CONFIG.as_of, DAILY_FROM)


# --- universe and index members --------------------------------------------------------


@pytest.fixture(scope="module")
def stock_list(research: Research) -> pd.DataFrame:
    sdk = research.sdk()
    frames = [sdk.stock_basic(list_status=s, fields="ts_code,list_status,list_date,delist_date") for s in "LDP"]
    out = pd.concat(frames, ignore_index=True)
    for column in ("list_date", "delist_date"):
        out[column] = pd.to_datetime(out[column], format="%Y%m%d").dt.date
    return out


def listed_on(stock_list: pd.DataFrame, day: dt.date) -> set[str]:
    alive = (stock_list["list_date"] <= day) & (stock_list["delist_date"].isna() | (stock_list["delist_date"] > day))
    return set(stock_list[alive]["ts_code"])


def test_universe_keeps_stocks_delisted_later_and_leaves_out_those_listed_later(reader, stock_list):
    delisted = stock_list[stock_list["list_status"] == "D"].iloc[0]
    gone = delisted["delist_date"]
    assert delisted["ts_code"] in set(reader.universe(gone - DAY)["ts_code"])
    assert delisted["ts_code"] not in set(reader.universe(gone)["ts_code"])
    newcomer = stock_list[stock_list["list_date"] > CONFIG.start].iloc[0]
    listed = newcomer["list_date"]
    assert newcomer["ts_code"] not in set(reader.universe(listed - DAY)["ts_code"])
    assert newcomer["ts_code"] in set(reader.universe(listed)["ts_code"])


def test_universe_is_the_listing_record_on_any_day(reader, stock_list):
    rng = random.Random(3)
    first = min(stock_list["list_date"])
    days = [first + dt.timedelta(days=rng.randrange((CONFIG.as_of - first).days + 30)) for _ in range(40)]
    for day in days + list(stock_list["list_date"]) + [d for d in stock_list["delist_date"] if pd.notna(d)]:
        got = reader.universe(day)
        assert set(got["ts_code"]) == listed_on(stock_list, day), day
        assert got["ts_code"].is_unique
    sse = reader.universe(CONFIG.as_of, exchange="SSE")
    assert len(sse) and sse["ts_code"].str.endswith(".SH").all() and (sse["exchange"] == "SSE").all()
    with pytest.raises(ValueError, match="exchange must be one of"):
        reader.universe(CONFIG.as_of, exchange="NYSE")


def test_index_members_are_the_weights_in_force_on_the_day(reader, research):
    code = str(research.server.universe.indexes["ts_code"].iloc[0])
    source = research.sdk().index_weight(index_code=code, start_date="20210101", end_date="20240628")
    source["trade_date"] = pd.to_datetime(source["trade_date"], format="%Y%m%d").dt.date
    published = sorted(set(source["trade_date"]))
    assert len(published) >= 3
    assert reader.index_members(code, published[0] - DAY).empty
    for day in (published[0], published[1] - DAY, published[-1], CONFIG.as_of):
        in_force = max(d for d in published if d <= day)
        got = reader.index_members(code, day)
        want = source[source["trade_date"] == in_force]
        assert set(pd.to_datetime(got["trade_date"]).dt.date) == {in_force}
        assert dict(zip(got["con_code"], got["weight"])) == dict(zip(want["con_code"], want["weight"]))
        assert got["weight"].is_monotonic_decreasing


# --- the macros, from any DuckDB client -------------------------------------------------


def test_the_macros_answer_any_duckdb_client_on_the_snapshot(reader, research):
    """The plain duckdb module on the published file, no project code: same answers."""
    conn = duckdb.connect(str(reader.info.path), read_only=True)
    try:
        day = "2024-04-30"
        plain = conn.execute("SELECT * FROM income_as_of(?) ORDER BY ts_code, end_date, report_type", [day]).df()
        pd.testing.assert_frame_equal(plain, reader.fundamentals("income", as_of=day))
        n = conn.execute("SELECT count(*) FROM prices('2024-01-02', '2024-06-28', 'qfq', "
                         "'2024-03-01', NULL)").fetchall()[0][0]
        assert n == len(reader.prices(None, "2024-01-02", "2024-06-28", adjust="qfq", as_of="2024-03-01"))
        assert conn.execute("SELECT count(*) FROM universe('2024-06-28', NULL)").fetchall()[0][0] == len(
            reader.universe("2024-06-28"))
    finally:
        conn.close()


def test_a_notebook_reads_without_dagster(research):
    script = f"""
import sys
from twilight_assets.warehouse.backend import open_backend
from twilight_assets.warehouse.reader import WarehouseReader
with WarehouseReader({str(research.snapshot_dir)!r}, backend=open_backend({str(research.warehouse)!r})) as wh:
    n = len(wh.universe("2024-06-28")) + len(wh.fundamentals("income", as_of="2024-06-28"))
assert n > 0
assert not [m for m in sys.modules if m.split(".")[0] in ("dagster", "dagster_duckdb")], "dagster imported"
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_a_ducklake_snapshot_answers_the_same(research, reader, tmp_path):
    """The research warehouse moved into a DuckLake (PostgreSQL catalog) and published
    there: a reader attached at that catalog version gets the file snapshot's answers."""
    from tests.services import create_database, drop_database
    from twilight_assets.migrate import move_to_lake
    from twilight_assets.warehouse.backend import open_backend
    from twilight_assets.warehouse.reader import WarehouseReader
    from twilight_assets.warehouse.snapshots import publish_snapshot

    database = create_database("research_lake")
    try:
        url = f"ducklake:postgres:{database.conninfo}"
        move_to_lake(str(research.warehouse), url, lake_data=str(tmp_path / "lake"))
        lake = open_backend(url, data_path=str(tmp_path / "lake"))
        with lake.writer() as writer:
            publish_snapshot(writer, tmp_path / "unused")
        with WarehouseReader(backend=lake) as on_lake:
            for api in FINANCIAL:
                pd.testing.assert_frame_equal(on_lake.fundamentals(api, as_of="2023-08-31"),
                                              reader.fundamentals(api, as_of="2023-08-31"), check_dtype=False)
            pd.testing.assert_frame_equal(
                on_lake.prices(None, DAILY_FROM, CONFIG.as_of, adjust="qfq", as_of="2024-02-29"),
                reader.prices(None, DAILY_FROM, CONFIG.as_of, adjust="qfq", as_of="2024-02-29"), check_dtype=False)
            pd.testing.assert_frame_equal(on_lake.universe("2023-06-30"), reader.universe("2023-06-30"),
                                          check_dtype=False)
            code = str(research.server.universe.indexes["ts_code"].iloc[0])
            pd.testing.assert_frame_equal(on_lake.index_members(code, "2024-05-15"),
                                          reader.index_members(code, "2024-05-15"), check_dtype=False)
            published = on_lake.info.snapshot_id
        # The monitor reads the lake's published version too, from another process.
        monitor = subprocess.run(
            [sys.executable, "-m", "twilight_assets.cli", "monitor", "--json", "--now", "2024-06-28T12:00:00"],
            env={**os.environ, "TWILIGHT_WAREHOUSE": url, "TWILIGHT_LAKE_DATA": str(tmp_path / "lake")},
            capture_output=True, text=True, timeout=300)
        report = json.loads(monitor.stdout)
        assert monitor.returncode in (0, 1, 2) and report["snapshot"]["snapshot_id"] == published, monitor.stderr
    finally:
        drop_database(database)
