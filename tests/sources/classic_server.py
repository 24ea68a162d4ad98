"""An independent Tushare-protocol server for tests, built on the standard library only.

It shares nothing with `tushare_sim` (no code, no specs, no data generator) so that what
passes against it is the protocol, not our own simulator's habits. It serves the
classic fields of three APIs, as older accounts are served them:

- stock_basic without fullname, enname, cnspell, exchange, curr_type, is_hs, act_name,
  act_ent_type; list_status and delist_date only when asked for by name;
- trade_cal as documented (exchange, cal_date, is_open, pretrade_date);
- daily without ah_vol / ah_amount.

Its fixed data: six stocks (one delisted long ago), the calendar of September and
October 2024 (Mid-Autumn Festival on 16-17 September, National Day on 1-7 October) and a
daily bar per listed stock and open day. The protocol: `POST {url}/{api_name}` with JSON
{api_name, token, params, fields}; a wrong token is 40101, an unknown API -2001;
`fields` picks and orders the reply's fields (unknown names ignored, none: the default
ones); `limit`/`offset` page through the result, capped per API, with has_more.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

TOKEN = "classic-account-0f3a9c27d1"
FIRST_DAY = dt.date(2024, 9, 1)
LAST_DAY = dt.date(2024, 10, 31)
HOLIDAYS = frozenset(
    [dt.date(2024, 9, 16), dt.date(2024, 9, 17)]
    + [dt.date(2024, 10, d) for d in range(1, 8)]
)
CODE_BAD_TOKEN = 40101
CODE_BAD_REQUEST = -2001

# (ts_code, name, area, industry, market, list_status, list_date, delist_date)
STOCKS = (
    ("000001.SZ", "平安银行", "深圳", "银行", "主板", "L", "19910403", None),
    ("000002.SZ", "万科A", "深圳", "全国地产", "主板", "L", "19910129", None),
    ("000003.SZ", "PT金田A", "深圳", "综合类", "主板", "D", "19910703", "20020614"),
    ("300750.SZ", "宁德时代", "福建", "电气设备", "创业板", "L", "20180611", None),
    ("600000.SH", "浦发银行", "上海", "银行", "主板", "L", "19991110", None),
    ("600519.SH", "贵州茅台", "贵州", "白酒", "主板", "L", "20010827", None),
)
# Per API: every field it serves, the ones shown when none are asked for, its row cap.
FIELDS = {
    "stock_basic": ("ts_code", "symbol", "name", "area", "industry", "market", "list_status",
                    "list_date", "delist_date"),
    "trade_cal": ("exchange", "cal_date", "is_open", "pretrade_date"),
    "daily": ("ts_code", "trade_date", "open", "high", "low", "close", "pre_close", "change",
              "pct_chg", "vol", "amount"),
}
DEFAULT_FIELDS = {
    "stock_basic": ("ts_code", "symbol", "name", "area", "industry", "market", "list_date"),
    "trade_cal": FIELDS["trade_cal"],
    "daily": FIELDS["daily"],
}
PAGE_CAPS = {"stock_basic": 5000, "trade_cal": 5000, "daily": 5000}
"""Rows per call at most, whatever `limit` asks; a test can set smaller ones."""


def is_open(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def open_days() -> list[dt.date]:
    days = [FIRST_DAY + dt.timedelta(days=k) for k in range((LAST_DAY - FIRST_DAY).days + 1)]
    return [d for d in days if is_open(d)]


def _previous_open(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while not is_open(day):
        day -= dt.timedelta(days=1)
    return day


def _ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return dt.datetime.strptime(str(value), "%Y%m%d").date()


def _stock_rows(params: dict) -> list[dict]:
    status = params.get("list_status") or "L"
    return [
        {"ts_code": code, "symbol": code[:6], "name": name, "area": area, "industry": industry,
         "market": market, "list_status": listed, "list_date": since, "delist_date": until}
        for code, name, area, industry, market, listed, since, until in STOCKS
        if listed == status
    ]


def _calendar_rows(params: dict) -> list[dict]:
    exchange = params.get("exchange") or "SSE"
    if exchange not in ("SSE", "SZSE"):
        return []
    start = max(_date(params.get("start_date")) or FIRST_DAY, FIRST_DAY)
    end = min(_date(params.get("end_date")) or LAST_DAY, LAST_DAY)
    days = [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]
    rows = [{"exchange": exchange, "cal_date": _ymd(d), "is_open": int(is_open(d)),
             "pretrade_date": _ymd(_previous_open(d))} for d in reversed(days)]
    if params.get("is_open") not in (None, ""):
        rows = [r for r in rows if str(r["is_open"]) == str(params["is_open"])]
    return rows


def _bars() -> dict[tuple[str, str], dict]:
    """A deterministic random walk per listed stock over the open days: OHLC consistent,
    pre_close the previous close, amount (thousand yuan) at a price within [low, high]."""
    bars = {}
    for code, *_rest, listed, _since, _until in STOCKS:
        if listed != "L":
            continue
        rng = random.Random(code)
        close = round(rng.uniform(8, 200), 2)
        for day in open_days():
            pre_close = close
            close = round(pre_close * (1 + rng.uniform(-0.04, 0.04)), 2)
            open_ = round(pre_close * (1 + rng.uniform(-0.01, 0.01)), 2)
            high = round(max(open_, close) * (1 + rng.uniform(0, 0.015)), 2)
            low = round(min(open_, close) * (1 - rng.uniform(0, 0.015)), 2)
            vol = float(rng.randint(20_000, 900_000))
            vwap = low + (high - low) * rng.uniform(0.3, 0.7)
            bars[(code, _ymd(day))] = {
                "ts_code": code, "trade_date": _ymd(day), "open": open_, "high": high,
                "low": low, "close": close, "pre_close": pre_close,
                "change": round(close - pre_close, 2),
                "pct_chg": round((close / pre_close - 1) * 100, 4),
                "vol": vol, "amount": round(vwap * vol / 10, 3),
            }
    return bars


_BARS = _bars()


def _daily_rows(params: dict) -> list[dict]:
    day = _date(params.get("trade_date"))
    start, end = _date(params.get("start_date")), _date(params.get("end_date"))
    codes = {c.strip() for c in str(params.get("ts_code") or "").split(",") if c.strip()}
    rows = []
    for (code, when), bar in _BARS.items():
        on = _date(when)
        if day is not None and on != day:
            continue
        if (start and on < start) or (end and on > end) or (codes and code not in codes):
            continue
        rows.append(bar)
    return sorted(rows, key=lambda r: (r["trade_date"], r["ts_code"]), reverse=True)


HANDLERS: dict[str, Callable[[dict], list[dict]]] = {
    "stock_basic": _stock_rows,
    "trade_cal": _calendar_rows,
    "daily": _daily_rows,
}


class ClassicServer:
    """The server in a daemon thread. `requests` records every call received (api_name,
    token, params), so a test can prove what was, or was not, sent to it."""

    def __init__(self, host: str = "127.0.0.1", token: str = TOKEN,
                 page_caps: dict[str, int] | None = None) -> None:
        self.token = token
        self.page_caps = {**PAGE_CAPS, **(page_caps or {})}
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.1}, name="classic-tushare")

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "ClassicServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def answer(self, path_api: str, body: bytes) -> dict:
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return _envelope(CODE_BAD_REQUEST, "请求格式错误")
        api_name = str(request.get("api_name") or path_api)
        params = dict(request.get("params") or {})
        with self._lock:
            self.requests.append({"api_name": api_name, "token": request.get("token"), "params": params})
        if request.get("token") != self.token:
            return _envelope(CODE_BAD_TOKEN, "您的token不对，请确认。")
        if api_name not in HANDLERS:
            return _envelope(CODE_BAD_REQUEST, "请指定正确的接口名")
        fields = _pick_fields(api_name, request.get("fields"))
        rows = HANDLERS[api_name](params)
        try:
            offset = int(params.get("offset") or 0)
            cap = self.page_caps[api_name]
            limit = min(int(params.get("limit") or cap), cap)
        except ValueError:
            return _envelope(CODE_BAD_REQUEST, "参数limit/offset必须是整数")
        page = rows[offset : offset + limit]
        items = [[row[f] for f in fields] for row in page]
        return _envelope(0, "", {"fields": fields, "items": items, "has_more": offset + len(page) < len(rows)})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                reply = json.dumps(server.answer(self.path.rstrip("/").rsplit("/", 1)[-1], body),
                                   ensure_ascii=False).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler


def _pick_fields(api_name: str, requested: object) -> list[str]:
    text = ",".join(map(str, requested)) if isinstance(requested, (list, tuple)) else str(requested or "")
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        return list(DEFAULT_FIELDS[api_name])
    served = FIELDS[api_name]
    return list(dict.fromkeys(n for n in names if n in served))


def _envelope(code: int, msg: str, data: dict | None = None) -> dict:
    return {"request_id": uuid.uuid4().hex, "code": code, "msg": msg, "data": data}
