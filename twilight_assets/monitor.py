"""`twilight monitor`: the warehouse's health, read from the latest snapshot.

It reads only through `WarehouseReader` (a published snapshot, never the live file), so
it works while a writer holds the warehouse. It reports:
- freshness per dataset: per-date data against the latest open day due by now (from
  20:00 Asia/Shanghai on a trading day, that day; see twilight_assets.freshness), other data by
  the age of its last successful write, trade_cal by how far ahead it reaches;
- coverage: open days x per-date datasets over the recent window (rows, missing, failed,
  closed), and per-entity datasets as the share of stocks / indexes ingested;
- the latest failed checks from quality_log, with their sample rows;
- ingest failures from ingest_progress; the snapshot's age.

Exit code: 0 healthy, 1 warnings, 2 errors (no snapshot at all is an error), for cron
and alerting. `--html FILE` writes one self-contained page (inline CSS and SVG).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from twilight_assets.checks.runner import json_safe
from twilight_assets.errors import NoSnapshotError, WarehouseError
from twilight_assets.freshness import TRADE_CAL_HORIZON_DAYS, due_dates
from twilight_assets.specs import REGISTRY, EntityType, Grain
from twilight_assets.warehouse.reader import WarehouseReader

OK, WARN, ERROR = "ok", "warn", "error"
_RANK = {OK: 0, WARN: 1, ERROR: 2}
EXIT_CODES = {OK: 0, WARN: 1, ERROR: 2}
COVERAGE_DAYS = 20
"""Open days shown in the coverage matrix, ending at the latest day due."""
SNAPSHOT_MAX_AGE = dt.timedelta(hours=36)
"""A daily snapshot older than this means publishing has stopped."""
STALE_AFTER = {Grain.PER_ENTITY: dt.timedelta(days=8), Grain.ONCE: dt.timedelta(days=8)}
"""Per-entity and reference data are refreshed weekly (automation.py)."""
MAX_FAILED_CHECKS = 50
_ENTITY_PLURAL = {EntityType.STOCK: "stocks", EntityType.INDEX: "indexes"}
MAX_INGEST_FAILURES = 50


def worst(statuses: Sequence[str]) -> str:
    return max(statuses, key=_RANK.__getitem__, default=OK)


def _utc(moment: Any) -> dt.datetime | None:
    """Timestamps in the warehouse and snapshot info are naive UTC."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if hasattr(moment, "to_pydatetime"):
        moment = moment.to_pydatetime()
    if not isinstance(moment, dt.datetime):
        return None
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


