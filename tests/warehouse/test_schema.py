"""The DDL: created in a new warehouse, never changed behind a writer's back, brought up
to date by migration in order, idempotently, recorded, keeping every row."""

from __future__ import annotations

import duckdb
import pytest

from twilight_assets.specs import REGISTRY
from twilight_assets.warehouse.schema import (
    SchemaPendingError,
    base_files,
    ensure_schema,
    migrate_schema,
    migration_files,
)
from twilight_assets.warehouse.writer import WarehouseWriter

from tests.warehouse.conftest import income_row, make_frame, make_raw, write_daily

BASE = [f.name for f in base_files() if not f.name.startswith("00_")]


@pytest.fixture
def conn(tmp_path):
    c = duckdb.connect(str(tmp_path / "schema.duckdb"))
    yield c
    c.close()


def test_a_new_warehouse_gets_every_file_in_order_once(conn):
    assert BASE == ["01_raw_tables.sql", "02_normalized_tables.sql", "03_metadata_tables.sql",
                    "04_views.sql", "06_quality.sql", "07_point_in_time.sql"]
    assert ensure_schema(conn) == ["00_schema_version.sql", *BASE]
    assert ensure_schema(conn) == []
    assert migrate_schema(conn) == []
    recorded = conn.execute("SELECT name, kind FROM schema_version ORDER BY name").fetchall()
    assert recorded == [(n, "schema") for n in ["00_schema_version.sql", *BASE]]


def test_the_ddl_has_nothing_a_ducklake_refuses(conn):
    ensure_schema(conn)
    kinds = conn.execute(
        "SELECT constraint_type, count(*) FROM duckdb_constraints() WHERE constraint_type NOT IN "
        "('NOT NULL') GROUP BY 1").fetchall()
    assert kinds == []  # no PRIMARY KEY, UNIQUE or CHECK
    assert conn.execute("SELECT count(*) FROM duckdb_sequences()").fetchall() == [(0,)]
    assert conn.execute("SELECT count(*) FROM duckdb_indexes()").fetchall() == [(0,)]


def test_a_changed_file_makes_writers_refuse_until_migrated(tmp_path):
    path = tmp_path / "w.duckdb"
    WarehouseWriter(path).close()
    conn = duckdb.connect(str(path))
    # As if 02 had changed since: its recorded checksum no longer matches the file.
    conn.execute("UPDATE schema_version SET checksum = 'old' WHERE name = '02_normalized_tables.sql'").fetchall()
    conn.execute("DROP TABLE normalized_express").fetchall()  # a dataset the old 02 lacked
    conn.close()
    with pytest.raises(SchemaPendingError, match=r"02_normalized_tables.sql changed.*run `twilight migrate`"):
        WarehouseWriter(path)
    conn = duckdb.connect(str(path))
    assert conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'normalized_express'").fetchall() == [(0,)]
    assert migrate_schema(conn) == ["02_normalized_tables.sql"]
    assert conn.execute("SELECT count(*) FROM normalized_express").fetchall() == [(0,)]
    names = conn.execute("SELECT name FROM schema_version WHERE name LIKE '02%'").fetchall()
    assert len(names) == 2
    conn.close()
    WarehouseWriter(path).close()


def test_a_table_missing_a_new_field_gets_the_column_and_keeps_its_rows(conn):
    conn.execute(
        'CREATE TABLE normalized_adj_factor ("ts_code" VARCHAR NOT NULL, "trade_date" DATE NOT NULL, '
        '"source" VARCHAR NOT NULL, "ingested_at" TIMESTAMP NOT NULL, "raw_id" BIGINT)'
    ).fetchall()
    conn.execute("INSERT INTO normalized_adj_factor VALUES ('600000.SH', '2024-01-02', 'tushare', now(), 1)").fetchall()
    with pytest.raises(SchemaPendingError, match="no schema_version table"):
        ensure_schema(conn)
    done = migrate_schema(conn)
    assert "reconcile: added column normalized_adj_factor.adj_factor DOUBLE" in done
    assert conn.execute("SELECT ts_code, adj_factor FROM normalized_adj_factor").fetchall() == [("600000.SH", None)]


def test_a_table_of_another_shape_is_set_aside_not_dropped(conn):
    conn.execute("CREATE TABLE quality_log (api_name VARCHAR, checked TIMESTAMP)").fetchall()
    conn.execute("CREATE INDEX quality_log_api ON quality_log (api_name)").fetchall()
    conn.execute("INSERT INTO quality_log VALUES ('daily', now())").fetchall()
    done = migrate_schema(conn)
    assert done[0] == "reconcile: dropped index quality_log_api on quality_log so the table can be renamed"
    assert done[1].startswith("reconcile: renamed quality_log to quality_log_legacy")
    assert conn.execute("SELECT api_name FROM quality_log_legacy").fetchall() == [("daily",)]
    assert conn.execute("SELECT count(*) FROM quality_log").fetchall() == [(0,)]
    assert migrate_schema(conn) == []


def test_migrations_are_numbered_sql_files():
    names = [m.name for m in migration_files()]
    assert names and names == sorted(names)
    assert migration_files()[0].required_tables == ("backfill_progress",)


def test_daily_adjusted_view(writer):
    write_daily(writer, "2024-01-02", n=1, close=10.0)
    write_daily(writer, "2024-01-03", n=1, close=10.0)
    adj = REGISTRY["adj_factor"]
    for day, factor in (("2024-01-02", 1.0), ("2024-01-03", 2.0)):
        frame = make_frame(adj, [{"ts_code": "600000.SH", "trade_date": day, "adj_factor": factor}])
        writer.write_partition(adj, day, frame, make_raw(adj, day, frame))
    got = writer.query("SELECT CAST(trade_date AS VARCHAR) AS d, close, close_hfq, close_qfq FROM daily_adjusted ORDER BY d")
    assert got.values.tolist() == [["2024-01-02", 10.0, 10.0, 5.0], ["2024-01-03", 10.0, 20.0, 10.0]]


def test_income_latest_view_prefers_the_latest_consolidated_report(writer):
    income = REGISTRY["income"]
    code = "000001.SZ"
    rows = [
        income_row(code, "2022-12-31", update_flag="0", f_ann_date="2023-03-20", revenue=100.0, report_type="1"),
        income_row(code, "2022-12-31", update_flag="0", f_ann_date="2024-03-20", revenue=104.0, report_type="4"),
        income_row(code, "2022-12-31", update_flag="0", f_ann_date="2024-03-21", revenue=999.0, report_type="6"),
        income_row(code, "2023-12-31", update_flag="1", f_ann_date="2024-03-20", revenue=130.0, report_type="1"),
    ]
    frame = make_frame(income, rows)
    writer.write_partition(income, code, frame, make_raw(income, code, frame))
    got = writer.query("SELECT CAST(end_date AS VARCHAR) AS e, report_type, revenue FROM income_latest ORDER BY e")
    assert got.values.tolist() == [["2022-12-31", "4", 104.0], ["2023-12-31", "1", 130.0]]
