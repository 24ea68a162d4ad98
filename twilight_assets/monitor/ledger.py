"""The ingest ledger (ingest_progress): partitions that failed, and per dataset what its
writes resolved on the way in: duplicate keys dropped, documented fields absent."""

from __future__ import annotations

from typing import Any

from twilight_assets.monitor.reading import records, sql
from twilight_assets.monitor.status import ERROR
from twilight_assets.warehouse.reader import WarehouseReader

MAX_INGEST_FAILURES = 50


def ingest_failures(reader: WarehouseReader) -> list[dict[str, Any]]:
    rows = records(reader, sql("ingest_failures.sql"), [MAX_INGEST_FAILURES])
    for row in rows:
        row["status"] = ERROR
    return rows


def _records_absent_fields(reader: WarehouseReader) -> bool:
    """Snapshots of warehouses from before the ledger kept absent fields lack the column."""
    found = reader.query(
        "SELECT count(*) AS n FROM information_schema.columns "
        "WHERE table_name = 'ingest_progress' AND column_name = 'absent_fields'"
    )
    return bool(found["n"].iloc[0])


def ledger_summary(reader: WarehouseReader) -> list[dict[str, Any]]:
    """Per dataset with ledger rows: partitions done / market_closed / failed, duplicates
    dropped, and {field: partitions} for each documented field its latest successful
    writes lacked (None where the ledger does not record absent fields)."""
    absent: dict[str, dict[str, int]] | None = None
    if _records_absent_fields(reader):
        absent = {}
        for r in records(reader, sql("absent_fields.sql")):
            absent.setdefault(r["api_name"], {})[r["field"]] = int(r["partitions"])
    out = []
    for r in records(reader, sql("ledger_summary.sql")):
        out.append({
            "dataset": r["api_name"], "done": int(r["done"]), "market_closed": int(r["market_closed"]),
            "failed": int(r["failed"]), "duplicates_dropped": int(r["duplicates_dropped"]),
            "absent_fields": None if absent is None else absent.get(r["api_name"], {}),
        })
    return out
