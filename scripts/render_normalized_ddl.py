"""Render sql/02_normalized_tables.sql from the registry's documented fields.

The .sql file is the committed source of truth the warehouse applies; this script only
saves typing when a dataset is added (run it, review the diff, commit). A test holds
every spec against the DDL, so the two cannot drift apart silently.
"""

from __future__ import annotations

from pathlib import Path

from twilight_assets.specs import REGISTRY, DatasetSpec

TARGET = Path(__file__).resolve().parents[1] / "twilight_assets" / "sql" / "02_normalized_tables.sql"

BOOKKEEPING = (
    ("source", "VARCHAR NOT NULL", "Where the row came from: tushare (production) or simulator."),
    ("ingested_at", "TIMESTAMP NOT NULL",
     "When the response this row came from was written (UTC): a re-fetch of the partition "
     "moves it to that write; twilight rebuild keeps the original."),
    ("raw_id", "BIGINT",
     "The raw_responses row (archived response) this row was last normalized from: a re-fetch "
     "points it at the new response; twilight rebuild keeps it."),
)


REVISION_BOOKKEEPING = (
    ("source", "VARCHAR NOT NULL", "Where the row came from: tushare (production) or simulator."),
    ("row_hash", "VARCHAR NOT NULL", "md5 of the row's values: one row per distinct version."),
    ("raw_id", "BIGINT", "The raw_responses row that first served this version."),
    ("first_seen_at", "TIMESTAMP NOT NULL", "When the warehouse first wrote this version (UTC)."),
)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    # Tushare uses SQL keywords as field names (desc, change, open): always quote.
    return '"' + name.replace('"', '""') + '"'


def render(spec: DatasetSpec) -> str:
    keys = set(spec.conflict_columns)
    cols = [
        f"    {_ident(f.name):<34} {f.sql_type}{' NOT NULL' if f.name in keys else ''}"
        for f in spec.fields
    ]
    cols += [f"    {_ident(name):<34} {sql_type}" for name, sql_type, _ in BOOKKEEPING]
    lines = [
        f"-- {spec.api_name}: {spec.description}",
        f"-- Tushare doc: {spec.doc_url}",
        f"CREATE TABLE IF NOT EXISTS {spec.table} (",
        ",\n".join(cols),
        ");",
        f"COMMENT ON TABLE {spec.table} IS {_quote(spec.description)};",
    ]
    for f in spec.fields:
        unit = f" [unit: {f.unit}]" if f.unit else ""
        hidden = " (hidden by default: requested by name)" if not f.default_shown else ""
        lines.append(
            f"COMMENT ON COLUMN {spec.table}.{_ident(f.name)} IS {_quote(f.description + unit + hidden)};"
        )
    for name, _, comment in BOOKKEEPING:
        lines.append(f"COMMENT ON COLUMN {spec.table}.{_ident(name)} IS {_quote(comment)};")
    if spec.revisions_table:
        lines += ["", render_revisions(spec)]
    return "\n".join(lines)


def render_revisions(spec: DatasetSpec) -> str:
    table = spec.revisions_table
    keys = set(spec.conflict_columns)
    cols = [
        f"    {_ident(f.name):<34} {f.sql_type}{' NOT NULL' if f.name in keys else ''}"
        for f in spec.fields
    ]
    cols += [f"    {_ident(name):<34} {sql_type}" for name, sql_type, _ in REVISION_BOOKKEEPING]
    lines = [
        f"-- Every version of {spec.api_name} ever served, original and restated: what point-in-time",
        "-- reads choose from (the table above holds only the latest version of each report).",
        f"CREATE TABLE IF NOT EXISTS {table} (",
        ",\n".join(cols),
        ");",
        f"COMMENT ON TABLE {table} IS {_quote(f'Every version of {spec.table} rows Tushare served, original and revised.')};",
    ]
    for name, _, comment in REVISION_BOOKKEEPING:
        lines.append(f"COMMENT ON COLUMN {table}.{_ident(name)} IS {_quote(comment)};")
    return "\n".join(lines)


def main() -> None:
    header = (
        "-- Normalized tables: one per Tushare API, every documented output field, typed.\n"
        "-- Dates are DATE, amounts DOUBLE, codes VARCHAR; units are in the column comments.\n"
        "-- No primary keys (DuckLake has none): a partition write replaces the partition, so\n"
        "-- each key of the spec's conflict columns appears once; unique_key_* checks prove it.\n"
        "-- Rendered by scripts/render_normalized_ddl.py, then reviewed and committed.\n"
    )
    body = "\n\n".join(render(s) for s in REGISTRY.values())
    TARGET.write_text(header + "\n" + body + "\n", encoding="utf-8")
    print(f"wrote {TARGET} ({len(REGISTRY)} tables)")


if __name__ == "__main__":
    main()
