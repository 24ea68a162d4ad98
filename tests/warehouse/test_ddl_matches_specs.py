"""The DDL and the registry cannot drift apart: every spec's table, as DuckDB reports it."""

from __future__ import annotations

import pytest

from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.schema import table_shapes

BOOKKEEPING = {"source": "VARCHAR", "ingested_at": "TIMESTAMP", "raw_id": "BIGINT"}


@pytest.fixture(scope="module")
def shapes(template_warehouse):
    import duckdb

    conn = duckdb.connect(str(template_warehouse), read_only=True)
    try:
        yield table_shapes(conn)
    finally:
        conn.close()


@pytest.mark.parametrize("api_name", list(REGISTRY))
def test_table_matches_spec(shapes, api_name):
    spec = REGISTRY[api_name]
    shape = shapes.get(spec.table)
    assert shape is not None, f"{spec.table} does not exist"
    got = [(c.name, c.data_type) for c in shape.columns]
    want = [(f.name, f.sql_type) for f in spec.fields] + list(BOOKKEEPING.items())
    assert got == want
    assert shape.primary_key == ()  # DuckLake has no keys: the writer keeps them unique
    not_null = {c.name for c in shape.columns if not c.nullable}
    assert not_null == set(spec.conflict_columns) | {"source", "ingested_at"}


@pytest.mark.parametrize("api_name", [a for a, s in REGISTRY.items() if s.keeps_revisions])
def test_revisions_table_matches_spec(shapes, api_name):
    spec = REGISTRY[api_name]
    shape = shapes[spec.revisions_table]
    got = [(c.name, c.data_type) for c in shape.columns]
    want = [(f.name, f.sql_type) for f in spec.fields] + [
        ("source", "VARCHAR"), ("row_hash", "VARCHAR"), ("raw_id", "BIGINT"), ("first_seen_at", "TIMESTAMP")]
    assert got == want


def test_no_normalized_table_lacks_a_spec(shapes):
    normalized = {t for t in shapes if t.startswith("normalized_")}
    assert normalized == {s.table for s in REGISTRY.values()}
    revisions = {t for t in shapes if t.startswith("revisions_")}
    assert revisions == {s.revisions_table for s in REGISTRY.values() if s.revisions_table}
