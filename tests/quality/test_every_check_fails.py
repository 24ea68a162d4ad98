"""Every check in the registry fails on data that breaks its invariant, with a message
that names the broken row. test_checks.py does this through the simulator's faults for
the faults it can inject; here the remaining invariants are broken directly in a copy of
the clean warehouse (the simulator only serves data that obeys them), and revisions go
through the real writer with a doctored response."""

from __future__ import annotations

import dataclasses

import copy
import datetime as dt
from typing import Callable

import duckdb
import pytest

from twilight_assets.checks import definitions as d
from twilight_assets.checks.definitions import CHECK_SPECS, CheckSpec
from twilight_assets.checks.runner import evaluate
from twilight_assets.sources.normalize import normalize
from twilight_assets.specs import REGISTRY
from twilight_assets.ingest import raw_response
from twilight_assets.warehouse.writer import WarehouseWriter

from .conftest import LOADED_DAYS, NOW

HOLIDAY = dt.date(2024, 6, 12)  # a weekday the simulator's calendar closes (Dragon Boat)
FULL_WEEK = (dt.date(2024, 6, 17), dt.date(2024, 6, 21))  # every day loaded in daily

Mutation = Callable[[duckdb.DuckDBPyConnection, CheckSpec], str]
"""Breaks the check's invariant in the warehouse; returns text the message must hold."""


def _q(conn, sql: str, params: list | None = None):
    return conn.execute(sql, params or []).fetchall()


def _t(api: str) -> str:
    return f'"{REGISTRY[api].table}"'


def _first_key(conn, api: str, where: str = "TRUE") -> dict:
    keys = REGISTRY[api].key_fields
    row = _q(conn, f"SELECT {', '.join(keys)} FROM {_t(api)} WHERE {where} ORDER BY ALL LIMIT 1")[0]
    return dict(zip(keys, row))


def _match(key: dict) -> tuple[str, list]:
    return " AND ".join(f'"{k}" = ?' for k in key), list(key.values())


def _label(key: dict) -> str:
    return " ".join(v.isoformat() if isinstance(v, dt.date) else str(v) for v in key.values())


def _update(conn, api: str, assignment: str, where: str = "TRUE") -> str:
    key = _first_key(conn, api, where)
    predicate, params = _match(key)
    _q(conn, f"UPDATE {_t(api)} SET {assignment} WHERE {predicate}", params)
    return _label(key)


def _drop_constraints(conn, api: str) -> None:
    """A legacy-style copy of the table without its key, so the key can be broken."""
    table = REGISTRY[api].table
    _q(conn, f'CREATE TABLE "{table}__loose" AS SELECT * FROM "{table}"')
    _q(conn, f'DROP TABLE "{table}"')
    _q(conn, f'ALTER TABLE "{table}__loose" RENAME TO "{table}"')


# -- generic checks, by SQL file ----------------------------------------------------------


def _duplicate_key(conn, check):
    _drop_constraints(conn, check.asset)
    key = _first_key(conn, check.asset)
    predicate, params = _match(key)
    _q(conn, f"INSERT INTO {_t(check.asset)} SELECT * FROM {_t(check.asset)} WHERE {predicate}", params)
    return f"{_label(key)} (2 copies)"


def _null_column(conn, check):
    spec = REGISTRY[check.asset]
    column = (d.CORE_COLUMNS[check.asset] or spec.key_fields)[-1]
    _drop_constraints(conn, check.asset)
    _update(conn, check.asset, f'"{column}" = NULL')
    return f"(null {column})"


def _extra_column(conn, check):
    _q(conn, f"ALTER TABLE {_t(check.asset)} ADD COLUMN twilight_extra VARCHAR")
    return "twilight_extra not in the spec"


def _bad_code(conn, check):
    column = check.template["column"].strip('"')
    _update(conn, check.asset, f'"{column}" = \'BAD-CODE\'')
    return "(code BAD-CODE)"


def _bad_value(conn, check):
    column = check.template["column"].strip('"')
    bad = {"is_open": "7", "list_status": "'X'", "update_flag": "'9'"}[column]
    _update(conn, check.asset, f'"{column}" = {bad}')
    return f"(value {bad.strip(chr(39))})"


GENERIC: dict[str, Mutation] = {
    "unique_key.sql": _duplicate_key,
    "not_null.sql": _null_column,
    "schema.sql": _extra_column,
    "code_format.sql": _bad_code,
    "domain.sql": _bad_value,
}


# -- the rest, by SQL file (same shape for every table it serves) -------------------------


