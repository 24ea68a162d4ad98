"""The client's pure parts: the shared rate limiter, page normalization, redaction.

Everything that touches HTTP is tested against the simulator in test_client.py.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from twilight_assets.errors import DataValidationError, MissingFieldError, SchemaMismatchError
from twilight_assets.sources.normalize import empty_frame, normalize
from twilight_assets.sources.ratelimit import SAFETY_S, WINDOW_S, RateLimiter

SLOT_S = WINDOW_S + SAFETY_S  # a full window frees one slot a little after the minute
from twilight_assets.sources.redact import scrub
from twilight_assets.sources.tushare import REDACTED, Reply, classify, redact
from twilight_assets.errors import BadTokenError, EntitlementError, SourceError, ThrottledError
from twilight_assets.specs import REGISTRY

TRADE_CAL = REGISTRY["trade_cal"]
CAL_FIELDS = list(TRADE_CAL.field_names)


class FrozenClock:
    """Time that moves only when told, so quota arithmetic is exact."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)


# --- RateLimiter -------------------------------------------------------------------


def test_rate_limiter_lets_a_minutes_quota_through_then_waits_for_the_window():
    clock = FrozenClock()
    limiter = RateLimiter({"daily": 3}, clock=clock, sleep=clock.sleep)
    assert [limiter.acquire("daily") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("daily") == SLOT_S
    clock.now = 30.0
    # Slots now 0,0,0,60.25: the next is when the second call at 0 leaves, t=60.25.
    assert limiter.acquire("daily") == pytest.approx(SLOT_S - 30.0)
    clock.now = 200.0
    assert limiter.acquire("daily") == 0.0


def test_rate_limiter_quotas_are_per_api_with_a_default_and_unknown_apis_unpaced():
    clock = FrozenClock()
    limiter = RateLimiter({"daily": 1}, default=2, clock=clock, sleep=clock.sleep)
    assert limiter.acquire("daily") == 0.0
    assert limiter.acquire("daily") == SLOT_S
    assert [limiter.acquire("income") for _ in range(3)] == [0.0, 0.0, SLOT_S]
    unpaced = RateLimiter({"daily": 1}, clock=clock, sleep=clock.sleep)
    assert [unpaced.acquire("income") for _ in range(50)] == [0.0] * 50


def test_rate_limiter_from_registry_uses_each_specs_documented_quota():
    limiter = RateLimiter.from_registry({"daily": 7})
    assert limiter.quota("daily") == 7
    assert limiter.quota("income") == REGISTRY["income"].calls_per_minute
    with pytest.raises(ValueError, match="daily"):
        RateLimiter({"daily": 0})


def test_rate_limiter_shared_by_threads_never_books_a_slot_twice():
    clock = FrozenClock()
    quota, threads, per_thread = 7, 8, 10
    limiter = RateLimiter({"daily": quota}, clock=clock, sleep=clock.sleep)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        mine = [limiter.acquire("daily") for _ in range(per_thread)]
        with lock:
            waits.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    # With time frozen, the k-th call overall must land in minute k // quota whatever
    # the interleaving: a lost update would put two calls in one slot.
    # Slot of call k: each full window adds a minute and the margin to the one before.
    expected = [SLOT_S * (k // quota) for k in range(threads * per_thread)]
    assert sorted(waits) == pytest.approx(expected)
    assert sorted(clock.slept) == [w for w in sorted(waits) if w > 0]


def test_a_hold_stops_every_thread_for_that_api_only():
    clock = FrozenClock()
    limiter = RateLimiter({"daily": 100, "income": 100}, clock=clock, sleep=clock.sleep)
    limiter.hold("daily", 5.0)
    assert limiter.acquire("daily") == 5.0
    assert limiter.acquire("income") == 0.0
    limiter.hold("daily", 1.0)  # a shorter hold never shortens a longer one
    assert limiter.acquire("daily") == 5.0


# --- normalize -----------------------------------------------------------------------


def _page(items, fields=CAL_FIELDS):
    return {"params": {"exchange": "SSE"}, "fields": list(fields), "items": items}


def test_normalize_types_every_column_and_keeps_duplicates():
    rows = [
        ["SSE", "20240102", 1, "20231229"],
        ["SSE", "20240103", "0", None],  # is_open arrives as text from some sources
        ["SSE", "20240103", "0", None],
    ]
    result = normalize(TRADE_CAL, "2024", [_page(rows[:2]), _page(rows[2:])])
    frame = result.frame
    assert list(frame.columns) == CAL_FIELDS
    assert frame["exchange"].dtype == object and frame["exchange"].tolist() == ["SSE"] * 3
    assert str(frame["cal_date"].dtype) == "datetime64[ns]"
    assert frame["cal_date"].tolist() == [pd.Timestamp("2024-01-02")] + [pd.Timestamp("2024-01-03")] * 2
    assert str(frame["is_open"].dtype) == "Int64" and frame["is_open"].tolist() == [1, 0, 0]
    assert frame["pretrade_date"].isna().tolist() == [False, True, True]
    assert result.extra_fields == []


def test_normalize_float_and_null_str_columns():
    spec = REGISTRY["daily"]
    row = {name: 1.5 for name in spec.field_names}
    row.update(ts_code="000001.SZ", trade_date="20240102", vol=10)
    items = [[row[f] for f in spec.field_names], [row[f] if f != "amount" else None for f in spec.field_names]]
    frame = normalize(spec, "2024-01-02", [_page(items, spec.field_names)]).frame
    assert frame["vol"].dtype == np.float64 and frame["vol"].tolist() == [10.0, 10.0]
    assert frame["amount"].isna().tolist() == [False, True]

    basic = REGISTRY["stock_basic"]
    values = {f.name: ("20000101" if f.type == "date" else "x") for f in basic.fields}
    values["delist_date"] = None
    values["enname"] = None
    items = [[values[f] for f in basic.field_names]]
    frame = normalize(basic, None, [_page(items, basic.field_names)]).frame
    assert frame["enname"].tolist() == [None]  # None, not NaN, in text columns


def test_normalize_reports_extra_fields_and_drops_them_from_the_frame():
    fields = CAL_FIELDS + ["surprise"]
    result = normalize(TRADE_CAL, "2024", [_page([["SSE", "20240102", 1, None, 42]], fields)])
    assert result.extra_fields == ["surprise"]
    assert result.fields == fields
    assert list(result.frame.columns) == CAL_FIELDS


def test_normalize_missing_optional_field_is_a_typed_null_column_listed_as_absent():
    fields = [f for f in CAL_FIELDS if f != "pretrade_date"]
    result = normalize(TRADE_CAL, "2024", [_page([["SSE", "20240102", 1], ["SSE", "20240103", 1]], fields)])
    assert list(result.frame.columns) == CAL_FIELDS
    assert str(result.frame["pretrade_date"].dtype) == "datetime64[ns]"
    assert result.frame["pretrade_date"].isna().all()
    assert result.frame["is_open"].tolist() == [1, 1]
    assert result.absent_fields == ["pretrade_date"] and result.fields == fields


def test_normalize_optional_field_missing_from_one_page_is_null_on_its_rows_only():
    good = _page([["SSE", "20240102", 1, "20231229"]])
    short = _page([["SSE", "20240103", 1]], CAL_FIELDS[:3])
    result = normalize(TRADE_CAL, "2024", [good, short])
    assert result.frame["pretrade_date"].tolist()[0] == pd.Timestamp("2023-12-29")
    assert result.frame["pretrade_date"].isna().tolist() == [False, True]
    assert result.absent_fields == ["pretrade_date"]


def test_normalize_missing_required_field_names_field_dataset_and_partition():
    fields = [f for f in CAL_FIELDS if f != "is_open"]
    with pytest.raises(MissingFieldError) as raised:
        normalize(TRADE_CAL, "2024", [_page([["SSE", "20240102", None]], fields)])
    assert isinstance(raised.value, SchemaMismatchError)
    assert raised.value.fields == ("is_open",)
    assert (raised.value.api_name, raised.value.partition_key) == ("trade_cal", "2024")
    message = str(raised.value)
    assert "is_open" in message and "trade_cal" in message and "2024" in message


def test_normalize_required_field_missing_from_a_later_page_is_not_filled_with_nulls():
    daily = REGISTRY["daily"]
    good = _page([["000001.SZ", "20240102"] + [1.0] * 11], daily.field_names)
    short_fields = [f for f in daily.field_names if f not in ("close", "vol")]
    short = _page([["000002.SZ", "20240102"] + [1.0] * 9], short_fields)
    with pytest.raises(MissingFieldError, match="close, vol") as raised:
        normalize(daily, "2024-01-02", [good, short])
    assert raised.value.fields == ("close", "vol") and "page 2" in str(raised.value)


@pytest.mark.parametrize("api_name", sorted(REGISTRY))
def test_normalize_a_page_of_required_fields_only_types_every_optional_column_as_null(api_name):
    spec = REGISTRY[api_name]
    sample = {"str": "x", "date": "20240102", "float": 1.5, "int": 1}
    kinds = {f.name: f.type for f in spec.fields}
    fields = [f for f in spec.field_names if f in spec.required_fields]
    rows = [[sample[kinds[f]] for f in fields] for _ in range(3)]
    result = normalize(spec, "2024", [_page(rows, fields)])
    assert list(result.frame.columns) == list(spec.field_names)
    assert result.frame.dtypes.astype(str).tolist() == empty_frame(spec).dtypes.astype(str).tolist()
    assert result.absent_fields == list(spec.optional_fields)
    assert result.frame[list(spec.optional_fields)].isna().all().all()
    assert result.frame[fields].notna().all().all()
    for f in spec.optional_fields:
        if kinds[f] == "str":
            assert result.frame[f].tolist() == [None] * 3, f  # None, not NaN, in text columns


def test_normalize_a_page_without_rows_is_judged_by_the_fields_it_names():
    # No rows to lose, but the shape is the account's: absent optional fields are listed,
    # a missing required one is the same error as on a page with rows.
    result = normalize(TRADE_CAL, "2024", [_page([], CAL_FIELDS[:3])])
    assert len(result.frame) == 0 and result.absent_fields == ["pretrade_date"]
    with pytest.raises(MissingFieldError, match="is_open"):
        normalize(TRADE_CAL, "2024", [_page([], ["exchange", "cal_date"])])


@pytest.mark.parametrize("odd_row", [["SSE", "20240102", 1, None, "x"], ["SSE", "20240102", 1]])
def test_normalize_rows_not_as_wide_as_the_field_list_are_a_schema_error(odd_row):
    # pandas would pad a short row with nulls: that must not pass for data.
    rows = [["SSE", "20240101", 0, None], odd_row]
    with pytest.raises(SchemaMismatchError, match="4 fields"):
        normalize(TRADE_CAL, "2024", [_page(rows)])


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (["SSE", "2024013", 1, None], "cal_date"),  # 7 digits: pandas alone would accept it
        (["SSE", "20241341", 1, None], "cal_date"),
        (["SSE", 20240102, 1, None], "cal_date"),
        (["SSE", "20240102", 1.5, None], "is_open"),
        (["SSE", "20240102", True, None], "is_open"),
        (["SSE", "20240102", "open", None], "is_open"),
        ([600000, "20240102", 1, None], "exchange"),
        (["SSE", "20240102", 1, "yesterday"], "pretrade_date"),
    ],
)
def test_normalize_uncoercible_value_names_field_and_row(row, field):
    rows = [["SSE", "20240101", 0, None], row]
    with pytest.raises(DataValidationError) as raised:
        normalize(TRADE_CAL, "2024", [_page(rows)])
    message = str(raised.value)
    assert f"field {field}" in message and "row 1" in message and "trade_cal" in message
    assert "row 0" not in message


@pytest.mark.parametrize("key", ["exchange", "cal_date"])
@pytest.mark.parametrize("blank", [None, ""])
def test_normalize_null_key_names_field_and_rows(key, blank):
    rows = [["SSE", "20240101", 0, None] for _ in range(8)]
    for i in (2, 5, 6, 7):
        rows[i][CAL_FIELDS.index(key)] = blank
    with pytest.raises(DataValidationError) as raised:
        normalize(TRADE_CAL, "2024", [_page(rows)])
    message = str(raised.value)
    assert f"key field {key}" in message and "4 row(s)" in message
    assert "row 2" in message and "row 7" in message and "row 1 " not in message


def test_normalize_empty_answer_is_an_empty_typed_frame():
    frame = normalize(TRADE_CAL, "2024", [_page([]), {"params": {}, "fields": [], "items": []}]).frame
    assert len(frame) == 0
    assert frame.dtypes.astype(str).tolist() == empty_frame(TRADE_CAL).dtypes.astype(str).tolist()
    assert frame.dtypes.astype(str).tolist() == ["object", "datetime64[ns]", "Int64", "datetime64[ns]"]


# --- errors and redaction ---------------------------------------------------------------


def test_redact_replaces_every_occurrence_and_ignores_an_empty_token():
    assert redact("a tok b tok", "tok") == f"a {REDACTED} b {REDACTED}"
    assert redact("nothing", "") == "nothing"


def test_scrub_drops_secret_keys_at_any_depth_masks_the_token_and_passes_items_through():
    token = "s3cr3t"
    items = [["000001.SZ", f"a cell naming {token}"]]
    pages = [
        {"params": {"trade_date": "20240102", "Token": token, "nested": {"ts_type_name": "u", "note": f"x{token}y"}},
         "fields": ["ts_code", "remark"], "items": items},
        ({"token": token, "tags": (token, "keep")},),
    ]
    scrubbed = scrub(pages, token)
    assert scrubbed[0]["params"] == {"trade_date": "20240102", "nested": {"note": f"x{REDACTED}y"}}
    assert scrubbed[0]["items"] is items  # the data, untouched and not copied
    assert scrubbed[1] == [{"tags": [REDACTED, "keep"]}]
    assert pages[0]["params"]["Token"] == token  # the input is left as it was
    assert scrub({"token": "", "a": "b"}, "") == {"a": "b"}


@pytest.mark.parametrize(
    ("code", "msg", "kind"),
    [
        (40101, "抱歉，您的token不对，请确认。", BadTokenError),
        (40203, "抱歉，您每分钟最多访问该接口200次，权限的具体详情访问：https://tushare.pro/document/1?doc_id=108。", ThrottledError),
        (40203, "抱歉，您每小时最多访问该接口1000次", ThrottledError),
        (40203, "抱歉，您每天最多访问该接口10000次", ThrottledError),
        (40203, "抱歉，您没有访问该接口的权限，权限的具体详情访问：https://tushare.pro/document/1?doc_id=108。", EntitlementError),
        (-2002, "抱歉，您的积分不足以访问该接口", EntitlementError),
        (-2001, "参数错误", SourceError),
    ],
)
def test_classify_tells_quota_from_entitlement_by_message(code, msg, kind):
    error = classify(Reply(code, msg, [], [], None), api_name="income", partition_key="000001.SZ")
    assert type(error) is kind
    assert error.code == code and "income" in str(error) and "000001.SZ" in str(error)
    assert classify(Reply(0, "", [], [], None), api_name="income") is None
