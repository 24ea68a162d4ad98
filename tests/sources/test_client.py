"""TushareSource against the simulator, over HTTP, through the tushare SDK's DataApi.

Every API fetched whole and typed; paging by our offset and by the server's cap;
throttling waited out; transient failures retried; permanent ones typed and fast;
schema faults named; the token nowhere a person or a log could read it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from pandas.api.types import infer_dtype

from tests.conftest import SIMULATOR_CONFIG, make_data_api
from twilight_assets.errors import (
    BadTokenError,
    DataValidationError,
    EntitlementError,
    MissingFieldError,
    SchemaMismatchError,
    SourceConfigError,
    SourceError,
    ThrottledError,
    TransientSourceError,
)
from tushare_sim import SimulatorServer
from tushare_sim.apis import AFTER_HOURS_FIELDS
from tushare_sim.faults import EXTRA_FIELD, WRONG_TYPE_VALUE
from twilight_assets.sources.redact import REDACTED
from twilight_assets.sources.tushare import FetchResult, RateLimiter, TushareHttpApi, TushareSource
from twilight_assets.specs import REGISTRY, EntityType, Grain, get_spec

AS_OF = SIMULATOR_CONFIG.as_of
WRONG_TOKEN = "wrong-token-5c1e7a"
DTYPES = {"str": "object", "date": "datetime64[ns]", "float": "float64", "int": "Int64"}
TIMEOUT_S = 1.0


def make_source(server: SimulatorServer, token: str | None = None, **overrides) -> TushareSource:
    """A source tuned for tests: unpaced, short timeouts and waits, few retries."""
    settings = dict(
        source_name="simulator",
        rate_limiter=RateLimiter(),
        timeout_s=TIMEOUT_S,
        max_retries=3,
        backoff_base_s=0.01,
        backoff_max_s=0.05,
        throttle_wait_s=0.05,
        max_throttle_waits=3,
        today=lambda: AS_OF,
    )
    settings.update(overrides)
    return TushareSource(server.token if token is None else token, server.url, **settings)


@pytest.fixture
def source(simulator):
    with make_source(simulator) as client:
        yield client


@pytest.fixture(scope="module")
def partitions(simulator) -> dict[str, str | None]:
    """A partition with rows for every API, found through the reference data the
    client itself fetches (nothing here assumes what the seed generates)."""
    with make_source(simulator) as client:
        stocks = client.fetch(get_spec("stock_basic"), None).frame
        indexes = client.fetch(get_spec("index_basic"), None).frame
        calendar = client.fetch(get_spec("trade_cal"), str(AS_OF.year)).frame
        open_days = calendar[(calendar["is_open"] == 1) & (calendar["cal_date"] <= pd.Timestamp(AS_OF))]
        last_open = open_days["cal_date"].max().date().isoformat()
        listed = stocks.loc[stocks["list_status"] == "L", "ts_code"].tolist()
        keys: dict[str, str | None] = {}
        for name, spec in REGISTRY.items():
            if spec.grain is Grain.ONCE:
                keys[name] = None
            elif spec.grain is Grain.PER_DATE_YEAR:
                keys[name] = str(AS_OF.year)
            elif spec.grain is Grain.PER_DATE:
                keys[name] = last_open
            else:
                pool = indexes["ts_code"].tolist() if spec.entity_type is EntityType.INDEX else listed
                keys[name] = next(k for k in pool if client.fetch(spec, k).row_count > 0)
    return keys


def assert_typed(result: FetchResult, api_name: str) -> None:
    spec = get_spec(api_name)
    frame = result.frame
    assert list(frame.columns) == list(spec.field_names)
    assert {c: str(t) for c, t in frame.dtypes.items()} == {f.name: DTYPES[f.type] for f in spec.fields}
    for f in spec.fields:
        if f.type == "str":
            assert infer_dtype(frame[f.name], skipna=True) in {"string", "empty"}, f.name
            assert not frame[f.name].map(lambda v: isinstance(v, float)).any(), f"{f.name}: NaN, not None"
    for key in spec.key_fields:
        assert frame[key].notna().all(), key


# --- every API -------------------------------------------------------------------------


@pytest.mark.parametrize("api_name", sorted(REGISTRY))
def test_every_api_arrives_whole_and_typed(source, partitions, api_name):
    spec = get_spec(api_name)
    key = partitions[api_name]
    result = source.fetch(spec, key)

    assert result.row_count > 0
    assert_typed(result, api_name)
    assert (result.api_name, result.partition_key, result.source) == (api_name, key, "simulator")
    # Every variant asked, each page with the spec's cap, every documented field by name.
    wanted = spec.request_params(key, today=AS_OF)
    assert [{k: v for k, v in p.items() if k not in ("limit", "offset")} for p in result.request_params] == wanted
    assert all(p["limit"] == spec.page_limit and p["offset"] == 0 for p in result.request_params)
    # The shared market is of 2024: daily's after-hours fields did not exist yet.
    unserved = list(AFTER_HOURS_FIELDS) if api_name == "daily" else []
    assert result.absent_fields == unserved and result.frame[unserved].isna().all().all()
    assert set(spec.hidden_fields) - set(unserved) <= set(result.fields)
    assert result.extra_fields == []
    assert result.pages_fetched == len(result.pages) == len(wanted) == result.calls
    assert sum(len(page["items"]) for page in result.pages) == result.row_count
    assert (result.retries, result.throttle_waits) == (0, 0)


@pytest.mark.parametrize("api_name", ["daily", "income"])
def test_frame_holds_what_the_plain_sdk_returns(simulator, source, partitions, api_name):
    """Same rows and values as the unmodified SDK's DataFrame, only typed."""
    spec = get_spec(api_name)
    result = source.fetch(spec, partitions[api_name])
    (params,) = spec.request_params(partitions[api_name], today=AS_OF)
    plain = make_data_api(simulator).query(api_name, fields=",".join(spec.field_names), **params)
    assert len(plain) == result.row_count
    assert [f for f in spec.field_names if f not in plain.columns] == result.absent_fields
    for f in spec.fields:
        if f.name in result.absent_fields:
            assert result.frame[f.name].isna().all()
            continue
        ours, theirs = result.frame[f.name], plain[f.name]
        if f.type == "date":
            theirs = pd.to_datetime(theirs, format="%Y%m%d")
        elif f.type == "float":
            theirs = theirs.astype("float64")
        elif f.type == "str":
            ours, theirs = ours.fillna("<null>"), theirs.astype(object).fillna("<null>")
        pd.testing.assert_series_equal(ours, theirs.astype(ours.dtype), check_names=False)