def _holiday_rows(conn, check):
    _q(conn, f"INSERT INTO {_t(check.asset)} SELECT * REPLACE (DATE '{HOLIDAY}' AS trade_date) "
             f"FROM {_t(check.asset)} WHERE trade_date = DATE '{HOLIDAY + dt.timedelta(days=1)}' "
             "ORDER BY ts_code LIMIT 2")
    return f"{HOLIDAY} (2 rows on a closed day)"


def _hole(conn, check):
    day = LOADED_DAYS[-5]
    _q(conn, f"DELETE FROM {_t(check.asset)} WHERE trade_date = ?", [day])
    return f"{day} (no rows on an open day)"


def _thin_day(conn, check):
    day = LOADED_DAYS[-1]
    _q(conn, f"DELETE FROM {_t(check.asset)} WHERE trade_date = ? AND ts_code NOT IN "
             f"(SELECT ts_code FROM {_t(check.asset)} WHERE trade_date = ? ORDER BY ts_code LIMIT 2)",
       [day, day])
    return f"{day} (2 rows vs recent median"


def _stale(conn, check):
    _q(conn, f"DELETE FROM {_t(check.asset)} WHERE trade_date = ?", [LOADED_DAYS[-1]])
    return f"{check.asset} (latest {LOADED_DAYS[-2]}, due {LOADED_DAYS[-1]}: 1 open day behind)"


def _short_calendar(conn, check):
    _q(conn, "DELETE FROM normalized_trade_cal WHERE cal_date > DATE '2024-07-10'")
    return "SSE 2024-07-10 (ends 15 days ahead)"


def _exchanges_disagree(conn, check):
    _q(conn, "UPDATE normalized_trade_cal SET is_open = 1 WHERE exchange = 'SZSE' AND cal_date = ?", [HOLIDAY])
    return f"{HOLIDAY} (SSE is_open 0, SZSE 1)"


def _nonpositive(conn, check):
    return _update(conn, check.asset, "pre_close = 0")


def _negative_volume(conn, check):
    return _update(conn, check.asset, "vol = -1")


def _high_below_low(conn, check):
    return _update(conn, check.asset, "high = low - 1")


def _bad_pct_chg(conn, check):
    return _update(conn, check.asset, "pct_chg = pct_chg + 5", "pre_close > 0")


def _bad_vwap(conn, check):
    return _update(conn, check.asset, "amount = amount * 3", "vol > 0")


def _pre_close_jump(conn, check):
    # A bar whose factor did not change since the stock's previous bar.
    return _update(conn, check.asset, "pre_close = pre_close + 1",
                   f"trade_date = DATE '{LOADED_DAYS[-1]}' AND ts_code IN (SELECT a.ts_code FROM "
                   f"normalized_adj_factor a JOIN normalized_adj_factor p ON p.ts_code = a.ts_code "
                   f"AND p.trade_date = DATE '{LOADED_DAYS[-2]}' WHERE a.trade_date = DATE '{LOADED_DAYS[-1]}' "
                   f"AND a.adj_factor = p.adj_factor) AND ts_code IN (SELECT ts_code FROM normalized_daily "
                   f"WHERE trade_date = DATE '{LOADED_DAYS[-2]}')")


def _factor_gap(conn, check):
    key = _first_key(conn, "daily", f"trade_date = DATE '{LOADED_DAYS[-1]}'")
    predicate, params = _match(key)
    _q(conn, f"DELETE FROM normalized_adj_factor WHERE {predicate}", params)
    return f"{_label(key)} (no adj_factor)"


def _close_mismatch(conn, check):
    return _update(conn, check.asset, "close = close + 1")


def _total_mv_off(conn, check):
    return _update(conn, check.asset, "total_mv = total_mv * 2", "total_mv > 0")


def _weights_off(conn, check):
    key = _first_key(conn, check.asset)
    predicate, params = _match(key)
    _q(conn, f"UPDATE {_t(check.asset)} SET weight = weight + 5 WHERE {predicate}", params)
    return f"{key['index_code']} {key['trade_date']}"


