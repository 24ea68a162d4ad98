"""The HTTP face of the simulator: Tushare's protocol on 127.0.0.1.

`POST {url}/{api_name}` with JSON {api_name, token, params, fields}; the reply is
{request_id, code, msg, data: {fields, items, has_more}}. Order of checks, as Tushare:
token (40101), API known, entitlement and quota (40203, told apart by message), then the
data: rows for the parameters, one page by limit/offset capped at the spec's page_limit,
the requested fields (or the default-shown ones) in Tushare's wire types.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import logging
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pandas as pd

from twilight_assets.specs import REGISTRY, get_spec
from .apis import HANDLERS, ApiError, Params, SimData
from .calendar import is_open
from .config import SimulatorConfig
from .faults import Fault, FaultBook, apply_data_fault, apply_schema_fault, choose_unknown_code
from .universe import Universe

log = logging.getLogger(__name__)

CODE_OK = 0
CODE_BAD_TOKEN = 40101
CODE_LIMITED = 40203
CODE_UNKNOWN_API = -2001
MSG_BAD_TOKEN = "您的token不对，请确认。"
MSG_UNKNOWN_API = "请指定正确的接口名"
_DOC = "权限的具体详情访问：https://tushare.pro/document/1?doc_id=108。"
_UNITS = {"minute": "分钟", "hour": "小时", "day": "天"}
DEFAULT_THROTTLE_LIMIT = 500


def throttle_message(limit: int, window: str = "minute") -> str:
    return f"抱歉，您每{_UNITS[window]}最多访问该接口{limit}次，{_DOC}"


def entitlement_message(api_name: str) -> str:
    return f"抱歉，您没有接口({api_name})访问权限，{_DOC}"


class Reply:
    """What the HTTP layer sends: a status and a body (bytes), or a hang first."""

    def __init__(self, status: int, body: bytes, delay: float = 0.0) -> None:
        self.status, self.body, self.delay = status, body, delay

    @classmethod
    def envelope(cls, code: int, msg: str, data: dict | None = None) -> "Reply":
        payload = {"request_id": uuid.uuid4().hex, "code": code, "msg": msg, "data": data}
        return cls(200, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def to_wire(page: pd.DataFrame, fields: list[str], api_name: str) -> list[list]:
    """Rows as Tushare sends them: dates 'YYYYMMDD', floats numbers, ints ints, null None."""
    types = {f.name: f.type for f in get_spec(api_name).fields}
    columns = []
    for name in fields:
        values = page[name].tolist()
        kind = types.get(name, "str")
        if kind == "float":
            values = [None if v is None or v != v else float(v) for v in values]
        elif kind == "int":
            values = [None if v is None or v != v else int(v) for v in values]
        else:
            values = [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in values]
        columns.append(values)
    return [list(row) for row in zip(*columns)] if columns else [[] for _ in range(len(page))]


def select_fields(api_name: str, requested: object) -> list[str]:
    """The `fields` request: names in the order asked (unknown ones ignored, as Tushare
    does); empty means the fields Tushare shows by default."""
    spec = get_spec(api_name)
    text = ",".join(map(str, requested)) if isinstance(requested, (list, tuple)) else str(requested or "")
    names = [f.strip() for f in text.split(",") if f.strip()]
    if not names:
        return [f.name for f in spec.fields if f.default_shown]
    known = set(spec.field_names)
    seen: list[str] = []
    for name in names:
        if name in known and name not in seen:
            seen.append(name)
    return seen


class Quota:
    """Sliding-window call counters per API (per minute, and optionally hour/day)."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self._calls: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def check(self, api_name: str) -> tuple[int, str] | None:
        """Count the call, or return (limit, window) if it would exceed a quota."""
        minute = self.config.quota_window_seconds
        limits = [
            (self.config.quota_for(api_name), minute, "minute"),
            (self.config.calls_per_hour, minute * 60, "hour"),
            (self.config.calls_per_day, minute * 60 * 24, "day"),
        ]
        now = time.monotonic()
        with self._lock:
            calls = self._calls[api_name]
            longest = max(span for limit, span, _ in limits if limit is not None) if any(
                limit is not None for limit, _, _ in limits) else 0.0
            while calls and now - calls[0] >= longest:
                calls.popleft()
            for limit, span, window in limits:
                if limit is None:
                    continue
                recent = sum(1 for t in calls if now - t < span)
                if recent >= limit:
                    return limit, window
            calls.append(now)
        return None


