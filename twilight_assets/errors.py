"""Typed errors. Every message names the dataset, the partition and, where there is one,
the field, so a failed run says what broke without a debugger."""

from __future__ import annotations


class TwilightError(Exception):
    """Base of every error this project raises on purpose."""


class SourceError(TwilightError):
    """Tushare (or the simulator) did not give a usable answer."""

    def __init__(
        self,
        message: str,
        *,
        api_name: str | None = None,
        partition_key: str | None = None,
        code: int | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                f"dataset {api_name}" if api_name else "",
                f"partition {partition_key}" if partition_key else "",
                f"code {code}" if code is not None else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.api_name = api_name
        self.partition_key = partition_key
        self.code = code


class BadTokenError(SourceError):
    """40101: the token is missing or wrong. Retrying cannot help."""


class EntitlementError(SourceError):
    """The account is not entitled to this API (40203/-2002 permission messages)."""


class ThrottledError(SourceError):
    """A per-minute/hour/day quota was hit and retries ran out."""


class TransientSourceError(SourceError):
    """5xx, timeouts, empty bodies, malformed JSON: retried, then this."""


class SchemaMismatchError(SourceError):
    """The response's fields differ from what the spec documents."""


class MissingFieldError(SchemaMismatchError):
    """The response lacks a field the spec requires (key, partition or essential)."""

    def __init__(
        self,
        message: str,
        *,
        fields: tuple[str, ...],
        api_name: str | None = None,
        partition_key: str | None = None,
    ) -> None:
        super().__init__(message, api_name=api_name, partition_key=partition_key)
        self.fields = fields


class DataValidationError(SourceError):
    """A value is null where a key needs one, or cannot be coerced to its type."""


class SourceConfigError(TwilightError):
    """The environment does not say, or says two contradicting things about, which source
    to fetch from (TUSHARE_TOKEN, TWILIGHT_SOURCE, TUSHARE_HTTP_URL)."""


class WarehouseError(TwilightError):
    """The warehouse refused a write or a read."""


class NoSnapshotError(WarehouseError):
    """No snapshot has been published yet (or the named one does not exist)."""
