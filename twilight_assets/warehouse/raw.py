"""What one partition write records about the response it came from.

The pages themselves are already in the raw archive when the writer sees this (the
fetching thread put them there, see warehouse/archive.py); the writer records where,
with what was asked and what came back, in `raw_responses`, in the partition's
transaction. The client hands over parameters already free of the token, so nothing
here needs to know it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from twilight_assets.warehouse.archive import ArchiveRef
from twilight_assets.warehouse.values import naive_utc, statement, to_json


@dataclass(frozen=True)
class RawResponse:
    api_name: str
    partition_key: str | None
    source: str  # "tushare" or "simulator"; goes to normalized.source
    request_params: list[dict]  # one per call, token-free
    fields: list[str]  # every field the source sent
    row_count: int  # rows received, duplicates included
    pages: int  # calls that returned a page
    fetched_at: dt.datetime
    archive: ArchiveRef | None  # None: nothing was fetched (a market-closed day)
    absent_fields: tuple[str, ...] = field(default=())
    """Documented fields the source did not serve (NULL in the rows)."""


@dataclass(frozen=True)
class StoredResponse:
    """A raw_responses row read back, for re-normalizing a partition (rebuild)."""

    raw_id: int
    written_at: dt.datetime
    response: RawResponse


def insert(
    conn: duckdb.DuckDBPyConnection,
    raw: RawResponse,
    *,
    raw_id: int,
    partition: str,
    progress_key: str,
    written_at: dt.datetime,
    revision_conflicts: list[dict] | None,
) -> None:
    ref = raw.archive
    conn.execute(
        statement("raw_insert"),
        {
            "raw_id": raw_id, "api_name": raw.api_name, "partition_key": partition,
            "progress_key": progress_key, "source": raw.source,
            "request_params": to_json(raw.request_params), "fields": list(raw.fields),
            "absent_fields": list(raw.absent_fields), "row_count": int(raw.row_count),
            "pages": int(raw.pages), "fetched_at": naive_utc(raw.fetched_at),
            "written_at": written_at,
            "archive_path": ref.path if ref else None,
            "archive_bytes": ref.bytes if ref else None,
            "archive_sha256": ref.sha256 if ref else None,
            "revision_conflicts": to_json(revision_conflicts) if revision_conflicts else None,
        },
    ).fetchall()


_STORED_COLUMNS = (
    "raw_id, api_name, partition_key, source, request_params, fields, absent_fields, row_count, "
    "pages, fetched_at, written_at, archive_path, archive_bytes, archive_sha256"
)


def stored(conn: duckdb.DuckDBPyConnection, where: str, params: list) -> list[StoredResponse]:
    """raw_responses rows matching `where`, oldest first."""
    import json

    rows = conn.execute(
        f"SELECT {_STORED_COLUMNS} FROM raw_responses WHERE {where} ORDER BY raw_id", params
    ).fetchall()
    out = []
    for (raw_id, api, partition, source, request_params, fields, absent, row_count, pages,
         fetched_at, written_at, path, size, sha) in rows:
        ref = ArchiveRef(path=path, bytes=int(size), sha256=sha) if path else None
        response = RawResponse(
            api_name=api, partition_key=partition, source=source,
            request_params=json.loads(request_params) if request_params else [],
            fields=list(fields or []), row_count=int(row_count), pages=int(pages),
            fetched_at=fetched_at, archive=ref, absent_fields=tuple(absent or ()),
        )
        out.append(StoredResponse(raw_id=int(raw_id), written_at=written_at, response=response))
    return out


def referenced_archive_paths(target) -> set[str]:
    """Every archive file some raw_responses row names (`target` has `.query`)."""
    return set(target.query(
        "SELECT DISTINCT archive_path FROM raw_responses WHERE archive_path IS NOT NULL"
    )["archive_path"])
