"""Keeping the Tushare token out of everything a source hands over.

The token travels in request bodies only. `redact` masks it in a text (a message, an
error body); `scrub` removes it from a structure of pages or parameters before anyone
else sees them: keys that carry credentials go, the token's value is masked in every
string. A page's `items` pass through as they are: they are the data, and walking every
cell would cost more than the write that follows.
"""

from __future__ import annotations

from typing import Any

REDACTED = "<redacted>"
SECRET_KEYS = frozenset({"token", "ts_type_name"})
"""Keys never handed over: the token, and the SDK's endpoint echo that rides beside it."""


def redact(text: str, token: str) -> str:
    """`text` with every occurrence of `token` replaced; a no-op for an empty token."""
    if not token or not text:
        return text
    return text.replace(token, REDACTED)


def scrub(obj: Any, token: str) -> Any:
    """`obj` without any key in SECRET_KEYS (case-insensitive, at any depth), with
    `token` masked in every string, and every `items` value passed through untouched."""
    if isinstance(obj, dict):
        return {
            k: (v if k == "items" else scrub(v, token))
            for k, v in obj.items()
            if str(k).lower() not in SECRET_KEYS
        }
    if isinstance(obj, (list, tuple)):
        return [scrub(v, token) for v in obj]
    if isinstance(obj, str):
        return redact(obj, token)
    return obj
