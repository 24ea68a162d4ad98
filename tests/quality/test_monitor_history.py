"""The picture of decades: a multi-year warehouse built from the simulator over HTTP, with
failed, missing, closed and never-loaded days and stocks, read by `twilight monitor`;
the history's counts per state (JSON, HTML legend and drawn cells alike) and the
listing-year bars must match what was loaded, and `--png` must write a real picture."""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
from collections import Counter

import pytest

from tushare_sim.calendar import is_open
from tushare_sim.config import SimulatorConfig
from tushare_sim.server import SimulatorServer
from twilight_assets.monitor import cli
from twilight_assets.monitor.layout import year_weekdays
from twilight_assets.sources.tushare import RateLimiter, TushareSource
from twilight_assets.warehouse.snapshots import publish_snapshot
from twilight_assets.warehouse.writer import WarehouseWriter

from .conftest import Loader, evening, faulty

START, AS_OF = dt.date(2022, 1, 4), dt.date(2024, 6, 28)
WEEKDAYS = [START + dt.timedelta(days=i) for i in range((AS_OF - START).days + 1)
            if (START + dt.timedelta(days=i)).weekday() < 5]
OPEN = [d for d in WEEKDAYS if is_open(d)]
CLOSED = [d for d in WEEKDAYS if not is_open(d)]
FAILED = [OPEN[40], OPEN[41], OPEN[300]]
"""daily: the source served nothing for these open days, so their ingest failed."""
SKIPPED = [OPEN[200], OPEN[450], OPEN[451], OPEN[452]]
"""daily: never ingested, inside the loaded history: missing."""
ADJ_FACTOR_DAYS = [d for d in OPEN if d >= dt.date(2024, 6, 1)]
"""adj_factor: only June 2024; everything before is not loaded. daily_basic: nothing."""


@pytest.fixture(scope="module")
def decades(tmp_path_factory) -> dict:
    config = SimulatorConfig(seed=5, n_stocks=8, n_indexes=2, start=START, as_of=AS_OF)
    root = tmp_path_factory.mktemp("decades")
    with SimulatorServer(config) as server:
        source = TushareSource(
            server.token, server.url, source_name="simulator", rate_limiter=RateLimiter({}),
            max_retries=1, backoff_base_s=0.01, throttle_wait_s=0.1, today=lambda: AS_OF,
        )
        loader = Loader(server, source)
        codes = sorted(server.universe.codes)
        weekly_ok, weekly_failed = codes[:3], codes[3]
        with WarehouseWriter(root / "warehouse.duckdb") as writer:
            loader.load(writer, "trade_cal", [str(y) for y in range(START.year, AS_OF.year + 1)])
            loader.load(writer, "stock_basic", [None])
            loader.load(writer, "index_basic", [None])
            wanted = [d.isoformat() for d in WEEKDAYS if d not in SKIPPED and d not in FAILED]
            assert not loader.load(writer, "daily", wanted).failures
            for day in FAILED:
                with faulty(server, "missing_day", api_name="daily", match={"trade_date": day.strftime("%Y%m%d")}):
                    assert loader.load(writer, "daily", [day.isoformat()]).failures
            assert not loader.load(writer, "adj_factor", [d.isoformat() for d in ADJ_FACTOR_DAYS]).failures
            assert not loader.load(writer, "weekly", weekly_ok).failures
            server.add_fault("http_500", api_name="weekly", match={"ts_code": weekly_failed})
            assert loader.load(writer, "weekly", [weekly_failed]).failures
            server.clear_faults()
            publish_snapshot(writer, root / "snapshots")
        listed = {code: day.year for code, day in zip(server.universe.stocks["ts_code"],
                                                     server.universe.stocks["list_date"])}
    return {"snapshots": root / "snapshots", "root": root, "listed": listed,
            "weekly_ok": weekly_ok, "weekly_failed": weekly_failed}


@pytest.fixture(scope="module")
def rendered(decades) -> dict:
    page, picture = decades["root"] / "out" / "health.html", decades["root"] / "out" / "health.png"
    code = cli.main(["--snapshot-dir", str(decades["snapshots"]), "--now", evening(AS_OF).isoformat(),
                     "--json", "--html", str(page), "--png", str(picture)])
    return {"code": code, "page": page, "picture": picture}


def _report(decades, capsys) -> dict:
    cli.main(["--snapshot-dir", str(decades["snapshots"]), "--now", evening(AS_OF).isoformat(), "--json"])
    return json.loads(capsys.readouterr().out)


