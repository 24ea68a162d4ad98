"""`twilight monitor` over published snapshots: exit codes and JSON on a healthy and a
broken warehouse, the HTML page, and reading while another process holds the live file."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from twilight_assets import monitor
from twilight_assets.ingest import raw_response
from twilight_assets.specs import REGISTRY
from twilight_assets.checks import definitions as d
from twilight_assets.checks.definitions import CHECK_SPECS
from twilight_assets.checks.runner import evaluate, to_record
from twilight_assets.warehouse.reader import WarehouseReader
from twilight_assets.warehouse.snapshots import publish_snapshot
from twilight_assets.warehouse.writer import WarehouseWriter

from .conftest import LOADED_DAYS, NOW, SPARE_DAYS, evening, faulty

PROJECT = Path(__file__).resolve().parents[2]


def _publish(path: Path, snapshot_dir: Path) -> str:
    with WarehouseWriter(path) as writer:
        return publish_snapshot(writer, snapshot_dir).snapshot_id


def _run(capsys, *argv: str) -> tuple[int, dict]:
    code = monitor.main([*argv, "--json"])
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
    assert cov["open_days"] == [x.isoformat() for x in LOADED_DAYS[-monitor.COVERAGE_DAYS:]]
    states = {c["state"] for row in cov["cells"].values() for c in row.values()}
    assert states == {"ok", "closed"}  # the window holds a weekday holiday (Dragon Boat)
    assert all(e["share"] == 1.0 for e in report["entity_coverage"])


def test_one_day_behind_is_a_warning(capsys, healthy):
    # The next open day's data is due (after the cutoff) but not loaded: 1 day behind.
    later = evening(SPARE_DAYS[0])
    code, report = _run(capsys, "--snapshot-dir", str(healthy), "--now", later.isoformat())
    assert code == 1
    behind = {f["dataset"] for f in report["freshness"] if f["status"] == "warn"}
    assert behind == {"daily", "daily_basic", "adj_factor"}
    assert all("1 open day(s) behind" in p["message"] for p in report["problems"])


def test_no_snapshot_exits_2(capsys, tmp_path):
    code = monitor.main(["--snapshot-dir", str(tmp_path / "none")])
    captured = capsys.readouterr()
    assert code == 2
    assert "no snapshot has been published" in captured.err
    assert monitor.main(["--snapshot-dir", str(tmp_path / "none"), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "error" and report["snapshot"] is None


def _broken_warehouse(loader, path: Path) -> tuple[dt.date, str, str]:
    """A hole on an open day, an OHLC violation, rows on a holiday, and check results in
    quality_log."""
    hole, after = SPARE_DAYS[0], SPARE_DAYS[1]
    bad_day = LOADED_DAYS[-1]
    near_holiday = dt.date(2024, 6, 13)  # the simulator closes 2024-06-12 (Dragon Boat)
    with WarehouseWriter(path) as writer:
        # Ingest refuses rows dated outside their partition, so they come in past it,
        # straight through the writer: the monitor must still see them.
        with faulty(loader.server, "rows_on_closed_day", api_name="adj_factor",
                    match={"trade_date": near_holiday.strftime("%Y%m%d")}):
            fetched = loader.source.fetch(REGISTRY["adj_factor"], near_holiday.isoformat())
        writer.write_partition(REGISTRY["adj_factor"], near_holiday.isoformat(), fetched.frame, raw_response(fetched))
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
    assert report["coverage"]["cells"]["daily_basic"][hole.isoformat()]["state"] == "ok"
    assert report["coverage"]["cells"]["adj_factor"][holiday]["state"] == "rows_on_closed_day"
    assert report["coverage"]["cells"]["daily"][holiday]["state"] == "closed"
    assert f"adj_factor {holiday}: rows on closed day" in report["coverage"]["message"]
    failed = {c["check_name"]: c for c in report["failed_checks"]}
    # high < low also puts the day's VWAP outside [low, high], and 3 rows on the holiday
    # are far below the median day (both WARN checks).
    assert set(failed) == {d.OHLC_DAILY, d.OPEN_DAYS_COVERED_DAILY, d.VWAP_DAILY,
                           d.CLOSED_DAYS_EMPTY_ADJ_FACTOR, d.ROW_COUNT_BAND_ADJ_FACTOR}
    ohlc = failed[d.OHLC_DAILY]
    assert ohlc["status"] == "error" and ohlc["failed_rows"] == 1
    assert ohlc["samples"][0]["ts_code"] == bad_code and bad_code in ohlc["message"]
    assert hole.isoformat() in failed[d.OPEN_DAYS_COVERED_DAILY]["message"]
    # The page stands alone: inline style and SVG, nothing fetched from anywhere.
    text = page.read_text("utf-8")
    assert "<svg" in text and "<style>" in text
    assert not re.search(r"<(link|script|img)\b", text) and "src=" not in text
    assert f"daily {hole.isoformat()}: failed" in text and bad_code in text


def test_build_report_api_names_each_section(healthy):
    with WarehouseReader(healthy) as reader:
        report = monitor.build_report(reader, now=NOW, coverage_days=5)
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
    code = monitor.main(["--snapshot-dir", str(snapshots), "--now", NOW.isoformat(),
                         "--watch", "0.01", "--iterations", "2"])
    out = capsys.readouterr().out
    assert code == 0 and out.count("twilight monitor: OK") == 2 and first in out
