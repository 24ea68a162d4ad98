"""The SQL of a partition write, built from the spec (every identifier quoted, every value
bound). Static statements live in warehouse/sql/; these depend on a spec's columns.

A partition mirrors what the source serves now, so a write replaces the partition: the
rows of that partition and source are deleted and the batch inserted, one row per key,
in one transaction. That is also the natural write for a table without keys (DuckLake
has none), and on a first load, when the partition has no rows, it is a plain INSERT.
In-batch duplicate keys are resolved here rather than left to chance: byte-identical rows
collapse; otherwise the first by the spec's rule wins and ties go to the row received
last. Financial datasets also append each version not seen before to revisions_<api>.
"""

from __future__ import annotations

from typing import Any

from twilight_assets.specs import DatasetSpec, Grain
from twilight_assets.warehouse.batch import RECEIVED
from twilight_assets.warehouse.values import BOOKKEEPING, quote

REVISION_FLAG = "update_flag"


def _casts(spec: DatasetSpec) -> dict[str, str]:
    return {f.name: f"CAST(b.{quote(f.name)} AS {f.sql_type})" for f in spec.fields}


def insert_sql(spec: DatasetSpec, view: str, *, dedupe: bool) -> str:
    """INSERT the batch into spec.table, one row per key when `dedupe`.

    Binds three parameters: source, ingested_at, raw_id. `dedupe=False` is for a batch
    known to hold each key once (the resolving window costs a sort of the batch)."""
    casts = _casts(spec)
    target = [f.name for f in spec.fields] + [name for name, _ in BOOKKEEPING]
    select = [casts[f.name] for f in spec.fields] + [f"CAST(? AS {t})" for _, t in BOOKKEEPING]
    resolve = ""
    if dedupe:
        keys = [casts[c] for c in spec.key_fields]
        order = [
            f"{casts[c]} {'DESC' if desc else 'ASC'} NULLS LAST"
            for c, desc in spec.dedupe.prefer if c in casts
        ]
        order.append(f"b.{quote(RECEIVED)} DESC")
        resolve = (f" QUALIFY row_number() OVER (PARTITION BY {', '.join(keys)} "
                   f"ORDER BY {', '.join(order)}) = 1")
    return (
        f"INSERT INTO {quote(spec.table)} ({', '.join(quote(c) for c in target)}) "
        f"SELECT {', '.join(select)} FROM {quote(view)} AS b{resolve}"
    )


def partition_predicate(spec: DatasetSpec, partition: str, alias: str = "t") -> tuple[str, list[Any]]:
    """SQL selecting one partition's rows of a table (aliased `alias`), and its values."""
    column = spec.partition_column
    if spec.grain is Grain.ONCE or column is None:
        return "TRUE", []
    col = f"{alias}.{quote(column)}"
    if spec.grain is Grain.PER_DATE_YEAR:
        return f"{col} BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)", [f"{partition}-01-01", f"{partition}-12-31"]
    if spec.grain is Grain.PER_DATE:
        return f"{col} = CAST(? AS DATE)", [partition]
    return f"{col} = ?", [partition]


def census_sql(spec: DatasetSpec, view: str, partition: str, source: str) -> tuple[str, list[Any]]:
    """(rows the partition holds for this source, how many of them have a key the batch
    no longer has): what the write will replace, and what it will remove."""
    where, params = partition_predicate(spec, partition)
    casts = _casts(spec)
    same_key = " AND ".join(f"{casts[k]} = t.{quote(k)}" for k in spec.key_fields)
    return (
        f"SELECT count(*), count(*) FILTER (WHERE NOT EXISTS "
        f"(SELECT 1 FROM {quote(view)} AS b WHERE {same_key})) "
        f"FROM {quote(spec.table)} AS t WHERE t.source = ? AND {where}",
        [source, *params],
    )


def delete_sql(spec: DatasetSpec, partition: str, source: str) -> tuple[str, list[Any]]:
    where, params = partition_predicate(spec, partition)
    return f"DELETE FROM {quote(spec.table)} AS t WHERE t.source = ? AND {where}", [source, *params]


def row_hash(spec: DatasetSpec) -> str:
    """md5 of a batch row's typed values: equal for two servings of the same version."""
    casts = _casts(spec)
    members = ", ".join(f"{quote(f.name)} := {casts[f.name]}" for f in spec.fields)
    return f"md5(CAST(to_json(struct_pack({members})) AS VARCHAR))"


def revisions_insert_sql(
    spec: DatasetSpec, view: str, partition: str, source: str, raw_id: int, seen_at: Any
) -> tuple[str, list[Any]]:
    """Append every version in the batch that revisions_<api> does not hold yet, in the
    order received; a version is its row_hash, whatever response served it."""
    table = spec.revisions_table
    assert table is not None, f"{spec.api_name} keeps no revisions"
    casts = _casts(spec)
    fields = [f.name for f in spec.fields]
    target = fields + ["source", "row_hash", "raw_id", "first_seen_at"]
    where, params = partition_predicate(spec, partition, alias="r")
    typed = ", ".join(f"{casts[n]} AS {quote(n)}" for n in fields)
    return (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in target)}) "
        f"SELECT {', '.join(f'v.{quote(n)}' for n in fields)}, CAST(? AS VARCHAR), v.row_hash, "
        f"CAST(? AS BIGINT), CAST(? AS TIMESTAMP) "
        f"FROM (SELECT {typed}, {row_hash(spec)} AS row_hash, b.{quote(RECEIVED)} AS received "
        f"      FROM {quote(view)} AS b "
        f"      QUALIFY row_number() OVER (PARTITION BY row_hash ORDER BY received) = 1) AS v "
        f"WHERE NOT EXISTS (SELECT 1 FROM {quote(table)} AS r "
        f"                  WHERE r.source = ? AND {where} AND r.row_hash = v.row_hash) "
        f"ORDER BY v.received",
        [source, raw_id, seen_at, source, *params],
    )


def revision_conflicts_sql(spec: DatasetSpec, view: str) -> str | None:
    """Report keys the batch flags as the latest revision (update_flag 1) more than once
    with different values: the writer keeps one by its rule, and which is right cannot
    be known, so the response records them for the single_revision check."""
    if REVISION_FLAG not in spec.field_names:
        return None
    casts = _casts(spec)
    keys = list(spec.key_fields)
    named = ", ".join(f"{casts[k]} AS {quote(k)}" for k in keys)
    return (
        f"SELECT {', '.join(quote(k) for k in keys)}, count(DISTINCT row_hash) AS versions "
        f"FROM (SELECT {named}, {row_hash(spec)} AS row_hash FROM {quote(view)} AS b "
        f"      WHERE CAST(b.{quote(REVISION_FLAG)} AS VARCHAR) = '1') "
        f"GROUP BY {', '.join(quote(k) for k in keys)} HAVING count(DISTINCT row_hash) > 1 "
        f"ORDER BY {', '.join(quote(k) for k in keys)}"
    )