def _records(reader: WarehouseReader, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    frame = reader.query(sql, params or [])
    return [{k: json_safe(v) for k, v in row.items()} for row in frame.to_dict("records")]


# -- the pieces of the report -------------------------------------------------------------


def snapshot_section(reader: WarehouseReader, now: dt.datetime) -> dict[str, Any]:
    info = reader.info
    created = _utc(info.created_at)
    age = now - created if created else None
    status = WARN if age is not None and age > SNAPSHOT_MAX_AGE else OK
    return {
        "snapshot_id": info.snapshot_id,
        "path": str(info.path),
        "bytes": info.bytes,
        "created_at": created.isoformat() if created else None,
        "age_hours": round(age.total_seconds() / 3600, 2) if age is not None else None,
        "status": status,
        "message": (
            f"snapshot {info.snapshot_id} is {age.total_seconds() / 3600:.1f} h old"
            if age is not None else f"snapshot {info.snapshot_id} has no creation time"
        ),
    }


def open_days(reader: WarehouseReader, last: dt.date, count: int) -> list[dt.date]:
    """The `count` open days (trade_cal, SSE) up to and including `last`, oldest first."""
    frame = reader.query(
        "SELECT DISTINCT cal_date FROM normalized_trade_cal "
        "WHERE exchange = 'SSE' AND is_open = 1 AND cal_date <= ? ORDER BY cal_date DESC LIMIT ?",
        [last, count],
    )
    return sorted(_as_date(v) for v in frame["cal_date"])


def _as_date(value: Any) -> dt.date:
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _freshness_rows(reader: WarehouseReader) -> dict[str, dict[str, Any]]:
    if "source_freshness" not in reader.relations():
        return {}
    return {r["api_name"]: r for r in _records(reader, "SELECT * FROM source_freshness")}


def per_date_freshness(
    reader: WarehouseReader, api: str, due: dt.date | None, recorded: dict[str, Any] | None
) -> dict[str, Any]:
    table = REGISTRY[api].table
    latest_value = reader.query(f'SELECT max(trade_date) AS latest FROM "{table}"')["latest"].iloc[0]
    latest = None if latest_value is None or str(latest_value) in ("NaT", "None") else _as_date(latest_value)
    entry: dict[str, Any] = {
        "dataset": api, "grain": REGISTRY[api].grain.value,
        "latest": latest.isoformat() if latest else None,
        "expected": due.isoformat() if due else None,
        "last_success_at": recorded.get("last_success_at") if recorded else None,
    }
    if due is None:
        return {**entry, "behind_open_days": None, "status": WARN,
                "message": f"{api}: trade_cal has no open day up to today; cannot judge freshness"}
    behind = int(reader.query(
        "SELECT count(DISTINCT cal_date) AS n FROM normalized_trade_cal WHERE exchange = 'SSE' "
        "AND is_open = 1 AND cal_date > ? AND cal_date <= ?",
        [latest or dt.date(1900, 1, 1), due],
    )["n"].iloc[0])
    status = OK if behind == 0 else WARN if behind == 1 else ERROR
    message = (
        f"{api}: no rows; {due} is due" if latest is None
        else f"{api}: up to date ({latest})" if behind == 0
        else f"{api}: {behind} open day(s) behind: latest {latest}, due {due}"
    )
    return {**entry, "behind_open_days": behind, "status": status, "message": message}


def other_freshness(
    reader: WarehouseReader, api: str, today: dt.date, now: dt.datetime, recorded: dict[str, Any] | None
) -> dict[str, Any]:
    spec = REGISTRY[api]
    entry: dict[str, Any] = {
        "dataset": api, "grain": spec.grain.value,
        "latest": None,  # the greatest stock code says nothing about time
        "last_success_at": recorded.get("last_success_at") if recorded else None,
        "expected": None, "behind_open_days": None,
    }
    if spec.grain is Grain.PER_DATE_YEAR:
        last_day = reader.query(f'SELECT max(cal_date) AS d FROM "{spec.table}"')["d"].iloc[0]
        if last_day is None or str(last_day) in ("NaT", "None"):
            return {**entry, "status": ERROR, "message": f"{api}: empty; nothing knows which days are open"}
        ahead = (_as_date(last_day) - today).days
        ok = ahead >= TRADE_CAL_HORIZON_DAYS
        return {**entry, "latest": _as_date(last_day).isoformat(), "status": OK if ok else WARN,
                "message": f"{api}: reaches {ahead} days ahead (needs {TRADE_CAL_HORIZON_DAYS})"}
    if not recorded:
        return {**entry, "status": WARN, "message": f"{api}: never written"}
    age = now - _utc(recorded["last_success_at"])
    limit = STALE_AFTER[spec.grain]
    status = OK if age <= limit else WARN
    when = (f"{age.total_seconds() / 86400:.1f} days ago" if age >= dt.timedelta(0)
            else "after the moment judged")
    return {**entry, "status": status,
            "message": f"{api}: last written {when}"
                       + ("" if status == OK else f" (refresh expected every {limit.days} days)")}


def freshness_section(
    reader: WarehouseReader, now: dt.datetime, due: dt.date | None, today: dt.date
) -> list[dict[str, Any]]:
    recorded = _freshness_rows(reader)
    out = []
    for api, spec in REGISTRY.items():
        if spec.grain is Grain.PER_DATE:
            out.append(per_date_freshness(reader, api, due, recorded.get(api)))
        else:
            out.append(other_freshness(reader, api, today, now, recorded.get(api)))
    return out


def closed_weekdays(reader: WarehouseReader, first: dt.date, last: dt.date) -> set[dt.date]:
    """Weekdays trade_cal (SSE) marks closed between `first` and `last`: holidays."""
    frame = reader.query(
        "SELECT DISTINCT cal_date FROM normalized_trade_cal WHERE exchange = 'SSE' AND is_open = 0 "
        "AND cal_date BETWEEN ? AND ? AND dayofweek(cal_date) BETWEEN 1 AND 5",
        [first, last],
    )
    return {_as_date(v) for v in frame["cal_date"]}


def _cell_state(rows: int, day: dt.date, closed: bool, failed: bool, first: dt.date | None) -> str:
    if closed:
        return "rows_on_closed_day" if rows else "closed"
    if rows:
        return "ok"
    if failed:
        return "failed"
    return "not_loaded" if first is None or day < first else "missing"


def per_date_coverage(reader: WarehouseReader, days: list[dt.date]) -> dict[str, Any]:
    """Rows per day and dataset over the window's open days and the holidays between
    them. An open day is missing if it has no rows although the dataset's history has
    begun, failed if its last ingest attempt failed; a holiday with rows is an error."""
    datasets = [a for a, s in REGISTRY.items() if s.grain is Grain.PER_DATE]
    cells: dict[str, dict[str, dict[str, Any]]] = {}
    if not days:
        return {"dates": [], "datasets": datasets, "cells": {}, "status": WARN,
                "message": "trade_cal has no open days to judge coverage by"}
    holidays = closed_weekdays(reader, days[0], days[-1])
    window = sorted(set(days) | holidays)
    problems = []
    for api in datasets:
        table = REGISTRY[api].table
        counts = {
            _as_date(r["trade_date"]): int(r["n"])
            for r in reader.query(
                f'SELECT trade_date, count(*) AS n FROM "{table}" WHERE trade_date BETWEEN ? AND ? '
                "GROUP BY trade_date", [window[0], window[-1]]
            ).to_dict("records")
        }
        bounds = reader.query(f'SELECT min(trade_date) AS first, max(trade_date) AS last FROM "{table}"').iloc[0]
        first = None if str(bounds["first"]) in ("NaT", "None") else _as_date(bounds["first"])
        last = None if str(bounds["last"]) in ("NaT", "None") else _as_date(bounds["last"])
        failed = {
            r["partition_key"]: r["last_error"]
            for r in _records(
                reader,
                "SELECT partition_key, last_error FROM ingest_progress "
                "WHERE api_name = ? AND status = 'failed' AND partition_key BETWEEN ? AND ?",
                [api, window[0].isoformat(), window[-1].isoformat()],
            )
        }
        row: dict[str, dict[str, Any]] = {}
        for day in window:
            key = day.isoformat()
            rows = counts.get(day, 0)
            state = _cell_state(rows, day, day in holidays, key in failed, first)
            row[key] = {"rows": rows, "state": state, "error": failed.get(key)}
            # Days after the latest row are freshness's business; holes inside are not.
            inside = last is not None and day < last
            if state == "rows_on_closed_day" or (state in ("missing", "failed") and inside):
                problems.append(f"{api} {key}: {state.replace('_', ' ')}")
        cells[api] = row
    return {
        "dates": [d.isoformat() for d in window],
        "open_days": [d.isoformat() for d in days],
        "datasets": datasets,
        "cells": cells,
        "status": ERROR if problems else OK,
        "message": "; ".join(problems) if problems else "every open day in the window has rows",
    }


def per_entity_coverage(reader: WarehouseReader) -> list[dict[str, Any]]:
    """Share of stocks (stock_basic) or indexes (index_basic) ingested per dataset."""
    universes = {
        EntityType.STOCK: int(reader.query(
            "SELECT count(DISTINCT ts_code) AS n FROM normalized_stock_basic")["n"].iloc[0]),
        EntityType.INDEX: int(reader.query(
            "SELECT count(DISTINCT ts_code) AS n FROM normalized_index_basic")["n"].iloc[0]),
    }
    out = []
    for api, spec in REGISTRY.items():
        if spec.grain is not Grain.PER_ENTITY:
            continue
        column = spec.partition_param or "ts_code"
        with_rows = int(reader.query(f'SELECT count(DISTINCT "{column}") AS n FROM "{spec.table}"')["n"].iloc[0])
        progress = reader.query(
            "SELECT count(*) FILTER (WHERE status = 'done') AS done, "
            "count(*) FILTER (WHERE status = 'failed') AS failed FROM ingest_progress WHERE api_name = ?",
            [api],
        ).iloc[0]
        expected = universes[spec.entity_type]
        done = int(progress["done"])
        share = done / expected if expected else 0.0
        status = OK if expected and done >= expected else WARN
        out.append({
            "dataset": api, "entity": spec.entity_type.value, "entities": expected,
            "ingested": done, "failed": int(progress["failed"]), "with_rows": with_rows,
            "share": round(min(share, 1.0), 4), "status": status,
            "message": f"{api}: {done} of {expected} {_ENTITY_PLURAL[spec.entity_type]} ingested, "
                       f"{with_rows} with rows",
        })
    return out


def failed_checks_section(reader: WarehouseReader) -> list[dict[str, Any]]:
    """The latest failing result per check and partition; a later full sweep of the same
    check supersedes older partition results."""
    if "quality_log" not in reader.relations():
        return []
    rows = _records(
        reader,
        """
        WITH latest AS (
            SELECT *, row_number() OVER (
                PARTITION BY asset, check_name, coalesce("partition", '')
                ORDER BY evaluated_at DESC, id DESC) AS rn
            FROM quality_log
        ),
        sweeps AS (
            SELECT asset, check_name, max(evaluated_at) AS swept_at
            FROM quality_log WHERE "partition" IS NULL GROUP BY asset, check_name
        )
        SELECT l.run_id, l.asset, l.check_name, l."partition", l.severity, l.metric,
               l.threshold, l.failed_rows, CAST(l.samples AS VARCHAR) AS samples, l.message,
               l.evaluated_at
        FROM latest AS l
        LEFT JOIN sweeps AS s ON s.asset = l.asset AND s.check_name = l.check_name
        WHERE l.rn = 1 AND NOT l.passed
          AND (l."partition" IS NULL OR s.swept_at IS NULL OR l.evaluated_at > s.swept_at)
        ORDER BY l.severity = 'ERROR' DESC, l.evaluated_at DESC, l.check_name
        LIMIT ?
        """,
        [MAX_FAILED_CHECKS],
    )
    for row in rows:
        row["samples"] = json.loads(row["samples"]) if row["samples"] else []
        row["status"] = ERROR if row["severity"] == "ERROR" else WARN
    return rows


def ingest_failures_section(reader: WarehouseReader) -> list[dict[str, Any]]:
    rows = _records(
        reader,
        "SELECT api_name, partition_key, attempts, last_error, updated_at FROM ingest_progress "
        "WHERE status = 'failed' ORDER BY updated_at DESC, progress_key LIMIT ?",
        [MAX_INGEST_FAILURES],
    )
    for row in rows:
        row["status"] = ERROR
    return rows


def build_report(
    reader: WarehouseReader, *, now: dt.datetime | None = None, coverage_days: int = COVERAGE_DAYS
) -> dict[str, Any]:
    """The whole health report as JSON-safe data; `status` and `exit_code` sum it up."""
    now = _utc(now) or dt.datetime.now(dt.timezone.utc)
    today, as_of = due_dates(now)
    due_days = open_days(reader, as_of, 1)
    due = due_days[-1] if due_days else None
    window = open_days(reader, due, coverage_days) if due else []
    report: dict[str, Any] = {
        "generated_at": now.isoformat(),
        "today": today.isoformat(),
        "due": due.isoformat() if due else None,
        "snapshot": snapshot_section(reader, now),
        "freshness": freshness_section(reader, now, due, today),
        "coverage": per_date_coverage(reader, window),
        "entity_coverage": per_entity_coverage(reader),
        "failed_checks": failed_checks_section(reader),
        "ingest_failures": ingest_failures_section(reader),
    }
    problems = [
        {"status": s["status"], "message": s["message"]}
        for s in [report["snapshot"], *report["freshness"], report["coverage"], *report["entity_coverage"]]
        if s["status"] != OK
    ]
    problems += [
        {"status": c["status"], "message": f"check {c['check_name']} on {c['asset']}: {c['message']}"}
        for c in report["failed_checks"]
    ]
    problems += [
        {"status": ERROR, "message": f"ingest of {f['api_name']} {f['partition_key']} failed "
                                     f"({f['attempts']} attempts): {f['last_error']}"}
        for f in report["ingest_failures"]
    ]
    status = worst([p["status"] for p in problems])
    report["problems"] = problems
    report["status"] = status
    report["exit_code"] = EXIT_CODES[status]
    return report


def no_snapshot_report(error: Exception, now: dt.datetime | None = None) -> dict[str, Any]:
    moment = _utc(now) or dt.datetime.now(dt.timezone.utc)
    return {
        "generated_at": moment.isoformat(), "status": ERROR, "exit_code": EXIT_CODES[ERROR],
        "snapshot": None, "problems": [{"status": ERROR, "message": str(error)}],
    }


# -- rendering ----------------------------------------------------------------------------


def render_text(report: dict[str, Any]) -> str:
    lines = [f"twilight monitor: {report['status'].upper()} (exit {report['exit_code']})"]
    snap = report.get("snapshot")
    if snap:
        lines.append(f"  snapshot {snap['snapshot_id']}, {snap['age_hours']} h old, {snap['bytes']:,} bytes")
        lines.append(f"  today {report['today']} (Asia/Shanghai), latest open day due {report['due']}")
        lines.append("  freshness:")
        for f in report["freshness"]:
            lines.append(f"    [{f['status']:>5}] {f['message']}")
        cov = report["coverage"]
        lines.append(f"  coverage of the last {len(cov.get('open_days', []))} open days: "
                     f"[{cov['status']}] {cov['message']}")
        for e in report["entity_coverage"]:
            lines.append(f"    [{e['status']:>5}] {e['message']}")
    if report.get("problems"):
        lines.append("  problems:")
        for p in report["problems"]:
            lines.append(f"    [{p['status']:>5}] {p['message']}")
    return "\n".join(lines)


_COLORS = {"ok": "#2e9e5b", "missing": "#d64545", "failed": "#8e1b1b", "closed": "#c9ced6",
           "rows_on_closed_day": "#7b3fb5", "not_loaded": "#eef0f3"}
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-weight:600}
.ok{background:#2e9e5b}.warn{background:#d08a12}.error{background:#c93636}
table{border-collapse:collapse;font-size:13px;background:#fff}
td,th{border:1px solid #e1e4e8;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f7} .muted{color:#6a7280;font-size:13px}
pre{margin:0;font-size:12px;white-space:pre-wrap}
.bar{height:10px;background:#e6e8eb;border-radius:5px;width:160px}
.bar span{display:block;height:10px;border-radius:5px;background:#2e9e5b}
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _badge(status: str) -> str:
    return f'<span class="badge {_esc(status)}">{_esc(status.upper())}</span>'


def heatmap_svg(coverage: dict[str, Any]) -> str:
    """Open days across, per-date datasets down; one cell per (day, dataset)."""
    dates, datasets = coverage["dates"], coverage["datasets"]
    cell, left, top = 18, 110, 70
    width, height = left + cell * len(dates) + 10, top + cell * len(datasets) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="coverage heatmap">']
    for j, day in enumerate(dates):
        x = left + j * cell + cell / 2
        parts.append(f'<text x="{x}" y="{top - 6}" font-size="10" transform="rotate(-60 {x} {top - 6})">'
                     f"{_esc(day[5:])}</text>")
    for i, api in enumerate(datasets):
        y = top + i * cell
        parts.append(f'<text x="{left - 6}" y="{y + 13}" font-size="12" text-anchor="end">{_esc(api)}</text>')
        for j, day in enumerate(dates):
            c = coverage["cells"][api][day]
            tip = f"{api} {day}: {c['state']}, {c['rows']} rows" + (f" ({c['error']})" if c.get("error") else "")
            parts.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" rx="2" '
                f'fill="{_COLORS[c["state"]]}"><title>{_esc(tip)}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _legend() -> str:
    return " ".join(
        f'<span style="display:inline-block;width:10px;height:10px;background:{color};'
        f'border-radius:2px"></span> {_esc(state.replace("_", " "))}'
        for state, color in _COLORS.items()
    )


def render_html(report: dict[str, Any]) -> str:
    out = ["<!doctype html><html><head><meta charset='utf-8'><title>twilight monitor</title>",
           f"<style>{_CSS}</style></head><body>",
           f"<h1>Warehouse health {_badge(report['status'])}</h1>",
           f"<div class='muted'>generated {_esc(report['generated_at'])} · exit code {report['exit_code']}</div>"]
    snap = report.get("snapshot")
    if not snap:
        out += ["<h2>Problems</h2><ul>"] + [f"<li>{_esc(p['message'])}</li>" for p in report["problems"]]
        return "".join(out + ["</ul></body></html>"])
    out.append(f"<p class='muted'>snapshot {_esc(snap['snapshot_id'])} · {_esc(snap['age_hours'])} h old · "
               f"{snap['bytes']:,} bytes · today {_esc(report['today'])} (Asia/Shanghai) · "
               f"latest open day due {_esc(report['due'])}</p>")
    cov = report["coverage"]
    out.append(f"<h2>Coverage: open days × datasets {_badge(cov['status'])}</h2>")
    out.append(heatmap_svg(cov) + f"<div class='muted'>{_legend()}</div>")
    out.append("<h2>Per-entity coverage</h2><table><tr><th>dataset</th><th>ingested</th><th></th>"
               "<th>with rows</th><th>failed</th><th>status</th></tr>")
    for e in report["entity_coverage"]:
        out.append(f"<tr><td>{_esc(e['dataset'])}</td><td>{e['ingested']} / {e['entities']}</td>"
                   f"<td><div class='bar'><span style='width:{e['share'] * 100:.1f}%'></span></div></td>"
                   f"<td>{e['with_rows']}</td><td>{e['failed']}</td><td>{_badge(e['status'])}</td></tr>")
    out.append("</table><h2>Freshness</h2><table><tr><th>dataset</th><th>latest</th><th>due</th>"
               "<th>last success (UTC)</th><th>status</th><th></th></tr>")
    for f in report["freshness"]:
        out.append(f"<tr><td>{_esc(f['dataset'])}</td><td>{_esc(f['latest'])}</td><td>{_esc(f['expected'])}</td>"
                   f"<td>{_esc(f['last_success_at'])}</td><td>{_badge(f['status'])}</td><td>{_esc(f['message'])}</td></tr>")
    out.append(f"</table><h2>Failed checks ({len(report['failed_checks'])})</h2>")
    if report["failed_checks"]:
        out.append("<table><tr><th>check</th><th>asset</th><th>partition</th><th>severity</th>"
                   "<th>failed rows</th><th>message</th><th>samples</th></tr>")
        for c in report["failed_checks"]:
            samples = json.dumps(c["samples"], ensure_ascii=False, indent=1)
            out.append(f"<tr><td>{_esc(c['check_name'])}</td><td>{_esc(c['asset'])}</td>"
                       f"<td>{_esc(c['partition'] or 'all')}</td><td>{_badge(c['status'])}</td>"
                       f"<td>{c['failed_rows']}</td><td>{_esc(c['message'])}</td><td><pre>{_esc(samples)}</pre></td></tr>")
        out.append("</table>")
    else:
        out.append("<p class='muted'>none</p>")
    out.append(f"<h2>Ingest failures ({len(report['ingest_failures'])})</h2>")
    if report["ingest_failures"]:
        out.append("<table><tr><th>dataset</th><th>partition</th><th>attempts</th><th>last error</th><th>at (UTC)</th></tr>")
        for f in report["ingest_failures"]:
            out.append(f"<tr><td>{_esc(f['api_name'])}</td><td>{_esc(f['partition_key'])}</td><td>{f['attempts']}</td>"
                       f"<td>{_esc(f['last_error'])}</td><td>{_esc(f['updated_at'])}</td></tr>")
        out.append("</table>")
    else:
        out.append("<p class='muted'>none</p>")
    return "".join(out + ["</body></html>"])


# -- command line -------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="twilight monitor", description=__doc__.split("\n\n")[0])
    p.add_argument("--snapshot", metavar="ID", help="a published snapshot id (default: the current one)")
    p.add_argument("--snapshot-dir", metavar="DIR", type=Path,
                   help="where snapshots are published (default: TWILIGHT_SNAPSHOT_DIR)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--html", metavar="FILE", type=Path, help="also write a self-contained HTML page")
    p.add_argument("--watch", metavar="SECONDS", type=float,
                   help="refresh every SECONDS, reopening the newest snapshot each time")
    p.add_argument("--iterations", metavar="N", type=int,
                   help="with --watch: stop after N reports (default: until interrupted)")
    p.add_argument("--now", metavar="ISO_TIME", type=_moment,
                   help="judge as of this moment (ISO 8601, UTC unless it has an offset), "
                        "e.g. to replay an old snapshot; default: now")
    p.add_argument("--days", metavar="N", type=int, default=COVERAGE_DAYS,
                   help=f"open days in the coverage matrix (default {COVERAGE_DAYS})")
    return p


def _moment(text: str) -> dt.datetime:
    try:
        return _utc(dt.datetime.fromisoformat(text))  # type: ignore[return-value]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None


def run_once(args: argparse.Namespace) -> int:
    try:
        with WarehouseReader(args.snapshot_dir, args.snapshot) as reader:
            report = build_report(reader, now=args.now, coverage_days=args.days)
    except NoSnapshotError as exc:
        report = no_snapshot_report(exc, args.now)
        print(f"twilight monitor: {exc}", file=sys.stderr)
    except WarehouseError as exc:
        report = no_snapshot_report(exc, args.now)
        print(f"twilight monitor: cannot read the snapshot: {exc}", file=sys.stderr)
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render_html(report), encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render_text(report), flush=True)
    return int(report["exit_code"])


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.watch is None:
        return run_once(args)
    if args.watch <= 0:
        _parser().error("--watch needs a positive number of seconds")
    code, done = 0, 0
    try:
        while args.iterations is None or done < args.iterations:
            if done:
                time.sleep(args.watch)
            code = run_once(args)
            done += 1
    except KeyboardInterrupt:
        pass
    return code


if __name__ == "__main__":
    sys.exit(main())
