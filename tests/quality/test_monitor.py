"""`twilight monitor` over published snapshots: exit codes and JSON on a healthy and a
broken warehouse, the HTML page, reading while another process holds the live file, and
never falsely green: empty datasets, checks that judged nothing, duplicates and absent
fields shown, each problem said once."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from twilight_assets.monitor import cli
from twilight_assets.monitor.report import COVERAGE_DAYS, build_report
from twilight_assets.specs import REGISTRY
from twilight_assets.checks import definitions as d
from twilight_assets.checks.definitions import CHECK_SPECS
from twilight_assets.checks.runner import evaluate, to_record
from twilight_assets.warehouse.reader import WarehouseReader
from twilight_assets.warehouse.snapshots import publish_snapshot
from twilight_assets.warehouse.writer import WarehouseWriter

from .conftest import LOADED_DAYS, NOW, SPARE_DAYS, evening, faulty, insert_past_the_writer

PROJECT = Path(__file__).resolve().parents[2]


def _publish(path: Path, snapshot_dir: Path) -> str:
    with WarehouseWriter(path) as writer:
        return publish_snapshot(writer, snapshot_dir).snapshot_id


def _run(capsys, *argv: str) -> tuple[int, dict]:
    code = cli.main([*argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.fixture
def healthy(tmp_path, warehouse_copy) -> Path:
    snapshots = tmp_path / "snapshots"
    _publish(warehouse_copy, snapshots)
    return snapshots


def test_healthy_snapshot_exits_0(capsys, healthy):
    code, report = _run(capsys, "--snapshot-dir", str(healthy), "--now", NOW.isoformat())
    assert code == 0, report["problems"]
    assert report["status"] == "ok" and report["problems"] == []
    assert report["due"] == LOADED_DAYS[-1].isoformat()
    assert {f["dataset"]: f["status"] for f in report["freshness"]}["daily"] == "ok"
    cov = report["coverage"]
    assert cov["open_days"] == [x.isoformat() for x in LOADED_DAYS[-COVERAGE_DAYS:]]
    states = {c["state"] for row in cov["cells"].values() for c in row.values()}
    assert states == {"done", "closed"}  # the window holds a weekday holiday (Dragon Boat)
    assert all(e["share"] == 1.0 for e in report["entity_coverage"])


def test_one_day_behind_is_a_warning(capsys, healthy):
    # The next open day's data is due (after the cutoff) but not loaded: 1 day behind.
    later = evening(SPARE_DAYS[0])
    code, report = _run(capsys, "--snapshot-dir", str(healthy), "--now", later.isoformat())
    assert code == 1
    behind = {f["dataset"] for f in report["freshness"] if f["status"] == "warn"}
    assert behind == {"daily", "daily_basic", "adj_factor"}
    assert all("1 open day behind" in p["message"] for p in report["problems"])


def test_no_snapshot_exits_2(capsys, tmp_path):
    code = cli.main(["--snapshot-dir", str(tmp_path / "none")])
    captured = capsys.readouterr()
    assert code == 2
    assert "no snapshot has been published" in captured.err
    assert cli.main(["--snapshot-dir", str(tmp_path / "none"), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "error" and report["snapshot"] is None


def _broken_warehouse(loader, path: Path) -> tuple[dt.date, str, str]:
    """A hole on an open day, an OHLC violation, rows on a holiday, and check results in
    quality_log."""
    hole, after = SPARE_DAYS[0], SPARE_DAYS[1]
    bad_day = LOADED_DAYS[-1]
    near_holiday = dt.date(2024, 6, 13)  # the simulator closes 2024-06-12 (Dragon Boat)
    with WarehouseWriter(path) as writer:
        # The writer refuses rows dated outside their partition, so they come in past it,
        # by plain SQL: the monitor must still see them.
        with faulty(loader.server, "rows_on_closed_day", api_name="adj_factor",
                    match={"trade_date": near_holiday.strftime("%Y%m%d")}):
            fetched = loader.source.fetch(REGISTRY["adj_factor"], near_holiday.isoformat())
        frame = fetched.frame
        insert_past_the_writer(writer, "adj_factor", frame[frame["trade_date"] != pd.Timestamp(near_holiday)])
        with faulty(loader.server, "missing_day", api_name="daily", match={"trade_date": hole.strftime("%Y%m%d")}):
            loader.load(writer, "daily", [hole.isoformat(), after.isoformat()])
        with faulty(loader.server, "ohlc_violation", api_name="daily", match={"trade_date": bad_day.strftime("%Y%m%d")}):
            loader.load(writer, "daily", [bad_day.isoformat()])
        for api in ("daily_basic", "adj_factor"):
            loader.load(writer, api, [hole.isoformat(), after.isoformat()])
        now = evening(after)
        outcomes = [evaluate(writer, c, None, now=now) for c in CHECK_SPECS
                    if c.asset in ("daily", "adj_factor")]
        writer.record_check_results([to_record(o, run_id="test-run") for o in outcomes])
    bad = next(e for e in loader.server.fault_log if e["kind"] == "ohlc_violation")
    holiday = next(e for e in loader.server.fault_log if e["kind"] == "rows_on_closed_day")
    return hole, bad["rows"][0]["ts_code"], holiday["closed_day"]


def test_broken_snapshot_exits_2_and_names_what_broke(capsys, tmp_path, loader, warehouse_copy):
    hole, bad_code, holiday = _broken_warehouse(loader, warehouse_copy)
    holiday = dt.datetime.strptime(holiday, "%Y%m%d").date().isoformat()
    snapshots = tmp_path / "snapshots"
    _publish(warehouse_copy, snapshots)
    now = evening(SPARE_DAYS[1])
    page = tmp_path / "report" / "health.html"
    code, report = _run(capsys, "--snapshot-dir", str(snapshots), "--now", now.isoformat(),
                        "--html", str(page))
    assert code == 2 and report["status"] == "error"
    # The hole: a failed ingest, a red cell, and the coverage check that failed.
    assert [(f["api_name"], f["partition_key"]) for f in report["ingest_failures"]] == [("daily", hole.isoformat())]
    assert report["coverage"]["cells"]["daily"][hole.isoformat()]["state"] == "failed"
    assert report["coverage"]["cells"]["daily_basic"][hole.isoformat()]["state"] == "done"
    assert report["coverage"]["cells"]["adj_factor"][holiday]["state"] == "rows_on_closed_day"
    assert report["coverage"]["cells"]["daily"][holiday]["state"] == "closed"
    assert f"adj_factor {holiday}: rows on a closed day" in report["coverage"]["message"]
    failed = {c["check_name"]: c for c in report["failed_checks"]}
    # high < low also puts the day's VWAP outside [low, high], and 3 rows on the holiday
    # are far below the median day (both WARN checks).
    assert set(failed) == {"ohlc_daily", "open_days_covered_daily", d.VWAP_DAILY,
                           "closed_days_empty_adj_factor", "row_count_band_adj_factor"}
    ohlc = failed["ohlc_daily"]
    assert ohlc["status"] == "error" and ohlc["failed_rows"] == 1
    assert ohlc["samples"][0]["ts_code"] == bad_code and bad_code in ohlc["message"]
    assert hole.isoformat() in failed["open_days_covered_daily"]["message"]
    # The page stands alone: inline style and SVG, nothing fetched from anywhere.
    text = page.read_text("utf-8")
    assert "<svg" in text and "<style>" in text
    assert not re.search(r"<(link|script|img)\b", text) and "src=" not in text
    assert f"daily {hole.isoformat()}: failed" in text and bad_code in text


def test_build_report_api_names_each_section(healthy):
    with WarehouseReader(healthy) as reader:
        report = build_report(reader, now=NOW, coverage_days=5)
    assert set(report) >= {"snapshot", "freshness", "coverage", "entity_coverage",
                           "failed_checks", "ingest_failures", "status", "exit_code"}
    assert len(report["coverage"]["open_days"]) == 5
    json.dumps(report)  # JSON-safe as it is


def test_reads_while_another_process_holds_the_live_file(tmp_path, warehouse_copy):
    snapshots = tmp_path / "snapshots"
    _publish(warehouse_copy, snapshots)
    env = {**os.environ, "TWILIGHT_SNAPSHOT_DIR": str(snapshots), "TWILIGHT_WAREHOUSE": str(warehouse_copy)}
    with WarehouseWriter(warehouse_copy) as writer:  # this process holds the file read-write
        writer.query("SELECT count(*) FROM normalized_daily")
        done = subprocess.run(
            [sys.executable, "-m", "twilight_assets.cli", "monitor", "--json", "--now", NOW.isoformat()],
            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120,
        )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["snapshot"]["path"].startswith(str(snapshots))


def test_watch_reports_repeatedly(capsys, tmp_path, warehouse_copy):
    snapshots = tmp_path / "snapshots"
    first = _publish(warehouse_copy, snapshots)
    code = cli.main(["--snapshot-dir", str(snapshots), "--now", NOW.isoformat(),
                         "--watch", "0.01", "--iterations", "2"])
    out = capsys.readouterr().out
    assert code == 0 and out.count("twilight monitor: OK") == 2 and first in out


def _record_checks(writer: WarehouseWriter, now: dt.datetime, checks=CHECK_SPECS) -> list:
    outcomes = [evaluate(writer, c, None, now=now) for c in checks]
    writer.record_check_results([to_record(o, run_id="test-run") for o in outcomes])
    return outcomes


def test_empty_datasets_are_errors_and_their_checks_skipped(capsys, tmp_path, loader):
    """Only the lists, the calendar and five days of daily: daily_basic and adj_factor
    hold no rows at all. Their coverage is an error, not an untouched green, and every
    check that had nothing to judge is skipped, not passed."""
    path, days = tmp_path / "warehouse.duckdb", LOADED_DAYS[-5:]
    with WarehouseWriter(path) as writer:
        loader.load(writer, "trade_cal", ["2024"])
        for api in ("stock_basic", "index_basic"):
            loader.load(writer, api, [None])
        loader.load(writer, "daily", [d.isoformat() for d in days])
        outcomes = _record_checks(writer, NOW)
        publish_snapshot(writer, tmp_path / "snapshots")
    code, report = _run(capsys, "--snapshot-dir", str(tmp_path / "snapshots"), "--now", NOW.isoformat(),
                        "--days", "5")
    assert code == 2
    cov = report["coverage"]
    assert cov["status"] == "error"
    window = f"the last 5 open days ({days[0]}..{days[-1]})"
    messages = [p["message"] for p in report["problems"]]
    for api in ("daily_basic", "adj_factor"):
        assert f"{api}: no rows on any of {window}" in messages
        assert {c["state"] for c in cov["cells"][api].values()} <= {"not_loaded", "closed"}
    assert not any(m.startswith("daily: no rows") for m in messages)
    # The tally agrees with what the runner said of each check, read back from quality_log.
    judged_nothing = {o.check.name for o in outcomes if not o.evaluated}
    tally = report["checks"]
    assert {s["check_name"] for s in tally["skipped"]} == judged_nothing
    assert d.HAS_ADJ_FACTOR_DAILY in judged_nothing and "ohlc_weekly" in judged_nothing
    assert tally["counts"] == {
        "passed": sum(o.passed and o.evaluated for o in outcomes),
        "failed": sum(not o.passed for o in outcomes),
        "skipped": len(judged_nothing), "never_run": 0,
    }
    skipped = next(s for s in tally["skipped"] if s["check_name"] == d.HAS_ADJ_FACTOR_DAILY)
    assert skipped["message"] == "not evaluated: normalized_adj_factor is empty"
    cli.main(["--snapshot-dir", str(tmp_path / "snapshots"), "--now", NOW.isoformat(), "--days", "5"])
    text = capsys.readouterr().out
    skipped_daily_basic = sum(1 for o in outcomes if not o.evaluated and o.check.asset == "daily_basic")
    assert f"{len(judged_nothing)} skipped" in text and f"daily_basic {skipped_daily_basic}" in text


def test_duplicates_dropped_and_absent_fields_per_dataset(capsys, tmp_path, loader, warehouse_copy):
    day = SPARE_DAYS[0].isoformat()
    absent_days = [x.isoformat() for x in LOADED_DAYS[-3:]]
    with WarehouseWriter(warehouse_copy) as writer:
        with faulty(loader.server, "duplicate_rows", api_name="daily", match={"trade_date": day.replace("-", "")}):
            dropped = loader.load(writer, "daily", [day]).outcomes[0].duplicates_dropped
        # A source that serves only what each spec requires, as an account without every
        # entitlement does: the optional fields are written as NULL and recorded absent.
        for absent_day in absent_days:
            with faulty(loader.server, "essential_only", api_name="daily",
                        match={"trade_date": absent_day.replace("-", "")}):
                assert not loader.load(writer, "daily", [absent_day]).failures
        with faulty(loader.server, "essential_only", api_name="stock_basic"):
            assert not loader.load(writer, "stock_basic", [None]).failures
        daily_partitions = int(writer.query(
            "SELECT count(*) AS n FROM ingest_progress WHERE api_name = 'daily' AND status = 'done'")["n"].iloc[0])
    snapshots = tmp_path / "snapshots"
    _publish(warehouse_copy, snapshots)
    code, report = _run(capsys, "--snapshot-dir", str(snapshots), "--now", evening(SPARE_DAYS[0]).isoformat())
    ledger = {e["dataset"]: e for e in report["ledger"]}
    assert dropped > 0 and ledger["daily"]["duplicates_dropped"] == dropped
    daily = ledger["daily"]["absent_fields"]
    # The simulator serves ah_vol/ah_amount only from 2026-07-06, as Tushare: every 2024
    # day lacks them; the essential-only days lack every optional field.
    assert daily["ah_vol"] == daily["ah_amount"] == daily_partitions
    assert daily["change"] == daily["pct_chg"] == len(absent_days)
    assert ledger["stock_basic"]["absent_fields"]["cnspell"] == 1
    assert ledger["daily_basic"]["absent_fields"] == {} and ledger["daily_basic"]["duplicates_dropped"] == 0
    page = tmp_path / "health.html"
    cli.main(["--snapshot-dir", str(snapshots), "--now", evening(SPARE_DAYS[0]).isoformat(), "--html", str(page)])
    text = capsys.readouterr().out
    assert f"daily: {ledger['daily']['done']} done" in text and f"{dropped} duplicates dropped" in text
    assert f"change ({len(absent_days)} partitions)" in text
    assert f"change ({len(absent_days)})" in page.read_text("utf-8")


def test_a_ledger_without_absent_fields_says_so(capsys, healthy):
    code, report = _run(capsys, "--snapshot-dir", str(healthy), "--now", NOW.isoformat())
    by = {e["dataset"]: e["absent_fields"] for e in report["ledger"]}
    assert code == 0 and by["daily_basic"] == {} and set(by["daily"]) == {"ah_vol", "ah_amount"}


def test_an_ended_calendar_reads_as_ended(capsys, healthy):
    later = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)
    code, report = _run(capsys, "--snapshot-dir", str(healthy), "--now", later.isoformat())
    cal = next(f for f in report["freshness"] if f["dataset"] == "trade_cal")
    assert cal["status"] == "error"
    assert cal["message"].startswith("trade_cal: ended on 2024-12-31, 700 days ago (needs to reach 30 days ahead)")
    assert not any(re.search(r"-\d+ days", f["message"]) for f in report["freshness"])
    short = dt.datetime(2024, 12, 10, 12, 0, tzinfo=dt.timezone.utc)
    _, report = _run(capsys, "--snapshot-dir", str(healthy), "--now", short.isoformat())
    cal = next(f for f in report["freshness"] if f["dataset"] == "trade_cal")
    assert cal["status"] == "warn" and "reaches only 2024-12-31, 21 days ahead (needs 30)" in cal["message"]


def test_problems_are_said_once(capsys, tmp_path, loader, warehouse_copy):
    """Two open days behind: the fresh_* checks recorded it, and the freshness section
    judges it again now. Each dataset's lag is one line, and no line repeats."""
    later = evening(SPARE_DAYS[1])
    with WarehouseWriter(warehouse_copy) as writer:
        outcomes = _record_checks(writer, later, [c for c in CHECK_SPECS if c.kind is d.CheckKind.FRESHNESS])
    assert sum(not o.passed for o in outcomes) == 3
    snapshots = tmp_path / "snapshots"
    _publish(warehouse_copy, snapshots)
    code, report = _run(capsys, "--snapshot-dir", str(snapshots), "--now", later.isoformat())
    assert code == 2
    messages = [p["message"] for p in report["problems"]]
    assert len(messages) == len(set(messages))
    for api in ("daily", "daily_basic", "adj_factor"):
        assert sum(api + ":" in m.split(" behind")[0] for m in messages) == 1, messages
        assert f"{api}: 2 open days behind: latest {LOADED_DAYS[-1]}, due {SPARE_DAYS[1]}" in messages
    # The stored results still show, with the other failed checks.
    assert {c["check_name"] for c in report["failed_checks"]} == {"fresh_daily", "fresh_daily_basic", "fresh_adj_factor"}