def test_sdk_style_query_and_call_keep_the_protocol(simulator, source, partitions):
    day = partitions["daily"].replace("-", "")
    api = TushareHttpApi(simulator.token, simulator.url, timeout=TIMEOUT_S)
    by_query = api.query("daily", fields="ts_code,close", trade_date=day)
    by_attribute = api.daily(trade_date=day, fields="ts_code,close")
    plain = make_data_api(simulator).query("daily", fields="ts_code,close", trade_date=day)
    pd.testing.assert_frame_equal(by_query, plain)
    pd.testing.assert_frame_equal(by_attribute, plain)
    fields, items = source.call("daily", {"trade_date": day}, ["ts_code", "close"])
    assert fields == ["ts_code", "close"] and items == plain.values.tolist()


# --- paging ----------------------------------------------------------------------------


@pytest.mark.parametrize(("api_name", "page_limit"), [("index_daily", 50), ("stock_basic", 5), ("income", 2)])
def test_partition_larger_than_a_page_arrives_whole_without_duplicates(source, partitions, api_name, page_limit):
    spec = get_spec(api_name)
    key = partitions[api_name]
    whole = source.fetch(spec, key)
    assert whole.row_count > page_limit, "the partition must span several pages"
    paged = source.fetch(dataclasses.replace(spec, page_limit=page_limit), key)

    assert paged.pages_fetched > 1
    expected_pages = sum(
        math.floor(len(p["items"]) / page_limit) + 1 for p in whole.pages
    )  # a full last page needs one more (empty) call to prove it was the last
    assert paged.pages_fetched == expected_pages == paged.calls
    pd.testing.assert_frame_equal(paged.frame, whole.frame)
    # No row twice (income also has real revisions sharing a key: those stay).
    assert not paged.frame.duplicated().any()
    for variant in spec.request_params(key, today=AS_OF):
        offsets = [p["offset"] for p in paged.request_params if variant.items() <= p.items()]
        assert offsets == [page_limit * i for i in range(len(offsets))]