EXPECTED = {
    "daily": {"done": len(OPEN) - len(FAILED) - len(SKIPPED), "closed": len(CLOSED),
              "failed": len(FAILED), "missing": len(SKIPPED), "not_loaded": 0, "rows_on_closed_day": 0},
    "adj_factor": {"done": len(ADJ_FACTOR_DAYS), "closed": len(CLOSED), "failed": 0, "missing": 0,
                   "not_loaded": len(OPEN) - len(ADJ_FACTOR_DAYS), "rows_on_closed_day": 0},
    "daily_basic": {"done": 0, "closed": len(CLOSED), "failed": 0, "missing": 0,
                    "not_loaded": len(OPEN), "rows_on_closed_day": 0},
}


def test_history_counts_every_weekday_by_state(decades, capsys):
    report = _report(decades, capsys)
    history = report["history"]
    assert (history["first"], history["last"]) == (START.isoformat(), AS_OF.isoformat())
    assert history["years"] == [2022, 2023, 2024]
    for api, expected in EXPECTED.items():
        assert history["datasets"][api]["counts"] == expected, api
        years = history["datasets"][api]["years"]
        assert [len(years[str(y)]) for y in history["years"]] == [len(year_weekdays(y)) for y in history["years"]]
    # The letters sit on their days: a failed day's column is that weekday of its year.
    daily = history["datasets"]["daily"]["years"]
    for day in FAILED:
        assert daily[str(day.year)][year_weekdays(day.year).index(day)] == "f"
    for day in SKIPPED:
        assert daily[str(day.year)][year_weekdays(day.year).index(day)] == "m"
    # Before the history began (1-3 January 2022) and after the day due: outside, not drawn.
    assert daily["2022"][:year_weekdays(2022).index(START)].strip() == ""
    assert daily["2024"][year_weekdays(2024).index(AS_OF) + 1:].strip() == ""


def test_html_draws_the_heatmap_with_the_right_counts(rendered):
    assert rendered["code"] == 2
    text = rendered["page"].read_text("utf-8")
    assert not re.search(r"<(link|script|img)\b", text) and "src=" not in text
    for api, expected in EXPECTED.items():
        svg = re.search(rf'<svg [^>]*aria-label="{api} history">(.*?)</svg>', text, re.S).group(1)
        drawn = Counter()
        for state, days in re.findall(r'data-state="([a-z_]+)" data-days="(\d+)"', svg):
            drawn[state] += int(days)
        assert {s: drawn.get(s, 0) for s in expected} == expected, api
        legend = text[text.index(f"<h3>{api}</h3>"):text.index(f'aria-label="{api} history"')]
        shown = dict(re.findall(r'data-state="([a-z_]+)" data-count="(\d+)"', legend))
        assert {s: int(n) for s, n in shown.items()} == expected, api
    # Runs of one state are one rectangle: three years stay a few hundred elements.
    assert text.count("<rect") < 3000


def test_entities_by_listing_year(decades, rendered, capsys):
    weekly = next(e for e in _report(decades, capsys)["entity_coverage"] if e["dataset"] == "weekly")
    listed = decades["listed"]
    expected: dict[int, Counter] = {}
    for code, year in listed.items():
        part = ("ingested" if code in decades["weekly_ok"]
                else "failed" if code == decades["weekly_failed"] else "missing")
        expected.setdefault(year, Counter())[part] += 1
    got = {y["year"]: Counter({k: y[k] for k in ("ingested", "failed", "missing") if y[k]})
           for y in weekly["by_listing_year"]}
    assert got == expected
    assert (weekly["ingested"], weekly["failed"], weekly["missing"]) == (3, 1, len(listed) - 4)
    text = rendered["page"].read_text("utf-8")
    svg = re.search(r'<svg [^>]*aria-label="weekly by listing year">(.*?)</svg>', text, re.S).group(1)
    drawn: dict[int, Counter] = {}
    for part, year, count in re.findall(r'data-state="(\w+)" data-year="(\d+)" data-count="(\d+)"', svg):
        drawn.setdefault(int(year), Counter())[part] += int(count)
    assert drawn == expected
    assert len({y for y in listed.values()}) > 1  # the bars span several listing years


def test_png_is_a_real_picture(rendered):
    data = rendered["picture"].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert 1000 <= width <= 2000 and 400 <= height <= 3000, (width, height)
    assert len(data) > 20_000  # drawn, not blank


def test_text_report_sums_up_the_history(decades, capsys):
    code = cli.main(["--snapshot-dir", str(decades["snapshots"]), "--now", evening(AS_OF).isoformat()])
    out = capsys.readouterr().out
    assert code == 2
    expected = EXPECTED["daily"]
    assert (f"daily        {expected['done']:,} done, {expected['closed']} closed, "
            f"{expected['failed']} failed, {expected['missing']} missing") in out
    assert "daily_basic: no rows on any of the last 20 open days" in out


def test_png_without_a_snapshot_still_says_why(tmp_path):
    picture = tmp_path / "none.png"
    assert cli.main(["--snapshot-dir", str(tmp_path / "none"), "--png", str(picture)]) == 2
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

