"""Coverage: which days and entities each dataset holds.

- the recent strip: the last open days (and the holidays between them) x per-date
  datasets, each cell a state with its row count;
- the history: every weekday since the calendar begins, per per-date dataset, as one
  string of state letters per year (the picture of decades), counted by state;
- per-entity datasets: the share of stocks / indexes ingested, and the same by the
  year the entities were listed.

Every per-date state comes from one rule, sql/day_states.sql, over trade_cal, the ledger
and the table's rows per day; each dataset costs one grouped query, however long its
history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from twilight_assets.monitor.reading import as_date, plural, records, scalar, sql
from twilight_assets.monitor.status import ERROR, OK, WARN, problem, worst
from twilight_assets.specs import REGISTRY, EntityType, Grain
from twilight_assets.warehouse.reader import WarehouseReader

STATES = {
    "d": "done", "c": "closed", "f": "failed", "m": "missing", "n": "not_loaded",
    "x": "rows_on_closed_day",
}
"""State letters of sql/day_states.sql, in the order a legend lists them."""
OUTSIDE = " "
"""A weekday outside the judged span: before the history begins, or not yet due."""
PER_DATE = tuple(a for a, s in REGISTRY.items() if s.grain is Grain.PER_DATE)
PER_ENTITY = tuple(a for a, s in REGISTRY.items() if s.grain is Grain.PER_ENTITY)
ENTITY_NOUN = {EntityType.STOCK: ("stock", "stocks"), EntityType.INDEX: ("index", "indexes")}
_UNIVERSE = {EntityType.STOCK: "stock_basic", EntityType.INDEX: "index_basic"}


def open_days(reader: WarehouseReader, last: dt.date, count: int) -> list[dt.date]:
    """The `count` open days (trade_cal, SSE) up to and including `last`, oldest first."""
    frame = reader.query(
        "SELECT DISTINCT cal_date FROM normalized_trade_cal "
        "WHERE exchange = 'SSE' AND is_open = 1 AND cal_date <= ? ORDER BY cal_date DESC LIMIT ?",
        [last, count],
    )
    return sorted(as_date(v) for v in frame["cal_date"])


def day_states_sql(api: str) -> str:
    return sql("day_states.sql", table=REGISTRY[api].table)


def _latest_day(reader: WarehouseReader, api: str) -> dt.date | None:
    return as_date(scalar(reader, f'SELECT max(trade_date) FROM "{REGISTRY[api].table}"'))


# -- the recent strip ---------------------------------------------------------------------


def recent_coverage(reader: WarehouseReader, days: list[dt.date]) -> dict[str, Any]:
    """Rows and state per weekday and per-date dataset from the first to the last of
    `days` (open days), holidays between them included. A hole (an open day without rows
    before the dataset's latest row), rows on a closed day, a failed day, and a dataset
    with no rows on any of the open days are errors; open days after the latest row are
    freshness's business."""
    if not days:
        return {"dates": [], "open_days": [], "datasets": list(PER_DATE), "cells": {},
                "status": WARN, "problems": [problem(WARN, "trade_cal has no open days to judge coverage by")],
                "message": "trade_cal has no open days to judge coverage by"}
    first, last = days[0], days[-1]
    open_keys = {d.isoformat() for d in days}
    cells: dict[str, dict[str, dict[str, Any]]] = {}
    problems: list[dict[str, str]] = []
    statuses: list[str] = []
    for api in PER_DATE:
        errors = {
            r["partition_key"]: r["last_error"]
            for r in records(
                reader,
                "SELECT partition_key, last_error FROM ingest_progress "
                "WHERE api_name = ? AND status = 'failed' AND partition_key BETWEEN ? AND ?",
                [api, first.isoformat(), last.isoformat()],
            )
        }
        rows = records(reader, day_states_sql(api) + " ORDER BY day", [first, last, api, first, last])
        latest = _latest_day(reader, api)
        row: dict[str, dict[str, Any]] = {}
        for r in rows:
            key, state = r["day"], STATES[r["state"]]
            row[key] = {"rows": int(r["rows"]), "state": state, "error": errors.get(key)}
            if state == "rows_on_closed_day":
                problems.append(problem(ERROR, f"{api} {key}: rows on a closed day"))
            elif state == "missing" and latest is not None and as_date(key) < latest:
                problems.append(problem(ERROR, f"{api} {key}: missing (an open day without rows)"))
            elif state == "failed":
                statuses.append(ERROR)  # the ingest failures section names it, with its error
        if not any(c["rows"] for d, c in row.items() if d in open_keys):
            problems.append(problem(ERROR, f"{api}: no rows on any of the last "
                                           f"{plural(len(days), 'open day')} ({first}..{last})"))
        cells[api] = row
    status = worst([*statuses, *(p["status"] for p in problems)])
    return {
        "dates": list(next(iter(cells.values()))),
        "open_days": [d.isoformat() for d in days],
        "datasets": list(PER_DATE),
        "cells": cells,
        "status": status,
        "problems": problems,
        "message": ("every open day in the window has rows" if status == OK
                    else "; ".join(p["message"] for p in problems) or "failed days in the window"),
    }


# -- the history --------------------------------------------------------------------------


def history_span(reader: WarehouseReader, due: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """From the earliest day trade_cal (SSE) or any per-date table knows, to the day due."""
    if due is None:
        return None
    firsts = " UNION ALL ".join(
        [f'SELECT min(trade_date) AS d FROM "{REGISTRY[a].table}"' for a in PER_DATE]
        + ["SELECT min(cal_date) AS d FROM normalized_trade_cal WHERE exchange = 'SSE'"]
    )
    first = as_date(scalar(reader, f"SELECT min(d) FROM ({firsts})"))
    if first is None or first > due:
        return None
    return first, due


def history(reader: WarehouseReader, due: dt.date | None) -> dict[str, Any]:
    """Per per-date dataset and year, one letter (STATES) per weekday from 1 January
    (index 0) to 31 December; OUTSIDE before the history's first day and after `due`."""
    span = history_span(reader, due)
    if span is None:
        return {"first": None, "last": None, "years": [], "datasets": {}}
    first, last = span
    bounds = [dt.date(first.year, 1, 1), dt.date(last.year, 12, 31)]
    datasets: dict[str, Any] = {}
    for api in PER_DATE:
        by_year = records(
            reader,
            f"SELECT year(day) AS year, string_agg(state, '' ORDER BY day) AS states "
            f"FROM ({day_states_sql(api)}) GROUP BY year ORDER BY year",
            [*bounds, api, first, last],
        )
        years = {str(r["year"]): r["states"] for r in by_year}
        text = "".join(years.values())
        datasets[api] = {"years": years, "counts": {name: text.count(code) for code, name in STATES.items()}}
    return {
        "first": first.isoformat(), "last": last.isoformat(),
        "years": list(range(first.year, last.year + 1)), "datasets": datasets,
    }


# -- per-entity datasets ------------------------------------------------------------------


def entity_coverage(reader: WarehouseReader) -> list[dict[str, Any]]:
    """Per per-entity dataset: stocks (stock_basic) or indexes (index_basic) ingested,
    failed and never recorded, in all and by listing year."""
    out = []
    for api in PER_ENTITY:
        spec = REGISTRY[api]
        universe = REGISTRY[_UNIVERSE[spec.entity_type]].table
        years = records(reader, sql("listing_years.sql", universe=universe), [api])
        done = sum(int(y["ingested"]) for y in years)
        failed = sum(int(y["failed"]) for y in years)
        expected = done + failed + sum(int(y["missing"]) for y in years)
        column = spec.partition_param or "ts_code"
        with_rows = int(scalar(reader, f'SELECT count(DISTINCT "{column}") FROM "{spec.table}"') or 0)
        one, many = ENTITY_NOUN[spec.entity_type]
        status = OK if expected and done >= expected else WARN
        if not expected:
            message = f"{api}: {_UNIVERSE[spec.entity_type]} lists no {many}; nothing to cover"
        else:
            message = (f"{api}: {done} of {plural(expected, one, many)} ingested"
                       + (f", {failed} failed" if failed else "") + f", {with_rows} with rows")
        out.append({
            "dataset": api, "entity": spec.entity_type.value, "entities": expected,
            "ingested": done, "failed": failed, "missing": expected - done - failed,
            "with_rows": with_rows, "share": round(done / expected, 4) if expected else 0.0,
            "by_listing_year": [
                {"year": y["year"], "ingested": int(y["ingested"]), "failed": int(y["failed"]),
                 "missing": int(y["missing"])} for y in years
            ],
            "status": status, "message": message,
        })
    return out