class FaultContext:
    """What data faults need to know about the market."""

    def __init__(self, universe: Universe) -> None:
        self.u = universe

    def closed_weekday_near(self, day: dt.date) -> dt.date:
        for distance in range(1, 400):
            for probe in (day - dt.timedelta(days=distance), day + dt.timedelta(days=distance)):
                if probe.weekday() < 5 and not is_open(probe):
                    return probe
        return day + dt.timedelta(days=1)

    def trades(self, ts_code: str, yyyymmdd: str) -> bool:
        i = self.u.code_position.get(ts_code)
        t = self.u.day_index(dt.datetime.strptime(yyyymmdd, "%Y%m%d").date())
        return i is not None and t is not None and bool(self.u.trading[i, t])

    def unknown_code(self) -> str:
        return choose_unknown_code(set(self.u.codes))


class Simulator:
    """The protocol without HTTP: one call in, one Reply out. Thread-safe."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.universe = Universe(config, config.resolved_as_of())
        self.data = SimData(self.universe)
        self.faults = FaultBook(config.seed)
        self.quota = Quota(config)
        self.fault_context = FaultContext(self.universe)
        self.fault_log: list[dict] = []
        self.call_log: list[dict] = []
        self._log_lock = threading.Lock()
        self.stopping = threading.Event()
        # A fault that adds or drops rows changes the query's whole result, as it would at
        # Tushare: later pages of the same query are cut from the changed result, so
        # offsets stay positions in one result and no clean row is skipped or repeated.
        self._resized: dict[str, pd.DataFrame] = {}

    # -- bookkeeping ----------------------------------------------------------------------
    def _record(self, entry: dict) -> None:
        with self._log_lock:
            self.call_log.append(entry)

    def _fault_applied(self, fault: Fault, api_name: str, params: dict, detail: dict) -> None:
        """Log a fault: kind, api, params, rows_affected, and the fault's own details
        (data faults list the keys of the rows they touched under "rows")."""
        self.faults.mark(fault)
        entry = {"kind": fault.kind, "api": api_name, "params": dict(params),
                 "rows_affected": _rows_affected(detail), **detail}
        with self._log_lock:
            self.fault_log.append(entry)

    @property
    def stats(self) -> dict[str, Any]:
        with self._log_lock:
            calls = collections.Counter(e["api"] for e in self.call_log)
            codes = collections.Counter(e["code"] for e in self.call_log)
            throttled = sum(1 for e in self.call_log if e.get("outcome") == "throttled")
            unentitled = sum(1 for e in self.call_log if e.get("outcome") == "unentitled")
            faults = collections.Counter(e["kind"] for e in self.fault_log)
        return {"calls": dict(calls), "total_calls": sum(calls.values()), "codes": dict(codes),
                "throttled": throttled, "unentitled": unentitled, "faults": dict(faults)}

    # -- the call -------------------------------------------------------------------------
    def handle(self, path_api: str, body: bytes) -> Reply:
        try:
            request = json.loads(body.decode("utf-8") or "{}")
            if not isinstance(request, dict):
                raise ValueError("request body is not a JSON object")
        except (ValueError, UnicodeDecodeError):
            self._record({"api": path_api, "params": {}, "code": CODE_UNKNOWN_API, "outcome": "bad_request"})
            return Reply.envelope(CODE_UNKNOWN_API, "请求格式错误：需要JSON对象")
        api_name = str(request.get("api_name") or path_api)
        params = dict(request.get("params") or {})
        params.pop("ts_type_name", None)  # the SDK sends its own URL here; not a parameter
        entry: dict[str, Any] = {"api": api_name, "params": params}

        def finish(code: int, outcome: str, reply: Reply, **extra) -> Reply:
            self._record({**entry, "code": code, "outcome": outcome, **extra})
            return reply

        if request.get("token") != self.config.token:
            return finish(CODE_BAD_TOKEN, "bad_token", Reply.envelope(CODE_BAD_TOKEN, MSG_BAD_TOKEN))
        if api_name not in REGISTRY:
            return finish(CODE_UNKNOWN_API, "unknown_api", Reply.envelope(CODE_UNKNOWN_API, MSG_UNKNOWN_API))
        if api_name in self.config.unentitled_apis:
            return finish(CODE_LIMITED, "unentitled", Reply.envelope(CODE_LIMITED, entitlement_message(api_name)))
        over = self.quota.check(api_name)
        if over is not None:
            return finish(CODE_LIMITED, "throttled", Reply.envelope(CODE_LIMITED, throttle_message(*over)))

        for fault in self.faults.pick("transport", api_name, params):
            reply = self._transport(fault, api_name)
            self._fault_applied(fault, api_name, params, {"rows_affected": 0})
            outcome = "throttled" if fault.kind == "throttle" else "fault"
            code = CODE_LIMITED if fault.kind == "throttle" else reply.status
            return finish(code, outcome, reply, fault=fault.kind)

        try:
            rows = HANDLERS[api_name](self.data, Params(api_name, params))
            return self._page(api_name, params, request.get("fields"), rows, finish)
        except ApiError as exc:
            return finish(exc.code, "error", Reply.envelope(exc.code, exc.msg))

    def _transport(self, fault: Fault, api_name: str) -> Reply:
        if fault.kind == "http_500":
            return Reply(500, b"Internal Server Error")
        if fault.kind == "http_502":
            return Reply(502, b"Bad Gateway")
        if fault.kind == "empty_body":
            return Reply(200, b"")
        if fault.kind == "malformed_json":
            return Reply(200, b'{"request_id": "x", "code": 0, "msg": "", "data": {"fields": ["ts_')
        if fault.kind == "throttle":
            limit = self.config.quota_for(api_name) or get_spec(api_name).calls_per_minute or DEFAULT_THROTTLE_LIMIT
            return Reply.envelope(CODE_LIMITED, throttle_message(limit, fault.window))
        # timeout: hang, then answer with an error nobody should be waiting for anymore.
        return Reply(504, b"Gateway Timeout", delay=fault.delay)

    def _page(self, api_name: str, params: dict, requested_fields: object, rows: pd.DataFrame, finish) -> Reply:
        spec = get_spec(api_name)
        query = _query_key(api_name, params)
        offset = _int_param(params.get("offset"), 0)
        # A fetch starts at offset 0; its later pages continue the result it began with.
        if offset == 0:
            self._resized.pop(query, None)
        else:
            rows = self._resized.get(query, rows)
        cap = self.config.page_limit(api_name, spec.page_limit)
        limit = _int_param(params.get("limit"), cap)
        size = max(0, min(limit, cap))
        page = rows.iloc[offset : offset + size].reset_index(drop=True)
        served = len(page)
        applied: list[str] = []
        schema_faults = self.faults.pick("schema", api_name, params)
        data_faults = self.faults.pick("data", api_name, params)
        for fault in data_faults + [f for f in schema_faults if f.kind == "duplicate_rows"]:
            result = (
                _duplicate_rows(page) if fault.kind == "duplicate_rows"
                else apply_data_fault(fault, api_name, page, self.fault_context)
            )
            if result is not None:
                page, detail = result
                self._fault_applied(fault, api_name, params, detail)
                applied.append(fault.kind)
        if len(page) != served:
            rows = pd.concat([rows.iloc[:offset], page, rows.iloc[offset + size :]], ignore_index=True)
            self._resized[query] = rows
        has_more = offset + len(page) < len(rows)
        # A handler's frame holds the fields it serves for this query (daily's ah_* only
        # from AFTER_HOURS_FROM on): the reply names no others.
        fields = [f for f in select_fields(api_name, requested_fields) if f in rows.columns]
        items = to_wire(page, fields, api_name)
        for fault in schema_faults:
            if fault.kind == "duplicate_rows":
                continue
            result = apply_schema_fault(fault, api_name, fields, items)
            if result is not None:
                fields, items, detail = result
                self._fault_applied(fault, api_name, params, detail)
                applied.append(fault.kind)
        reply = Reply.envelope(CODE_OK, "", {"fields": fields, "items": items, "has_more": has_more})
        return finish(CODE_OK, "ok", reply, rows=len(items), has_more=has_more, faults=applied)

    def forget_resized_results(self) -> None:
        self._resized.clear()


def _query_key(api_name: str, params: dict) -> str:
    """A query is its API and parameters, less the paging ones."""
    kept = {k: v for k, v in params.items() if k not in ("limit", "offset", "ts_type_name")}
    return api_name + json.dumps(kept, sort_keys=True, default=str)


def _duplicate_rows(page: pd.DataFrame, n: int = 3) -> tuple[pd.DataFrame, dict] | None:
    """Byte-identical repeats of the page's first rows, each right after its original."""
    if page.empty:
        return None
    n = min(n, len(page))
    order = [k for k in range(len(page)) for _ in range(2 if k < n else 1)]
    return page.iloc[order].reset_index(drop=True), {"rows": n, "rows_affected": n}