def test_server_cap_below_ours_is_followed_by_has_more(partitions):
    """A server capping pages below the spec's cap still sends everything: has_more."""
    config = dataclasses.replace(SIMULATOR_CONFIG, page_limits={"index_daily": 40})
    spec = get_spec("index_daily")
    with SimulatorServer(config) as capped, make_source(capped) as client:
        result = client.fetch(spec, partitions["index_daily"])
        assert spec.page_limit > 40
        assert result.pages_fetched == math.ceil(result.row_count / 40) > 1
        assert all(len(p["items"]) <= 40 for p in result.pages)
        assert not result.frame.duplicated(list(spec.key_fields)).any()
    with SimulatorServer(SIMULATOR_CONFIG) as uncapped, make_source(uncapped) as client:
        pd.testing.assert_frame_equal(result.frame, client.fetch(spec, partitions["index_daily"]).frame)


# --- throttling ----------------------------------------------------------------------------


def test_throttled_calls_wait_and_succeed(simulator, source, partitions):
    clean = source.fetch(get_spec("daily"), partitions["daily"])
    simulator.add_fault("throttle", api_name="daily", times=2)
    result = source.fetch(get_spec("daily"), partitions["daily"])
    assert result.throttle_waits == 2
    assert result.throttle_wait_s == pytest.approx(2 * source.throttle_wait_s)
    assert (result.calls, result.retries) == (3, 0)
    pd.testing.assert_frame_equal(result.frame, clean.frame)


def test_minute_throttles_wait_short_then_longer(simulator, partitions):
    """A refused call within a paced minute frees up in seconds: waiting the full minute
    each time is what made a throttled backfill take twice its floor."""
    simulator.add_fault("throttle", api_name="daily", times=4)
    with make_source(simulator, throttle_first_wait_s=0.02, throttle_wait_s=0.1, max_throttle_waits=4) as client:
        result = client.fetch(get_spec("daily"), partitions["daily"])
    assert result.throttle_waits == 4
    assert result.throttle_wait_s == pytest.approx(0.02 + 0.04 + 0.08 + 0.1)


@pytest.mark.parametrize("window", ["hour", "day"])
def test_an_hourly_or_daily_quota_fails_at_once_naming_it(simulator, partitions, window):
    simulator.add_fault("throttle", api_name="daily", times=1, window=window)
    with make_source(simulator, throttle_wait_s=30) as client, pytest.raises(ThrottledError) as raised:
        client.fetch(get_spec("daily"), partitions["daily"])
    assert "hourly or daily quota" in str(raised.value) and raised.value.api_name == "daily"


def test_the_servers_real_quota_is_waited_out(partitions):
    """Not an injected fault: the server's own per-window quota answering 40203."""
    config = dataclasses.replace(
        SIMULATOR_CONFIG, calls_per_minute={"index_daily": 2}, quota_window_seconds=0.3
    )
    spec = dataclasses.replace(get_spec("index_daily"), page_limit=60)
    with SimulatorServer(config) as limited, make_source(limited, throttle_wait_s=0.35) as client:
        result = client.fetch(spec, partitions["index_daily"])
        assert result.throttle_waits > 0
        assert result.pages_fetched == math.floor(result.row_count / 60) + 1
        assert limited.stats["throttled"] == result.throttle_waits
        assert not result.frame.duplicated(list(spec.key_fields)).any()


