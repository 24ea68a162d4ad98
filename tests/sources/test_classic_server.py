"""The pipeline against a Tushare-protocol server that is not our simulator and serves
only the classic fields, as an older account is served them: stock_basic, trade_cal and
a month of daily land through the real tushare client, TushareSource and
ingest_partitions into a real DuckDB warehouse, with every open day done, the holidays
market closed, and the fields it does not serve NULL and listed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import requests
import tushare.pro.client

from tests.sources import classic_server as classic_data
from tests.sources.classic_server import TOKEN, ClassicServer
from twilight_assets.ingest import IngestReport, ingest_partitions
from twilight_assets.resources import TushareResource
from twilight_assets.specs import get_spec
from twilight_assets.warehouse.writer import WarehouseWriter

OCTOBER = [dt.date(2024, 10, d) for d in range(1, 32)]
WEEKDAYS = [d.isoformat() for d in OCTOBER if d.weekday() < 5]
OPEN = [d.isoformat() for d in OCTOBER if classic_data.is_open(d)]
WEEKDAY_HOLIDAYS = sorted(set(WEEKDAYS) - set(OPEN))
STOCK_BASIC_NOT_SERVED = ("fullname", "enname", "cnspell", "exchange", "curr_type", "is_hs",
                          "act_name", "act_ent_type")
LISTED = [s[0] for s in classic_data.STOCKS if s[5] == "L"]


def sdk(server: ClassicServer, token: str = TOKEN) -> tushare.pro.client.DataApi:
    api = tushare.pro.client.DataApi(token)
    api._DataApi__http_url = server.url  # the SDK keeps its endpoint in a name-mangled attribute
    return api


def post(server: ClassicServer, api_name: str, params: dict, fields: str = "", token: str = TOKEN) -> dict:
    body = {"api_name": api_name, "token": token, "params": params, "fields": fields}
    return requests.post(f"{server.url}/{api_name}", json=body, timeout=10).json()


# --- the server speaks the protocol (so a pass below is about our client, not it) -----------


def test_the_server_refuses_a_wrong_token_and_an_unknown_api(classic):
    assert post(classic, "daily", {"trade_date": "20241008"}, token="wrong")["code"] == 40101
    with pytest.raises(Exception, match="token"):
        sdk(classic, token="wrong").query("daily", trade_date="20241008")
    assert post(classic, "income", {"ts_code": "000001.SZ"})["code"] == -2001


def test_the_server_serves_the_classic_fields_as_asked(classic):
    plain = sdk(classic).query("stock_basic")
    assert list(plain.columns) == list(classic_data.DEFAULT_FIELDS["stock_basic"])
    every = get_spec("stock_basic").field_names
    asked = sdk(classic).query("stock_basic", list_status="D", fields=",".join(every))
    assert list(asked.columns) == [f for f in every if f not in STOCK_BASIC_NOT_SERVED]
    assert asked["ts_code"].tolist() == ["000003.SZ"] and asked["delist_date"].tolist() == ["20020614"]
    daily = sdk(classic).query("daily", trade_date="20241008", fields=",".join(get_spec("daily").field_names))
    assert list(daily.columns) == list(classic_data.FIELDS["daily"])  # no ah_vol, ah_amount
    assert set(daily["trade_date"]) == {"20241008"} and len(daily) > 0
    holiday = sdk(classic).query("daily", trade_date="20241001")
    assert holiday.empty


def test_the_server_pages_by_limit_and_offset_with_has_more(classic):
    first = post(classic, "daily", {"trade_date": "20241008", "limit": 4, "offset": 0})["data"]
    second = post(classic, "daily", {"trade_date": "20241008", "limit": 4, "offset": 4})["data"]
    assert (len(first["items"]), first["has_more"]) == (4, True)
    assert (len(second["items"]), second["has_more"]) == (len(LISTED) - 4, False)
    assert not {tuple(r) for r in first["items"]} & {tuple(r) for r in second["items"]}


# --- the pipeline against it ------------------------------------------------------------------


@dataclass(frozen=True)
class Landed:
    path: Path
    reports: dict[str, IngestReport]
    requests: list[dict]
    """What the server received while the data landed."""


@pytest.fixture(scope="module")
def landed(classic, tmp_path_factory) -> Landed:
    """trade_cal 2024, stock_basic and October's daily, written as a user's run would:
    the source the environment chooses (a token and an endpoint: Tushare), the real
    client, ingest_partitions and a WarehouseWriter on a DuckDB file."""
    path = tmp_path_factory.mktemp("classic") / "warehouse.duckdb"
    classic.requests.clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TUSHARE_TOKEN", TOKEN)
        mp.setenv("TUSHARE_HTTP_URL", classic.url)
        source = TushareResource(max_retries=1).source()
        reports = {
            api: ingest_partitions(get_spec(api), keys, source=source,
                                   open_writer=lambda: WarehouseWriter(path), workers=2)
            for api, keys in (("trade_cal", ["2024"]), ("stock_basic", [None]), ("daily", WEEKDAYS))
        }
    return Landed(path, reports, list(classic.requests))


def read(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_every_partition_lands_labelled_tushare(landed):
    reports = landed.reports
    for api, report in reports.items():
        assert report.source == "tushare"
        assert not report.failures, f"{api}: {[o.error for o in report.failures]}"


def test_every_open_day_is_done_and_every_holiday_market_closed(landed):
    path, reports = landed.path, landed.reports
    status = {o.partition_key: o.status for o in reports["daily"].outcomes}
    assert sorted(status) == WEEKDAYS
    assert [d for d in WEEKDAYS if status[d] == "done"] == OPEN
    assert [d for d in WEEKDAYS if status[d] == "market_closed"] == WEEKDAY_HOLIDAYS == [
        "2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04", "2024-10-07"]
    per_day = dict(read(path, "SELECT strftime(trade_date, '%Y-%m-%d'), count(*) FROM normalized_daily GROUP BY 1"))
    assert per_day == {d: len(LISTED) for d in OPEN}
    # The server caps a call at 4 rows, below the spec's limit: has_more led to the rest.
    assert {o.pages for o in reports["daily"].outcomes if o.status == "done"} == {2}


def test_the_fields_it_does_not_serve_are_listed_in_the_outcomes(landed):
    reports = landed.reports
    (calendar,) = reports["trade_cal"].outcomes
    (stocks,) = reports["stock_basic"].outcomes
    assert calendar.absent_fields == ()
    assert stocks.absent_fields == STOCK_BASIC_NOT_SERVED
    done = [o for o in reports["daily"].outcomes if o.status == "done"]
    assert len(done) == len(OPEN) and {o.absent_fields for o in done} == {("ah_vol", "ah_amount")}


def test_the_fields_it_does_not_serve_are_null_and_the_rest_are_its_values(landed):
    path = landed.path
    nulls = " AND ".join(f"{f} IS NULL" for f in STOCK_BASIC_NOT_SERVED)
    stocks = read(path, f"SELECT ts_code, list_status, delist_date, name, source FROM normalized_stock_basic "
                        f"WHERE {nulls} ORDER BY ts_code")
    assert [(s[0], s[1]) for s in stocks] == [(s[0], s[5]) for s in sorted(classic_data.STOCKS)]
    assert {s[4] for s in stocks} == {"tushare"}
    assert [s for s in stocks if s[1] == "D"][0][2] == dt.date(2002, 6, 14)
    assert read(path, "SELECT count(*) FROM normalized_daily WHERE ah_vol IS NOT NULL OR ah_amount IS NOT NULL") == [(0,)]
    bar = classic_data._BARS[("600519.SH", "20241008")]
    stored = read(path, "SELECT open, high, low, close, pre_close, vol, amount FROM normalized_daily "
                        "WHERE ts_code = '600519.SH' AND trade_date = DATE '2024-10-08'")
    assert stored == [tuple(bar[f] for f in ("open", "high", "low", "close", "pre_close", "vol", "amount"))]
    calendar = read(path, "SELECT count(*), count(*) FILTER (WHERE is_open = 1), count(pretrade_date) "
                          "FROM normalized_trade_cal WHERE exchange = 'SSE'")
    assert calendar == [(61, len(classic_data.open_days()), 61)]


def test_only_the_token_it_was_given_reached_the_server_and_none_is_stored(landed):
    path = landed.path
    assert len(landed.requests) > len(OPEN) and {r["token"] for r in landed.requests} == {TOKEN}
    assert TOKEN.encode() not in path.read_bytes()