def _rows_affected(detail: dict) -> int:
    if "rows_affected" in detail:
        return int(detail["rows_affected"])
    rows = detail.get("rows", detail.get("rows_dropped", 0))
    return len(rows) if isinstance(rows, list) else int(rows)


def _int_param(value: object, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(-2001, f"参数limit/offset必须是整数: {value!r}") from None


class _Handler(BaseHTTPRequestHandler):
    server: "_HTTPServer"
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        api = self.path.rstrip("/").rsplit("/", 1)[-1]
        try:
            reply = self.server.simulator.handle(api, body)
        except ApiError as exc:
            reply = Reply.envelope(exc.code, exc.msg)
        except Exception:  # the simulator must answer, never drop the connection
            log.exception("simulator failed on %s", api)
            reply = Reply(500, b"simulator error")
        if reply.delay and self.server.simulator.stopping.wait(reply.delay):
            return
        self._send(reply)

    def do_GET(self) -> None:  # noqa: N802
        self._send(Reply(200, b'{"status": "ok", "service": "twilight tushare simulator"}'))

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout fault does this on purpose)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        """A client that hung up (timed out, or was killed) is not the server's error."""
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            log.debug("client %s disconnected", client_address)
            return
        super().handle_error(request, client_address)

    def __init__(self, address, simulator: Simulator) -> None:
        self.simulator = simulator
        super().__init__(address, _Handler)


