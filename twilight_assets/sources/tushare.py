"""The production Tushare Pro client: one partition of one dataset in, a typed frame out.

Built on the `tushare` SDK's `DataApi` (same wire protocol: POST `{url}/{api_name}` with
JSON `{api_name, token, params, fields}`), but the SDK loses what a pipeline needs to
decide what to do next: it turns any HTTP failure into an empty DataFrame (a failure
that looks like "no rows") and raises a bare `Exception(msg)` without Tushare's code. So
`TushareHttpApi` overrides `query` to keep the HTTP status and the code, and
`TushareSource` turns them into typed errors, retries what is worth retrying, pages
through the per-call row cap and paces itself with a shared `RateLimiter`.

The token lives only in the request body. Every message that could carry it (ours,
Tushare's, requests') goes through `redact` first, and the pages and parameters a
`FetchResult` hands over are scrubbed of it (`sources.redact`).
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterator, Sequence

import pandas as pd
import requests
from tushare.pro.client import DataApi

from twilight_assets import config
from twilight_assets.errors import (
    BadTokenError,
    EntitlementError,
    SourceError,
    ThrottledError,
    TransientSourceError,
)
from twilight_assets.sources.normalize import normalize
from twilight_assets.sources.ratelimit import RateLimiter
from twilight_assets.sources.redact import REDACTED, redact, scrub
from twilight_assets.specs import DatasetSpec

__all__ = [
    "DEFAULT_HTTP_URL",
    "FetchResult",
    "RateLimiter",
    "Reply",
    "TushareHttpApi",
    "TushareSource",
    "REDACTED",
    "redact",
]

log = logging.getLogger("twilight_assets.sources")

DEFAULT_HTTP_URL: str = DataApi._DataApi__http_url  # the SDK's own endpoint
CODE_BAD_TOKEN = 40101
CODE_QUOTA_OR_PERMISSION = 40203
CODE_NO_PERMISSION = -2002
_EXCERPT = 200

# 40203 is both "quota reached" and "not entitled"; only the message tells them apart.
# The quota message names its window: 抱歉，您每分钟最多访问该接口200次 (also 每小时, 每天).
_QUOTA = re.compile(r"每(分钟|小时|天|日)\s*最多|per\s+(minute|hour|day)", re.IGNORECASE)
_LONG_WINDOW = re.compile(r"每(小时|天|日)|per\s+(hour|day)", re.IGNORECASE)
_PERMISSION = re.compile(r"权限|积分|permission|entitle", re.IGNORECASE)


@dataclass(frozen=True)
class Reply:
    """One HTTP exchange that produced a well-formed Tushare answer (any code)."""

    code: int
    msg: str
    fields: list[str]
    items: list[list[Any]]
    has_more: bool | None


class TushareHttpApi(DataApi):
    """The SDK's `DataApi` with failures kept: HTTP status, Tushare code, the cause.

    `post` returns a `Reply` or raises `TransientSourceError` (5xx, timeout, connection
    error, empty body, malformed JSON) or `SourceError` (another HTTP status). `query`
    keeps the SDK's signature and DataFrame result for code written against `pro_api`,
    but raises typed errors where the SDK returns an empty frame. One `requests.Session`
    per thread, so one instance serves a pool of workers.
    """

    def __init__(self, token: str, http_url: str | None = None, timeout: float = 30) -> None:
        super().__init__(token=token, timeout=timeout)
        # DataApi keeps the endpoint in a name-mangled class attribute; overriding it per
        # instance keeps the SDK's own default unless told otherwise.
        self._DataApi__http_url = (http_url or DEFAULT_HTTP_URL).rstrip("/")
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    @property
    def http_url(self) -> str:
        return self._DataApi__http_url

    @property
    def timeout(self) -> float:
        return self._DataApi__timeout

    def redact(self, text: str) -> str:
        return redact(text, self._DataApi__token)

    def post(self, api_name: str, params: dict[str, Any], fields: Sequence[str]) -> Reply:
        body = {
            "api_name": api_name,
            "token": self._DataApi__token,
            # The SDK sends its endpoint as ts_type_name with every call; so do we.
            "params": {"ts_type_name": self.http_url, **params},
            "fields": ",".join(fields),
        }
        try:
            response = self._session().post(
                f"{self.http_url}/{api_name}", json=body, timeout=self.timeout
            )
            text = response.text
        except requests.RequestException as exc:
            raise _wire_error(
                TransientSourceError, self.redact(f"{type(exc).__name__}: {exc}"), api_name
            ) from None
        return self._parse(api_name, response.status_code, text)

    def query(self, api_name: str, fields: str | Sequence[str] = "", **kwargs: Any) -> pd.DataFrame:
        names = fields.split(",") if isinstance(fields, str) else list(fields)
        reply = self.post(api_name, kwargs, [n.strip() for n in names if n.strip()])
        error = classify(reply, api_name=api_name, redact_with=self.redact)
        if error is not None:
            raise error
        return pd.DataFrame(reply.items, columns=reply.fields)

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _parse(self, api_name: str, status: int, text: str) -> Reply:
        def fail(kind: type[SourceError], what: str) -> SourceError:
            excerpt = text[:_EXCERPT] + ("..." if len(text) > _EXCERPT else "")
            return _wire_error(kind, self.redact(f"{what}: {excerpt!r}"), api_name)

        if status >= 500 or status == 429:
            raise fail(TransientSourceError, f"HTTP {status}")
        if status != 200:
            raise fail(SourceError, f"HTTP {status}")
        if not text.strip():
            raise _wire_error(TransientSourceError, "HTTP 200 with an empty body", api_name)
        try:
            payload = json.loads(text)
        except ValueError as exc:
            raise fail(TransientSourceError, f"malformed JSON ({exc})") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("code"), int):
            raise fail(TransientSourceError, "malformed reply (no integer code)")
        code, msg = payload["code"], str(payload.get("msg") or "")
        if code != 0:
            return Reply(code=code, msg=msg, fields=[], items=[], has_more=None)
        data = payload.get("data")
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("fields"), list)
            or not isinstance(data.get("items"), list)
        ):
            raise fail(TransientSourceError, "malformed reply (data without fields/items)")
        has_more = data.get("has_more")
        return Reply(
            code=0,
            msg=msg,
            fields=[str(f) for f in data["fields"]],
            items=data["items"],
            has_more=has_more if isinstance(has_more, bool) else None,
        )

    def __getattr__(self, name: str):
        # DataApi turns every unknown attribute into an API call; copy/pickle probing
        # for dunders must not become HTTP requests.
        if name.startswith("__") or name.startswith("_DataApi"):
            raise AttributeError(name)
        return super().__getattr__(name)

    def __repr__(self) -> str:
        return f"TushareHttpApi(http_url={self.http_url!r})"


def _wire_error(kind: type[SourceError], reason: str, api_name: str) -> SourceError:
    error = kind(reason, api_name=api_name)
    error.reason = reason  # the cause without the context prefix, for retry messages
    return error


def classify(
    reply: Reply,
    *,
    api_name: str,
    partition_key: str | None = None,
    redact_with: Callable[[str], str] = lambda text: text,
) -> SourceError | None:
    """The typed error for a non-zero code, or None for success.

    Throttling comes back as a `ThrottledError`; the caller decides whether to wait.
    """
    if reply.code == 0:
        return None
    msg = redact_with(reply.msg)
    where = {"api_name": api_name, "partition_key": partition_key, "code": reply.code}
    if reply.code == CODE_BAD_TOKEN:
        return BadTokenError(f"Tushare rejected the token (check TUSHARE_TOKEN): {msg}", **where)
    if reply.code in (CODE_QUOTA_OR_PERMISSION, CODE_NO_PERMISSION):
        if _QUOTA.search(reply.msg):
            return ThrottledError(f"quota reached: {msg}", **where)
        if _PERMISSION.search(reply.msg):
            return EntitlementError(
                f"the account is not entitled to the {api_name} API: {msg}", **where
            )
    return SourceError(f"Tushare answered an error: {msg}", **where)


@dataclass(frozen=True)
class FetchResult:
    """One partition of one dataset, typed, with what happened on the way."""

    api_name: str
    partition_key: str | None
    frame: pd.DataFrame
    """Exactly spec.field_names, typed (see sources.normalize)."""
    source: str
    """"tushare" or "simulator": where the rows came from."""
    request_params: list[dict]
    """The parameters of each page requested (limit/offset included), token-free."""
    fields: list[str]
    """Every field the source returned (union over pages)."""
    pages: list[dict]
    """Raw pages as received, token-free: {"params", "fields", "items"}."""
    extra_fields: list[str]
    """Undocumented fields the source sent: kept in `pages`, not in `frame`."""
    calls: int
    """HTTP requests sent, retries and throttled attempts included."""
    pages_fetched: int
    throttle_waits: int
    throttle_wait_s: float
    retries: int
    duration_s: float
    rate_limit_wait_s: float = 0.0
    """Time spent pacing under the client-side quota (not the source's throttling)."""
    absent_fields: list[str] = field(default_factory=list)
    """Documented, optional fields the source did not serve: NULL in `frame`."""

    @property
    def row_count(self) -> int:
        return len(self.frame)


@dataclass
class _Stats:
    calls: int = 0
    pages: int = 0
    throttle_waits: int = 0
    throttle_wait_s: float = 0.0
    retries: int = 0
    rate_limit_wait_s: float = 0.0


class TushareSource:
    """Fetches dataset partitions from Tushare Pro (or anything speaking its protocol).

    Safe to share between threads: HTTP sessions are per thread and the rate limiter
    is shared. Waits (throttling, backoff) sleep in the calling thread only.
    """

    def __init__(
        self,
        token: str,
        http_url: str | None = None,
        *,
        source_name: str = "tushare",
        rate_limiter: RateLimiter | None = None,
        timeout_s: float = 30,
        max_retries: int = 5,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30,
        throttle_wait_s: float = 60,
        max_throttle_waits: int = 5,
        throttle_first_wait_s: float = 4,
        today: Callable[[], date] | None = None,
    ) -> None:
        if not token:
            raise BadTokenError("no Tushare token given (set TUSHARE_TOKEN)")
        self._token = token
        self._api = TushareHttpApi(token, http_url or config.tushare_http_url(), timeout=timeout_s)
        self.source_name = source_name
        self.rate_limiter = rate_limiter if rate_limiter is not None else RateLimiter.from_registry()
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.throttle_wait_s = throttle_wait_s
        self.max_throttle_waits = max_throttle_waits
        self.throttle_first_wait_s = throttle_first_wait_s
        self._today = today or date.today
        self._random = random.Random()

    @classmethod
    def from_env(cls, **kwargs: Any) -> TushareSource:
        """The source the environment chooses (TUSHARE_TOKEN, TWILIGHT_SOURCE,
        TUSHARE_HTTP_URL; see `config.source_settings`), labelled as it says."""
        settings = config.source_settings(token=os.environ.get(config.TOKEN_VARIABLE))
        return cls(settings.token, settings.http_url, source_name=settings.name, **kwargs)

    @property
    def http_url(self) -> str:
        return self._api.http_url

    def fetch(self, spec: DatasetSpec, partition_key: str | None) -> FetchResult:
        """Every page of every request variant of one partition, as a typed frame."""
        started = time.monotonic()
        stats = _Stats()
        pages: list[dict] = []
        with self._redacting():
            for params in spec.request_params(partition_key, today=self._today()):
                pages += self._fetch_variant(spec, partition_key, params, stats)
            pages = scrub(pages, self._token)
            normalized = normalize(spec, partition_key, pages)
        if normalized.extra_fields:
            log.warning(
                "%s %s: source sent undocumented field(s) %s: kept in the raw pages, "
                "not in the frame", spec.api_name, partition_key,
                ", ".join(normalized.extra_fields),
            )
        if normalized.absent_fields:
            log.info(
                "%s %s: source did not serve documented field(s) %s: NULL in the frame",
                spec.api_name, partition_key, ", ".join(normalized.absent_fields),
            )
        result = FetchResult(
            api_name=spec.api_name,
            partition_key=partition_key,
            frame=normalized.frame,
            source=self.source_name,
            request_params=[dict(page["params"]) for page in pages],
            fields=normalized.fields,
            pages=pages,
            extra_fields=normalized.extra_fields,
            calls=stats.calls,
            pages_fetched=stats.pages,
            throttle_waits=stats.throttle_waits,
            throttle_wait_s=stats.throttle_wait_s,
            retries=stats.retries,
            duration_s=time.monotonic() - started,
            rate_limit_wait_s=stats.rate_limit_wait_s,
            absent_fields=normalized.absent_fields,
        )
        log.info(
            "fetched %s %s from %s: %d rows, %d pages, %d calls, %d retries, "
            "%d throttle waits (%.1fs)", spec.api_name, partition_key, self.source_name,
            result.row_count, result.pages_fetched, result.calls, result.retries,
            result.throttle_waits, result.throttle_wait_s,
        )
        return result

    def call(self, api_name: str, params: dict, fields: Sequence[str]) -> tuple[list[str], list[list]]:
        """One page, raw, with the same pacing, retries and typed errors as `fetch`."""
        with self._redacting():
            reply = self._call(api_name, dict(params), fields, _Stats(), partition_key=None)
        return reply.fields, reply.items

    def close(self) -> None:
        self._api.close()

    def __enter__(self) -> TushareSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"TushareSource(source_name={self.source_name!r}, http_url={self.http_url!r})"

    def _fetch_variant(
        self, spec: DatasetSpec, partition_key: str | None, params: dict, stats: _Stats
    ) -> list[dict]:
        """Page with limit/offset until a short page (a full one may have more behind it)."""
        pages: list[dict] = []
        offset = 0
        previous: list | None = None
        while True:
            page_params = {**params, "limit": spec.page_limit, "offset": offset}
            reply = self._call(spec.api_name, page_params, spec.field_names, stats, partition_key)
            if previous is not None and reply.items and reply.items == previous:
                raise SourceError(
                    f"offset {offset} returned the same rows as the page before: the "
                    "source ignores offset, so paging would never end",
                    api_name=spec.api_name, partition_key=partition_key,
                )
            pages.append({"params": page_params, "fields": reply.fields, "items": reply.items})
            count = len(reply.items)
            # has_more=True also covers a server whose cap is below our page_limit.
            if count == 0 or not (reply.has_more or count >= spec.page_limit):
                return pages
            offset += count
            previous = reply.items

    def _call(
        self,
        api_name: str,
        params: dict,
        fields: Sequence[str],
        stats: _Stats,
        partition_key: str | None,
    ) -> Reply:
        failures = 0
        throttles = 0
        while True:
            paced = self.rate_limiter.acquire(api_name)
            if paced > 0:
                stats.rate_limit_wait_s += paced
                log.debug("%s %s: paced %.2fs by the client-side quota", api_name, partition_key, paced)
            stats.calls += 1
            started = time.monotonic()
            try:
                reply = self._api.post(api_name, params, fields)
            except TransientSourceError as exc:
                failures += 1
                cause = self._api.redact(getattr(exc, "reason", str(exc)))
                if failures > self.max_retries:
                    raise TransientSourceError(
                        f"gave up after {failures} attempts; last failure: {cause}",
                        api_name=api_name, partition_key=partition_key,
                    ) from None
                delay = self._backoff(failures)
                stats.retries += 1
                log.warning(
                    "%s %s params=%s: %s; retry %d/%d in %.2fs", api_name, partition_key,
                    params, cause, failures, self.max_retries, delay,
                )
                time.sleep(delay)
                continue
            error = classify(
                reply, api_name=api_name, partition_key=partition_key,
                redact_with=self._api.redact,
            )
            if error is None:
                stats.pages += 1
                log.debug(
                    "%s %s params=%s: %d rows in %.3fs", api_name, partition_key, params,
                    len(reply.items), time.monotonic() - started,
                )
                return reply
            if not isinstance(error, ThrottledError):
                raise error
            throttles += 1
            if _LONG_WINDOW.search(reply.msg):
                # An hourly or daily quota will not free up within any wait worth making.
                raise ThrottledError(
                    f"the hourly or daily quota is spent; try again later: {self._api.redact(reply.msg)}",
                    api_name=api_name, partition_key=partition_key, code=reply.code,
                )
            if throttles > self.max_throttle_waits:
                raise ThrottledError(
                    f"still throttled after {self.max_throttle_waits} waits of up to "
                    f"{self.throttle_wait_s}s: {self._api.redact(reply.msg)}",
                    api_name=api_name, partition_key=partition_key, code=reply.code,
                )
            wait = self._throttle_wait(throttles)
            stats.throttle_waits += 1
            stats.throttle_wait_s += wait
            log.warning(
                "%s %s throttled (code %d: %s); waiting %.1fs (%d/%d)", api_name,
                partition_key, reply.code, self._api.redact(reply.msg), wait,
                throttles, self.max_throttle_waits,
            )
            self.rate_limiter.hold(api_name, wait)
            time.sleep(wait)

    def _throttle_wait(self, throttles: int) -> float:
        """A per-minute quota frees up within seconds of a refusal when we pace ourselves,
        so waits start short and double up to throttle_wait_s."""
        return min(self.throttle_wait_s, self.throttle_first_wait_s * 2 ** (throttles - 1))

    def _backoff(self, failures: int) -> float:
        """Exponential in the failure count, capped, with jitter so workers spread out."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (failures - 1))
        return ceiling * (0.5 + 0.5 * self._random.random())

    @contextmanager
    def _redacting(self) -> Iterator[None]:
        """Scrub the token from any exception leaving the client, whatever raised it."""
        try:
            yield
        except Exception as exc:
            exc.args = tuple(
                redact(arg, self._token) if isinstance(arg, str) else arg for arg in exc.args
            )
            raise