def _period_off(conn, check):
    first, last = FULL_WEEK if check.asset == "weekly" else (dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    return _update(conn, check.asset, "high = high + 1",
                   f"trade_date BETWEEN DATE '{first}' AND DATE '{last}'")


def _unknown_code(conn, check):
    column = check.template["column"]
    _update(conn, check.asset, f'"{column}" = \'699998.SH\'')
    return "699998.SH (1 row(s) from"


def _no_paused(conn, check):
    _q(conn, "DELETE FROM normalized_stock_basic WHERE list_status = 'P'")
    return "P (no stocks with this status)"


def _identity_off(conn, check):
    return _update(conn, check.asset, "total_liab_hldr_eqy = total_liab_hldr_eqy + 1000000",
                   "total_assets IS NOT NULL")


def _minority_off(conn, check):
    return _update(conn, check.asset, "minority_gain = minority_gain + 1000000",
                   "n_income IS NOT NULL AND n_income_attr_p IS NOT NULL AND minority_gain IS NOT NULL")


def _announced_early(conn, check):
    return _update(conn, check.asset, "ann_date = end_date - 10", "ann_date IS NOT NULL")


def _first_after(conn, check):
    return _update(conn, check.asset, "first_ann_date = ann_date + 5", "ann_date IS NOT NULL")


def _min_above_max(conn, check):
    return _update(conn, check.asset, "net_profit_min = net_profit_max + 1", "net_profit_max IS NOT NULL")


SPECIFIC: dict[str, Mutation] = {
    "closed_days_empty.sql": _holiday_rows,
    "open_days_covered.sql": _hole,
    "row_count_band.sql": _thin_day,
    "fresh.sql": _stale,
    "horizon.sql": _short_calendar,
    "exchanges_agree.sql": _exchanges_disagree,
    "ohlc.sql": _high_below_low,
    "positive_prices.sql": _nonpositive,
    "nonnegative_volume.sql": _negative_volume,
    "pct_chg.sql": _bad_pct_chg,
    "vwap.sql": _bad_vwap,
    "pre_close.sql": _pre_close_jump,
    "has_adj_factor.sql": _factor_gap,
    "close_matches_daily.sql": _close_mismatch,
    "total_mv.sql": _total_mv_off,
    "weights_sum.sql": _weights_off,
    "agrees_with_daily.sql": _period_off,
    "known_code.sql": _unknown_code,
    "survivorship.sql": _no_paused,
    "balance_identity.sql": _identity_off,
    "net_income_split.sql": _minority_off,
    "pit_order.sql": _announced_early,
    "pit_order_forecast.sql": _first_after,
    "min_le_max.sql": _min_above_max,
}

SQL_MUTATED = [c for c in CHECK_SPECS if c.sql_file in GENERIC or c.sql_file in SPECIFIC]


def test_every_check_has_a_way_to_fail():
    revised = {c.name for c in CHECK_SPECS if c.sql_file == "single_revision.sql"}
    assert {c.name for c in SQL_MUTATED} | revised == set(d.CHECK_REGISTRY)


@pytest.mark.parametrize("check", SQL_MUTATED, ids=lambda c: c.name)
def test_check_fails_on_broken_data(check, warehouse_copy):
    mutate = GENERIC.get(check.sql_file) or SPECIFIC[check.sql_file]
    with duckdb.connect(str(warehouse_copy)) as conn:
        expected = mutate(conn, check)
        outcome = evaluate(conn, check, None, now=NOW)
    assert outcome.evaluated, outcome.message
    assert not outcome.passed, f"{check.name} passed on broken data"
    assert outcome.failed_rows >= 1 and outcome.samples
    assert expected in outcome.message, outcome.message


@pytest.mark.parametrize("api", d.REVISED_DATASETS)
def test_single_revision_fails_on_two_latest_revisions(api, loader, warehouse_copy):
    """A response that flags two different rows of one report as the latest revision,
    written through the real writer (which keeps one of them)."""
    spec = REGISTRY[api]
    with duckdb.connect(str(warehouse_copy), read_only=True) as conn:
        stock = _q(conn, f"SELECT ts_code FROM {_t(api)} ORDER BY ts_code LIMIT 1")[0][0]
    fetched = loader.source.fetch(spec, stock)
    pages = copy.deepcopy(fetched.pages)
    page = next(p for p in pages if p["items"])
    flag = page["fields"].index("update_flag")
    value = next(i for i, f in enumerate(page["fields"])
                 if f not in spec.key_fields and isinstance(page["items"][0][i], float))
    twin = list(page["items"][0])
    twin[value] = twin[value] * 0.97
    page["items"][0][flag] = twin[flag] = "1"
    page["items"].insert(1, twin)
    frame = normalize(spec, stock, pages).frame
    raw = raw_response(dataclasses.replace(fetched, frame=frame, pages=pages))
    with WarehouseWriter(warehouse_copy) as writer:
        assert writer.write_partition(spec, stock, frame, raw).duplicates_dropped == 1
        outcome = evaluate(writer, d.CHECK_REGISTRY[d.single_revision_name(api)], {stock}, now=NOW)
    assert not outcome.passed and outcome.failed_rows == 1
    assert outcome.message.startswith(f"1 report with more than one latest revision in {stock}: {stock} ")
    assert "(2 rows flagged update_flag 1)" in outcome.message
