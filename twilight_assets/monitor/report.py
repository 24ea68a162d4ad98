"""The health report, collected from a published snapshot through `WarehouseReader`
(never the live file, so it works while a writer holds the warehouse).

Sections: the snapshot's age; freshness per dataset by twilight_assets.freshness (per-date
data against the latest open day due, trade_cal by its horizon and age, other data by the
age of its last successful write); coverage (coverage.py: the recent strip, the history
of decades, per-entity shares by listing year); quality checks (checks.py); the ingest
ledger (ledger.py). Each section judges itself; `problems` lists every warning and error
once, and `status` / `exit_code` sum them up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from twilight_assets import freshness
from twilight_assets.monitor import checks, coverage, ledger
from twilight_assets.monitor.reading import as_date, plural, records, scalar, utc
from twilight_assets.monitor.status import ERROR, EXIT_CODES, FROM_FRESHNESS, OK, WARN, problem, worst
from twilight_assets.specs import REGISTRY, Grain
from twilight_assets.warehouse.reader import WarehouseReader

COVERAGE_DAYS = 20
"""Open days shown in the recent strip, ending at the latest day due."""
SNAPSHOT_MAX_AGE = dt.timedelta(hours=36)
"""A daily snapshot older than this means publishing has stopped."""


def snapshot_section(reader: WarehouseReader, now: dt.datetime) -> dict[str, Any]:
    info = reader.info
    created = utc(info.created_at)
    age = now - created if created else None
    status = WARN if age is not None and age > SNAPSHOT_MAX_AGE else OK
    return {
        "snapshot_id": info.snapshot_id,
        # A copy's file, or a DuckLake's version read in place.
        "path": str(info.path) if info.path is not None else None,
        "version": info.version,
        "size": f"{info.bytes:,} bytes" if info.path is not None else f"DuckLake version {info.version}",
        "bytes": info.bytes,
        "created_at": created.isoformat() if created else None,
        "age_hours": round(age.total_seconds() / 3600, 2) if age is not None else None,
        "status": status,
        "message": (
            f"snapshot {info.snapshot_id} has no creation time" if age is None
            else f"snapshot {info.snapshot_id} was published after the moment judged" if age < dt.timedelta(0)
            else f"snapshot {info.snapshot_id} is {age.total_seconds() / 3600:.1f} h old"
        ),
    }


# -- freshness ----------------------------------------------------------------------------


def _last_writes(reader: WarehouseReader) -> dict[str, dict[str, Any]]:
    if "source_freshness" not in reader.relations():
        return {}
    return {r["api_name"]: r for r in records(reader, "SELECT * FROM source_freshness")}


def _age_words(age: dt.timedelta) -> str:
    if age < dt.timedelta(0):
        return "after the moment judged"
    if age < dt.timedelta(days=2):
        return f"{age.total_seconds() / 3600:.1f} h ago"
    return f"{age.total_seconds() / 86400:.1f} days ago"


def _span_words(span: dt.timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} h" if hours < 48 else f"{hours / 24:g} days"


def per_date_freshness(reader: WarehouseReader, api: str, due: dt.date | None) -> dict[str, Any]:
    latest = as_date(scalar(reader, f'SELECT max(trade_date) FROM "{REGISTRY[api].table}"'))
    entry: dict[str, Any] = {"latest": latest.isoformat() if latest else None,
                             "expected": due.isoformat() if due else None, "behind_open_days": None}
    if due is None:
        return {**entry, "status": WARN,
                "message": f"{api}: trade_cal has no open day up to today; cannot judge freshness"}
    behind = int(scalar(
        reader,
        "SELECT count(DISTINCT cal_date) FROM normalized_trade_cal WHERE exchange = 'SSE' "
        "AND is_open = 1 AND cal_date > ? AND cal_date <= ?",
        [latest or dt.date(1900, 1, 1), due],
    ))
    status = FROM_FRESHNESS[freshness.judge_lag(behind)]
    message = (
        f"{api}: no rows; {due} is due" if latest is None
        else f"{api}: up to date ({latest})" if behind == 0
        else f"{api}: {plural(behind, 'open day')} behind: latest {latest}, due {due}"
    )
    return {**entry, "behind_open_days": behind, "status": status, "message": message}


def age_freshness(api: str, now: dt.datetime, last_write: dict[str, Any] | None) -> dict[str, Any]:
    """Reference, per-entity and calendar data by the age of their last successful write."""
    grain = REGISTRY[api].grain
    window = freshness.REFRESH[grain]
    if not last_write:
        return {"status": WARN, "message": f"{api}: never written"}
    age = now - utc(last_write["last_success_at"])
    status = FROM_FRESHNESS[window.judge(age)]
    note = "" if status == OK else f" (refreshed {window.schedule}; late after {_span_words(window.late_after)})"
    return {"status": status, "message": f"{api}: last written {_age_words(age)}{note}"}


def trade_cal_horizon(reader: WarehouseReader, today: dt.date) -> dict[str, Any]:
    last_day = as_date(scalar(reader, "SELECT max(cal_date) FROM normalized_trade_cal"))
    if last_day is None:
        return {"latest": None, "status": ERROR, "message": "trade_cal: empty; nothing knows which days are open"}
    ahead = (last_day - today).days
    need = freshness.TRADE_CAL_HORIZON_DAYS
    if ahead >= need:
        words = f"reaches {last_day}, {plural(ahead, 'day')} ahead"
    elif ahead >= 0:
        words = f"reaches only {last_day}, {plural(ahead, 'day')} ahead (needs {need})"
    else:
        words = f"ended on {last_day}, {plural(-ahead, 'day')} ago (needs to reach {need} days ahead)"
    return {"latest": last_day.isoformat(), "status": FROM_FRESHNESS[freshness.judge_horizon(ahead)],
            "message": f"trade_cal: {words}"}


def freshness_section(
    reader: WarehouseReader, now: dt.datetime, due: dt.date | None, today: dt.date
) -> list[dict[str, Any]]:
    last_writes = _last_writes(reader)
    out = []
    for api, spec in REGISTRY.items():
        last_write = last_writes.get(api)
        entry: dict[str, Any] = {
            "dataset": api, "grain": spec.grain.value, "latest": None, "expected": None,
            "behind_open_days": None,
            "last_success_at": last_write.get("last_success_at") if last_write else None,
        }
        if spec.grain is Grain.PER_DATE:
            entry.update(per_date_freshness(reader, api, due))
        elif spec.grain is Grain.PER_DATE_YEAR:
            horizon, aged = trade_cal_horizon(reader, today), age_freshness(api, now, last_write)
            entry.update(latest=horizon["latest"], status=worst([horizon["status"], aged["status"]]),
                         message=f"{horizon['message']}; {aged['message'].removeprefix(api + ': ')}")
        else:
            entry.update(age_freshness(api, now, last_write))  # "latest" of a stock code says nothing
        out.append(entry)
    return out


# -- the whole report ---------------------------------------------------------------------


def _problems(report: dict[str, Any]) -> list[dict[str, str]]:
    """Every warning and error once, most severe first, in section order otherwise."""
    found = [problem(s["status"], s["message"])
             for s in [report["snapshot"], *report["freshness"], *report["entity_coverage"]]
             if s["status"] != OK]
    found += report["coverage"]["problems"]
    # The freshness section applies the fresh_* checks' rule as of now; their stored
    # results, judged earlier, would say the same thing twice (or something out of date).
    found += [problem(c["status"], f"check {c['check_name']} on {c['asset']}: {c['message']}")
              for c in report["failed_checks"] if not checks.is_freshness_check(c["check_name"])]
    found += [problem(ERROR, f"ingest of {f['api_name']} {f['partition_key']} failed "
                             f"({plural(int(f['attempts']), 'attempt')}): {f['last_error']}")
              for f in report["ingest_failures"]]
    seen: set[str] = set()
    unique = []
    for p in found:
        if p["message"] not in seen:
            seen.add(p["message"])
            unique.append(p)
    return sorted(unique, key=lambda p: p["status"] != ERROR)


def build_report(
    reader: WarehouseReader, *, now: dt.datetime | None = None, coverage_days: int = COVERAGE_DAYS
) -> dict[str, Any]:
    """The whole health report as JSON-safe data; `status` and `exit_code` sum it up."""
    now = utc(now) or dt.datetime.now(dt.timezone.utc)
    today, as_of = freshness.due_dates(now)
    due_days = coverage.open_days(reader, as_of, 1)
    due = due_days[-1] if due_days else None
    window = coverage.open_days(reader, due, coverage_days) if due else []
    report: dict[str, Any] = {
        "generated_at": now.isoformat(),
        "today": today.isoformat(),
        "due": due.isoformat() if due else None,
        "snapshot": snapshot_section(reader, now),
        "freshness": freshness_section(reader, now, due, today),
        "coverage": coverage.recent_coverage(reader, window),
        "history": coverage.history(reader, due),
        "entity_coverage": coverage.entity_coverage(reader),
        "checks": checks.check_tally(reader),
        "failed_checks": checks.failed_checks(reader),
        "ingest_failures": ledger.ingest_failures(reader),
        "ledger": ledger.ledger_summary(reader),
    }
    report["problems"] = _problems(report)
    report["status"] = worst([report["coverage"]["status"], *(p["status"] for p in report["problems"])])
    report["exit_code"] = EXIT_CODES[report["status"]]
    return report


def no_snapshot_report(error: Exception, now: dt.datetime | None = None) -> dict[str, Any]:
    moment = utc(now) or dt.datetime.now(dt.timezone.utc)
    return {
        "generated_at": moment.isoformat(), "status": ERROR, "exit_code": EXIT_CODES[ERROR],
        "snapshot": None, "problems": [problem(ERROR, str(error))],
    }
