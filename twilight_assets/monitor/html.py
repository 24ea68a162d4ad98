"""The report as one self-contained HTML page: inline CSS and SVG, nothing fetched.

Pictures: the recent strip (open days x per-date datasets), per per-date dataset a
heatmap of its whole history (years down, weekdays across; runs of one state drawn as one
rectangle, so decades stay a few thousand elements), and per per-entity dataset a bar per
listing year. Every rectangle carries `data-state` (and the history's `data-days`) and a
tooltip, so the page can be read by a person and checked by a test alike.
"""

from __future__ import annotations

import html
import json
from typing import Any

from twilight_assets.monitor.coverage import OUTSIDE, STATES
from twilight_assets.monitor.layout import WEEKDAY_COLUMNS, month_columns, runs, year_weekdays
from twilight_assets.monitor.palette import ENTITY_COLORS, STATE_COLORS, STATUS_COLORS, label

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px} h3{font-size:14px;margin:14px 0 4px}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-weight:600}
table{border-collapse:collapse;font-size:13px;background:#fff}
td,th{border:1px solid #e1e4e8;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f7} .muted{color:#6a7280;font-size:13px}
pre{margin:0;font-size:12px;white-space:pre-wrap}
.bar{height:10px;background:#e6e8eb;border-radius:5px;width:160px}
.bar span{display:block;height:10px;border-radius:5px;background:#2e9e5b}
.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 3px 0 10px}
.entities{display:flex;flex-wrap:wrap;gap:8px 24px}
""" + "".join(f".{s}{{background:{c}}}" for s, c in STATUS_COLORS.items())

STRIP_CELL = 18
CELL_W, CELL_H, ROW_GAP = 3, 10, 2
"""History heatmap: pixels per weekday, per year row, and between rows."""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _badge(status: str) -> str:
    return f'<span class="badge {_esc(status)}">{_esc(status.upper())}</span>'


def _key(color: str, text: str, attrs: str = "") -> str:
    return f'<span class="key" style="background:{color}"></span><span{attrs}>{_esc(text)}</span>'


def _svg(width: float, height: float, name: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
            f'role="img" aria-label="{_esc(name)}">' + "".join(body) + "</svg>")


def strip_svg(coverage: dict[str, Any]) -> str:
    """The recent strip: open days (and holidays between) across, per-date datasets down."""
    dates, datasets = coverage["dates"], coverage["datasets"]
    cell, left, top = STRIP_CELL, 110, 70
    parts = []
    for j, day in enumerate(dates):
        x = left + j * cell + cell / 2
        parts.append(f'<text x="{x}" y="{top - 6}" font-size="10" transform="rotate(-60 {x} {top - 6})">'
                     f"{_esc(day[5:])}</text>")
    for i, api in enumerate(datasets):
        y = top + i * cell
        parts.append(f'<text x="{left - 6}" y="{y + 13}" font-size="12" text-anchor="end">{_esc(api)}</text>')
        for j, day in enumerate(dates):
            c = coverage["cells"][api][day]
            tip = f"{api} {day}: {label(c['state'])}, {c['rows']} rows" + (f" ({c['error']})" if c.get("error") else "")
            parts.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" rx="2" '
                f'fill="{STATE_COLORS[c["state"]]}" data-state="{c["state"]}"><title>{_esc(tip)}</title></rect>'
            )
    return _svg(left + cell * len(dates) + 10, top + cell * len(datasets) + 10, "recent coverage", parts)


def history_svg(api: str, years: dict[str, str]) -> str:
    """One dataset's history: a row per year, a column per weekday from 1 January."""
    left, top = 44, 16
    parts = []
    reference = max(int(y) for y in years)
    for column, month in month_columns(reference):
        parts.append(f'<text x="{left + column * CELL_W}" y="{top - 5}" font-size="10">{month}</text>')
    for i, (year, states) in enumerate(years.items()):
        y = top + i * (CELL_H + ROW_GAP)
        parts.append(f'<text x="{left - 6}" y="{y + CELL_H - 1}" font-size="10" text-anchor="end">{year}</text>')
        days = year_weekdays(int(year))
        for start, length, code in runs(states):
            if code == OUTSIDE:
                continue
            state = STATES[code]
            first, last = days[start], days[start + length - 1]
            when = f"{first}" if length == 1 else f"{first}..{last}"
            tip = f"{api} {when}: {label(state)}" + (f" ({length} weekdays)" if length > 1 else "")
            parts.append(
                f'<rect x="{left + start * CELL_W}" y="{y}" width="{length * CELL_W}" height="{CELL_H}" '
                f'fill="{STATE_COLORS[state]}" data-state="{state}" data-days="{length}">'
                f"<title>{_esc(tip)}</title></rect>"
            )
    height = top + len(years) * (CELL_H + ROW_GAP) + 4
    return _svg(left + WEEKDAY_COLUMNS * CELL_W + 8, height, f"{api} history", parts)


def listing_years_svg(entry: dict[str, Any], first: int, last: int) -> str:
    """One per-entity dataset: per listing year from `first` to `last` (the same axis for
    every dataset), a bar of entities ingested, failed and missing; a last bar, "?", for
    entities listed without a date."""
    years = entry["by_listing_year"]
    left, top, plot_h, slot = 4, 6, 64, max(4, min(14, 420 // max(last - first + 2, 1)))
    tallest = max((y["ingested"] + y["failed"] + y["missing"] for y in years), default=0) or 1
    parts = []
    for y in years:
        column = (last - first + 1) if y["year"] is None else y["year"] - first
        x, base = left + column * slot, top + plot_h
        year = "unknown" if y["year"] is None else str(y["year"])
        tip = (f"{entry['dataset']}, listed {year}: {y['ingested']} ingested, "
               f"{y['failed']} failed, {y['missing']} missing")
        for part, color in ENTITY_COLORS.items():
            if not y[part]:
                continue
            h = plot_h * y[part] / tallest
            base -= h
            parts.append(f'<rect x="{x}" y="{base:.2f}" width="{slot - 1}" height="{h:.2f}" fill="{color}" '
                         f'data-state="{part}" data-year="{_esc(year)}" data-count="{y[part]}">'
                         f"<title>{_esc(tip)}</title></rect>")
    ticks = [(year - first, f"'{year % 100:02d}") for year in range(first, last + 1)
             if year in (first, last) or year % 10 == 0]
    if any(y["year"] is None for y in years):
        ticks.append((last - first + 1, "?"))
    for column, text in ticks:
        parts.append(f'<text x="{left + column * slot + slot / 2}" y="{top + plot_h + 12}" font-size="9" '
                     f'text-anchor="middle">{text}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h + 0.5}" x2="{left + (last - first + 2) * slot}" '
                 f'y2="{top + plot_h + 0.5}" stroke="#c9ced6"/>')
    return _svg(left + (last - first + 2) * slot + 8, top + plot_h + 16, f"{entry['dataset']} by listing year", parts)


def _history_section(report: dict[str, Any]) -> list[str]:
    hist = report["history"]
    if not hist["datasets"]:
        return ["<h2>History</h2><p class='muted'>trade_cal has no open day due yet</p>"]
    out = [f"<h2>History: every weekday, {_esc(hist['first'])} .. {_esc(hist['last'])}</h2>",
           "<p class='muted'>a row per year, a column per weekday from 1 January; hover for days</p>"]
    for api, h in hist["datasets"].items():
        counts = " ".join(
            _key(STATE_COLORS[s], f"{label(s)} {n:,}", f' class="count" data-state="{s}" data-count="{n}"')
            for s, n in h["counts"].items()
        )
        out.append(f"<h3>{_esc(api)}</h3><div class='muted'>{counts}</div>{history_svg(api, h['years'])}")
    return out


def _entity_section(report: dict[str, Any]) -> list[str]:
    out = ["<h2>Per-entity coverage</h2><table><tr><th>dataset</th><th>ingested</th><th></th>"
           "<th>failed</th><th>missing</th><th>with rows</th><th>status</th></tr>"]
    for e in report["entity_coverage"]:
        out.append(f"<tr><td>{_esc(e['dataset'])}</td><td>{e['ingested']} / {e['entities']}</td>"
                   f"<td><div class='bar'><span style='width:{e['share'] * 100:.1f}%'></span></div></td>"
                   f"<td>{e['failed']}</td><td>{e['missing']}</td><td>{e['with_rows']}</td>"
                   f"<td>{_badge(e['status'])}</td></tr>")
    out.append("</table><h3>By listing year</h3><div class='muted'>"
               + " ".join(_key(c, label(s)) for s, c in ENTITY_COLORS.items()) + "</div><div class='entities'>")
    listed = [y["year"] for e in report["entity_coverage"] for y in e["by_listing_year"] if y["year"] is not None]
    if not listed:
        return out + ["</div><p class='muted'>no entity has a listing date yet</p>"]
    for e in report["entity_coverage"]:
        out.append(f"<div><div class='muted'>{_esc(e['dataset'])}: {e['ingested']} of {e['entities']} "
                   f"ingested</div>{listing_years_svg(e, min(listed), max(listed))}</div>")
    return out + ["</div>"]


def _checks_section(report: dict[str, Any]) -> list[str]:
    tally = report["checks"]
    out = [f"<h2>Checks</h2><p class='muted'>{_esc(tally['message'])}</p>"]
    if tally["skipped"]:
        out.append("<h3>Skipped: judged nothing</h3><table><tr><th>check</th><th>asset</th>"
                   "<th>why</th><th>at (UTC)</th><th></th></tr>")
        out += [f"<tr><td>{_esc(s['check_name'])}</td><td>{_esc(s['asset'])}</td><td>{_esc(s['message'])}</td>"
                f"<td>{_esc(s['evaluated_at'])}</td><td>{_badge(s['status'])}</td></tr>" for s in tally["skipped"]]
        out.append("</table>")
    out.append(f"<h3>Failed ({len(report['failed_checks'])})</h3>")
    if not report["failed_checks"]:
        return out + ["<p class='muted'>none</p>"]
    out.append("<table><tr><th>check</th><th>asset</th><th>partition</th><th>severity</th>"
               "<th>failed rows</th><th>message</th><th>samples</th></tr>")
    for c in report["failed_checks"]:
        samples = json.dumps(c["samples"], ensure_ascii=False, indent=1)
        out.append(f"<tr><td>{_esc(c['check_name'])}</td><td>{_esc(c['asset'])}</td>"
                   f"<td>{_esc(c['partition'] or 'all')}</td><td>{_badge(c['status'])}</td>"
                   f"<td>{c['failed_rows']}</td><td>{_esc(c['message'])}</td><td><pre>{_esc(samples)}</pre></td></tr>")
    return out + ["</table>"]


def _ledger_section(report: dict[str, Any]) -> list[str]:
    out = ["<h2>Ingest ledger</h2><table><tr><th>dataset</th><th>done</th><th>market closed</th>"
           "<th>failed</th><th>duplicates dropped</th><th>absent fields (partitions)</th></tr>"]
    for e in report["ledger"]:
        absent = e["absent_fields"]
        words = ("not recorded" if absent is None
                 else ", ".join(f"{f} ({n})" for f, n in absent.items()) or "none")
        out.append(f"<tr><td>{_esc(e['dataset'])}</td><td>{e['done']}</td><td>{e['market_closed']}</td>"
                   f"<td>{e['failed']}</td><td>{e['duplicates_dropped']}</td><td>{_esc(words)}</td></tr>")
    out.append(f"</table><h3>Failures ({len(report['ingest_failures'])})</h3>")
    if not report["ingest_failures"]:
        return out + ["<p class='muted'>none</p>"]
    out.append("<table><tr><th>dataset</th><th>partition</th><th>attempts</th><th>last error</th><th>at (UTC)</th></tr>")
    out += [f"<tr><td>{_esc(f['api_name'])}</td><td>{_esc(f['partition_key'])}</td><td>{f['attempts']}</td>"
            f"<td>{_esc(f['last_error'])}</td><td>{_esc(f['updated_at'])}</td></tr>" for f in report["ingest_failures"]]
    return out + ["</table>"]


def render_html(report: dict[str, Any]) -> str:
    out = ["<!doctype html><html><head><meta charset='utf-8'><title>twilight monitor</title>",
           f"<style>{_CSS}</style></head><body>",
           f"<h1>Warehouse health {_badge(report['status'])}</h1>",
           f"<div class='muted'>generated {_esc(report['generated_at'])} · exit code {report['exit_code']}</div>"]
    if report["problems"]:
        out += ["<h2>Problems</h2><ul>"]
        out += [f"<li>{_badge(p['status'])} {_esc(p['message'])}</li>" for p in report["problems"]]
        out.append("</ul>")
    snap = report.get("snapshot")
    if not snap:
        return "".join(out + ["</body></html>"])
    out.append(f"<p class='muted'>{_esc(snap['message'])} · "
               f"{snap['size']} · today {_esc(report['today'])} (Asia/Shanghai) · "
               f"latest open day due {_esc(report['due'])}</p>")
    cov = report["coverage"]
    out.append(f"<h2>Recent coverage: open days × datasets {_badge(cov['status'])}</h2>")
    out.append(strip_svg(cov) + "<div class='muted'>"
               + " ".join(_key(c, label(s)) for s, c in STATE_COLORS.items()) + "</div>")
    out += _history_section(report)
    out += _entity_section(report)
    out.append("<h2>Freshness</h2><table><tr><th>dataset</th><th>latest</th><th>due</th>"
               "<th>last success (UTC)</th><th>status</th><th></th></tr>")
    out += [f"<tr><td>{_esc(f['dataset'])}</td><td>{_esc(f['latest'])}</td><td>{_esc(f['expected'])}</td>"
            f"<td>{_esc(f['last_success_at'])}</td><td>{_badge(f['status'])}</td><td>{_esc(f['message'])}</td></tr>"
            for f in report["freshness"]]
    out.append("</table>")
    out += _checks_section(report)
    out += _ledger_section(report)
    return "".join(out + ["</body></html>"])