def test_throttling_that_never_ends_is_a_throttled_error(simulator, source, partitions):
    logged = len(simulator.fault_log)
    simulator.add_fault("throttle", api_name="daily")
    with pytest.raises(ThrottledError) as raised:
        source.fetch(get_spec("daily"), partitions["daily"])
    error = raised.value
    assert error.code == 40203 and error.api_name == "daily"
    assert "每分钟最多访问该接口" in str(error) and partitions["daily"] in str(error)
    assert len(simulator.fault_log[logged:]) == source.max_throttle_waits + 1


# --- permanent failures: fast and typed ------------------------------------------------------


def test_bad_token_fails_fast_with_a_clear_message(simulator, partitions, caplog):
    before = sum(1 for c in simulator.call_log if c["outcome"] == "bad_token")
    with make_source(simulator, token=WRONG_TOKEN, max_retries=5) as client:
        with caplog.at_level(logging.DEBUG), pytest.raises(BadTokenError) as raised:
            client.fetch(get_spec("daily"), partitions["daily"])
    assert raised.value.code == 40101
    assert "token" in str(raised.value) and "TUSHARE_TOKEN" in str(raised.value)
    assert sum(1 for c in simulator.call_log if c["outcome"] == "bad_token") == before + 1
    assert not [r for r in caplog.records if "retry" in r.getMessage()]


def test_missing_entitlement_fails_fast_naming_the_api(partitions):
    config = dataclasses.replace(SIMULATOR_CONFIG, unentitled_apis=frozenset({"income"}))
    with SimulatorServer(config) as restricted, make_source(restricted) as client:
        with pytest.raises(EntitlementError) as raised:
            client.fetch(get_spec("income"), partitions["income"])
        assert restricted.stats["calls"] == {"income": 1}
        assert client.fetch(get_spec("daily"), partitions["daily"]).row_count > 0
    error = raised.value
    assert error.code == 40203 and error.api_name == "income"
    assert "not entitled to the income API" in str(error)


def test_an_unknown_code_is_a_source_error_with_the_code(source):
    with pytest.raises(SourceError) as raised:
        source.call("no_such_api", {}, ["ts_code"])
    assert raised.value.code == -2001
    assert type(raised.value) is SourceError


# --- transient failures: retried, never an empty success ------------------------------------


def test_http_500_that_persists_raises_and_is_never_an_empty_frame(simulator, source, partitions):
    day = partitions["daily"]
    logged = len(simulator.fault_log)
    simulator.add_fault("http_500", api_name="daily")
    with pytest.raises(TransientSourceError) as raised:
        source.fetch(get_spec("daily"), day)
    message = str(raised.value)
    assert "HTTP 500" in message and "gave up after 4 attempts" in message and day in message
    assert len(simulator.fault_log[logged:]) == source.max_retries + 1
    # What the wrapping is for: the unmodified SDK calls the same failure "no rows".
    assert make_data_api(simulator).query("daily", trade_date=day.replace("-", "")).empty
    with pytest.raises(TransientSourceError):
        TushareHttpApi(simulator.token, simulator.url).query("daily", trade_date=day.replace("-", ""))


@pytest.mark.parametrize("kind", ["http_500", "http_502", "timeout", "empty_body", "malformed_json"])
def test_a_transient_failure_once_is_retried_and_succeeds(simulator, source, partitions, kind, caplog):
    clean = source.fetch(get_spec("daily"), partitions["daily"])
    simulator.add_fault(kind, api_name="daily", times=1, delay=TIMEOUT_S * 4)
    with caplog.at_level(logging.WARNING, logger="twilight_assets.sources"):
        result = source.fetch(get_spec("daily"), partitions["daily"])
    assert (result.retries, result.calls, result.pages_fetched) == (1, 2, 1)
    pd.testing.assert_frame_equal(result.frame, clean.frame)
    assert [f["kind"] for f in simulator.fault_log[-1:]] == [kind]
    assert len([r for r in caplog.records if "retry 1/3" in r.getMessage()]) == 1