class SimulatorServer:
    """A Tushare-compatible server in a daemon thread.

        with SimulatorServer(SimulatorConfig(n_stocks=50)) as sim:
            api = tushare.pro.client.DataApi(sim.token)
            api._DataApi__http_url = sim.url
    """

    def __init__(self, config: SimulatorConfig = SimulatorConfig(), host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config
        self.host, self.port = host, port
        self.simulator = Simulator(config)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> "SimulatorServer":
        if self._httpd is not None:
            return self
        self.simulator.stopping.clear()
        self._httpd = _HTTPServer((self.host, self.port), self.simulator)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"tushare-simulator:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self.simulator.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd, self._thread = None, None

    def __enter__(self) -> "SimulatorServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests and users look at -----------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def as_of(self) -> dt.date:
        return self.universe.as_of

    @property
    def universe(self) -> Universe:
        return self.simulator.universe

    @property
    def fault_log(self) -> list[dict]:
        return self.simulator.fault_log

    @property
    def call_log(self) -> list[dict]:
        return self.simulator.call_log

    @property
    def stats(self) -> dict[str, Any]:
        return self.simulator.stats

    def add_fault(self, kind: str, *, api_name: str | None = None, rate: float | None = None,
                  times: int | None = None, match: dict | None = None, delay: float = 5.0,
                  field: str | None = None, window: str = "minute") -> Fault:
        """Register a fault (see faults.py for the kinds). It stays until it has fired
        `times` times or clear_faults() is called."""
        if api_name is not None and api_name not in REGISTRY:
            raise ValueError(f"no API named {api_name!r}")
        fault = Fault(kind=kind, api_name=api_name, rate=rate, times=times, match=match,
                      delay=delay, field=field, window=window)
        return self.simulator.faults.add(fault)

    def clear_faults(self) -> None:
        self.simulator.faults.clear()
        self.simulator.forget_resized_results()

    def reset_logs(self) -> None:
        with self.simulator._log_lock:
            self.simulator.fault_log.clear()
            self.simulator.call_log.clear()


