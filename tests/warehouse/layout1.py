"""Build a warehouse in the previous layout, as the code before the raw archive wrote it.

The DDL in tests/warehouse/layout1/ is that code's sql/ verbatim (payloads inside
raw_responses, a primary key on every table, raw_id from a sequence, the ledger and
freshness as tables of updated rows), and `Layout1Writer` writes partitions the way its
writer did: the response's pages as JSON in the raw row, an upsert of the rows, the
ledger row and the freshness row updated by key, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd

from twilight_assets.specs import DatasetSpec
from twilight_assets.warehouse.ledger import canonical_partition

from tests.warehouse.conftest import wire_items

DDL = Path(__file__).with_name("layout1")


class Layout1Writer:
    def __init__(self, path: Path) -> None:
        self.conn = duckdb.connect(str(path))
        for f in sorted(DDL.glob("*.sql")):
            text = f.read_text("utf-8")
            self.conn.execute(text).fetchall()
            self.conn.execute(
                "INSERT INTO schema_version VALUES (?, ?, 'schema', now()) ON CONFLICT DO NOTHING",
                [f.name, hashlib.sha256(text.encode()).hexdigest()],
            ).fetchall()
        self.clock = dt.datetime(2024, 6, 1, 10, 0)

    def close(self) -> None:
        self.conn.close()

    def _now(self) -> dt.datetime:
        self.clock += dt.timedelta(seconds=1)
        return self.clock

    def write(self, spec: DatasetSpec, key: str | None, frame: pd.DataFrame, *,
              status: str = "done", source: str = "simulator") -> int:
        partition = canonical_partition(spec.api_name, key)
        pages = ([] if status == "market_closed"
                 else [{"params": {"p": partition}, "fields": list(spec.field_names), "items": wire_items(frame)}])
        now = self._now()
        c = self.conn
        c.begin()
        raw_id = c.execute(
            "INSERT INTO raw_responses (api_name, partition_key, progress_key, source, request_params, "
            "fields, row_count, pages, fetched_at, written_at, payload) VALUES (?, ?, ?, ?, CAST(? AS JSON), "
            "?, ?, ?, ?, ?, CAST(? AS JSON)) RETURNING raw_id",
            [spec.api_name, partition, f"{spec.api_name}:{partition}", source,
             json.dumps([p["params"] for p in pages]), list(spec.field_names), len(frame), len(pages),
             now, now, json.dumps(pages)],
        ).fetchall()[0][0]
        if len(frame):
            c.register("batch", frame)
            cols = ", ".join(f'"{f.name}"' for f in spec.fields)
            casts = ", ".join(f'CAST(b."{f.name}" AS {f.sql_type})' for f in spec.fields)
            keys = ", ".join(f'"{k}"' for k in spec.conflict_columns)
            updates = ", ".join(f'"{f.name}" = excluded."{f.name}"' for f in spec.fields
                                if f.name not in spec.conflict_columns)
            c.execute(
                f"INSERT INTO {spec.table} ({cols}, source, ingested_at, raw_id) "
                f"SELECT {casts}, ?, ?, ? FROM batch AS b "
                f"ON CONFLICT ({keys}) DO UPDATE SET {updates}, ingested_at = excluded.ingested_at, "
                "raw_id = excluded.raw_id",
                [source, now, raw_id],
            ).fetchall()
            c.unregister("batch")
        c.execute(
            "INSERT INTO ingest_progress VALUES (?, ?, ?, ?, 1, ?, 0, ?, NULL, ?) ON CONFLICT (progress_key) "
            "DO UPDATE SET status = excluded.status, attempts = ingest_progress.attempts + 1, "
            "rows = excluded.rows, raw_id = excluded.raw_id, last_error = NULL, updated_at = excluded.updated_at",
            [f"{spec.api_name}:{partition}", spec.api_name, partition, status, len(frame), raw_id, now],
        ).fetchall()
        c.execute(
            "INSERT INTO source_freshness VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (api_name) DO UPDATE SET "
            "latest_partition = greatest(source_freshness.latest_partition, excluded.latest_partition), "
            "last_partition = excluded.last_partition, last_success_at = excluded.last_success_at, "
            "rows = excluded.rows",
            [spec.api_name, source, partition, partition, now, len(frame)],
        ).fetchall()
        c.commit()
        return raw_id

    def fail(self, spec: DatasetSpec, key: str | None, error: str) -> None:
        partition = canonical_partition(spec.api_name, key)
        self.conn.execute(
            "INSERT INTO ingest_progress (progress_key, api_name, partition_key, status, attempts, "
            "last_error, updated_at) VALUES (?, ?, ?, 'failed', 1, ?, ?) ON CONFLICT (progress_key) DO UPDATE "
            "SET status = 'failed', attempts = ingest_progress.attempts + 1, last_error = excluded.last_error, "
            "updated_at = excluded.updated_at",
            [f"{spec.api_name}:{partition}", spec.api_name, partition, error, self._now()],
        ).fetchall()