# --- schema faults: typed, naming the field ----------------------------------------------------


def test_missing_required_field_is_a_schema_mismatch_naming_it(simulator, source, partitions):
    simulator.add_fault("missing_field", api_name="daily", times=1)
    with pytest.raises(SchemaMismatchError) as raised:
        source.fetch(get_spec("daily"), partitions["daily"])
    dropped = simulator.fault_log[-1]["field"]
    message = str(raised.value)
    assert isinstance(raised.value, MissingFieldError) and raised.value.fields == (dropped,)
    assert dropped in message and "daily" in message and partitions["daily"] in message


def test_missing_required_field_on_a_later_page_is_not_filled_with_nulls(simulator, source, partitions):
    spec = dataclasses.replace(get_spec("index_daily"), page_limit=50)
    simulator.add_fault("missing_field", api_name="index_daily", match={"offset": 100}, field="close")
    with pytest.raises(MissingFieldError, match="close") as raised:
        source.fetch(spec, partitions["index_daily"])
    assert raised.value.fields == ("close",) and "page 3" in str(raised.value)


def test_optional_field_missing_on_a_later_page_is_null_on_its_rows(simulator, source, partitions, caplog):
    spec = dataclasses.replace(get_spec("index_daily"), page_limit=50)
    clean = source.fetch(spec, partitions["index_daily"])
    simulator.add_fault("missing_field", api_name="index_daily", match={"offset": 100}, field="amount")
    with caplog.at_level(logging.INFO, logger="twilight_assets.sources"):
        result = source.fetch(spec, partitions["index_daily"])
    assert result.absent_fields == ["amount"] and result.row_count == clean.row_count > 150
    assert result.frame["amount"].isna().tolist() == [100 <= k < 150 for k in range(result.row_count)]
    kept = result.frame["amount"].notna()
    pd.testing.assert_series_equal(result.frame["amount"][kept], clean.frame["amount"][kept])
    said = [r for r in caplog.records if "did not serve" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.INFO and "amount" in said[0].getMessage()


@pytest.mark.parametrize("api_name", sorted(REGISTRY))
def test_essential_only_lands_with_every_optional_field_null_and_listed(simulator, source, partitions, api_name, caplog):
    """An account served only what each spec requires still gets every partition, typed,
    with the rest NULL, and is told once per fetch which fields were absent."""
    spec = get_spec(api_name)
    clean = source.fetch(spec, partitions[api_name])
    simulator.add_fault("essential_only", api_name=api_name)
    with caplog.at_level(logging.INFO, logger="twilight_assets.sources"):
        result = source.fetch(spec, partitions[api_name])
    assert_typed(result, api_name)
    assert result.absent_fields == list(spec.optional_fields)
    assert result.frame[list(spec.optional_fields)].isna().all().all()
    assert set(result.fields) == set(spec.required_fields) and result.extra_fields == []
    assert result.row_count == clean.row_count > 0
    required = list(spec.required_fields)
    pd.testing.assert_frame_equal(result.frame[required], clean.frame[required])
    said = [r for r in caplog.records if "did not serve" in r.getMessage()]
    assert [r.levelno for r in said] == ([logging.INFO] if spec.optional_fields else [])


def test_null_key_is_a_validation_error_naming_field_and_row(simulator, source, partitions):
    simulator.add_fault("null_key", api_name="daily", times=1)
    with pytest.raises(DataValidationError) as raised:
        source.fetch(get_spec("daily"), partitions["daily"])
    field = simulator.fault_log[-1]["field"]
    assert f"key field {field} is null in 1 row(s): row 0" in str(raised.value)


def test_wrong_type_is_a_validation_error_naming_field_and_value(simulator, source, partitions):
    simulator.add_fault("wrong_type", api_name="income", times=1)
    with pytest.raises(DataValidationError) as raised:
        source.fetch(get_spec("income"), partitions["income"])
    field = simulator.fault_log[-1]["field"]
    message = str(raised.value)
    assert f"field {field}: 1 value(s) cannot be read as float" in message
    assert repr(WRONG_TYPE_VALUE) in message and "income" in message and partitions["income"] in message


def test_extra_field_is_reported_and_kept_in_the_raw_pages(simulator, source, partitions, caplog):
    simulator.add_fault("extra_field", api_name="daily", times=1)
    with caplog.at_level(logging.WARNING, logger="twilight_assets.sources"):
        result = source.fetch(get_spec("daily"), partitions["daily"])
    assert result.extra_fields == [EXTRA_FIELD]
    assert EXTRA_FIELD in result.fields and EXTRA_FIELD not in result.frame.columns
    (page,) = result.pages
    position = page["fields"].index(EXTRA_FIELD)
    assert [row[position] for row in page["items"]] == ["x"] * result.row_count
    assert any(EXTRA_FIELD in r.getMessage() for r in caplog.records)
    assert_typed(result, "daily")


def test_duplicate_rows_are_kept_for_the_writer_to_resolve(simulator, source, partitions):
    clean = source.fetch(get_spec("daily"), partitions["daily"])
    simulator.add_fault("duplicate_rows", api_name="daily", times=1)
    result = source.fetch(get_spec("daily"), partitions["daily"])
    doubled = simulator.fault_log[-1]["rows"]
    assert result.row_count == clean.row_count + doubled
    assert result.frame.duplicated().sum() == doubled


def test_revised_reports_arrive_as_both_rows(simulator, source, partitions):
    simulator.add_fault("revised_values", api_name="income", times=1)
    result = source.fetch(get_spec("income"), partitions["income"])
    (revised,) = simulator.fault_log[-1]["rows"]
    rows = result.frame[
        (result.frame["ts_code"] == revised["ts_code"])
        & (result.frame["end_date"] == pd.Timestamp(revised["end_date"]))
        & (result.frame["report_type"] == revised["report_type"])
    ]
    assert sorted(rows["update_flag"]) == ["0", "1"]


# --- threads ---------------------------------------------------------------------------------


def test_one_source_serves_several_threads(simulator, partitions):
    spec = get_spec("index_daily")
    indexes = make_source(simulator).fetch(get_spec("index_basic"), None).frame["ts_code"].tolist()
    with make_source(simulator, rate_limiter=RateLimiter.from_registry()) as shared:
        sequential = {code: shared.fetch(spec, code).frame for code in indexes}
        threads_seen: set[int] = set()

        def fetch(code: str) -> tuple[str, pd.DataFrame]:
            threads_seen.add(threading.get_ident())
            return code, shared.fetch(spec, code).frame

        with ThreadPoolExecutor(max_workers=4) as pool:
            concurrent = dict(pool.map(fetch, indexes * 2))
    assert len(threads_seen) > 1
    assert concurrent.keys() == sequential.keys()
    for code, frame in sequential.items():
        pd.testing.assert_frame_equal(concurrent[code], frame)


# --- the token -------------------------------------------------------------------------------


def test_from_env_follows_the_source_rules(simulator, partitions, monkeypatch):
    monkeypatch.delenv("TUSHARE_TOKEN", raising=False)
    monkeypatch.setenv("TWILIGHT_SOURCE", "simulator")
    monkeypatch.setenv("TUSHARE_HTTP_URL", simulator.url)
    with TushareSource.from_env(rate_limiter=RateLimiter()) as client:
        assert (client.http_url, client.source_name) == (simulator.url, "simulator")
        assert client.fetch(get_spec("daily"), partitions["daily"]).row_count > 0
    monkeypatch.delenv("TWILIGHT_SOURCE")
    with pytest.raises(SourceConfigError, match="TUSHARE_TOKEN"):
        TushareSource.from_env()


def test_a_token_echoed_by_the_source_is_masked_in_what_the_client_hands_over(simulator, source, partitions):
    """The pages a FetchResult carries are scrubbed: here a server names a field after the
    token; the field list shows it masked, the data items are the server's own."""
    simulator.add_fault("extra_field", api_name="daily", times=1, field=f"echo-{simulator.token}")
    result = source.fetch(get_spec("daily"), partitions["daily"])
    assert result.extra_fields == [f"echo-{REDACTED}"]
    assert simulator.token not in json.dumps([result.pages, result.request_params, result.fields])
    assert {row[-1] for row in result.pages[0]["items"]} == {"x"}


def test_the_sdk_endpoint_is_the_default(monkeypatch):
    monkeypatch.delenv("TUSHARE_HTTP_URL", raising=False)
    assert TushareSource("t").http_url == "http://api.waditu.com/dataapi"


def test_an_error_body_echoing_the_token_is_redacted(simulator):
    api = TushareHttpApi(simulator.token, simulator.url)
    with pytest.raises(TransientSourceError) as raised:
        api._parse("daily", 502, f'{{"echo": {{"token": "{simulator.token}"}}}}')
    assert simulator.token not in str(raised.value) and "<redacted>" in str(raised.value)


def test_the_token_appears_in_no_log_record_exception_or_stored_param(simulator, partitions, caplog):
    """Drive every path that talks, fails or stores, then scan everything it left."""
    tokens = (simulator.token, WRONG_TOKEN)
    texts: list[str] = []
    errors: list[BaseException] = []
    caplog.set_level(logging.DEBUG)

    def attempt(client: TushareSource, api_name: str, key: str | None, spec=None) -> None:
        try:
            result = client.fetch(spec or get_spec(api_name), key)
            texts.extend([json.dumps(result.request_params), json.dumps(result.pages, default=str)])
            texts.append(repr(result.request_params) + repr(result.fields) + repr(result.extra_fields))
        except Exception as exc:  # noqa: BLE001 - every failure is scanned below
            errors.append(exc)

    with make_source(simulator) as client:
        texts.append(repr(client))
        attempt(client, "daily", partitions["daily"])
        attempt(client, "index_daily", partitions["index_daily"], dataclasses.replace(get_spec("index_daily"), page_limit=90))
        for kind in ("http_500", "empty_body", "malformed_json", "throttle", "missing_field", "null_key", "wrong_type", "extra_field"):
            simulator.add_fault(kind, api_name="daily")
            attempt(client, "daily", partitions["daily"])
            simulator.clear_faults()
        simulator.add_fault("timeout", api_name="daily", times=1, delay=TIMEOUT_S * 4)
        attempt(client, "daily", partitions["daily"])
    with make_source(simulator, token=WRONG_TOKEN) as stranger:
        texts.append(repr(stranger))
        attempt(stranger, "daily", partitions["daily"])
    config = dataclasses.replace(SIMULATOR_CONFIG, unentitled_apis=frozenset({"income"}))
    with SimulatorServer(config) as restricted, make_source(restricted) as client:
        attempt(client, "income", partitions["income"])

    assert {type(e) for e in errors} >= {
        TransientSourceError, ThrottledError, MissingFieldError, DataValidationError,
        BadTokenError, EntitlementError,
    }
    for error in errors:
        chain: BaseException | None = error
        while chain is not None:
            texts += [str(chain), repr(chain)]
            chain = chain.__cause__ or chain.__context__
    handler_text = caplog.text  # formatted records, tracebacks included
    texts += [handler_text] + [r.getMessage() for r in caplog.records]
    assert len(caplog.records) > 10
    for token in tokens:
        leaks = [t for t in texts if token in t]
        assert not leaks, f"token leaked in: {leaks[:3]}"
