"""The report as plain text, for a terminal or a cron mail."""

from __future__ import annotations

from collections import Counter
from typing import Any

from twilight_assets.monitor.palette import label

def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {label(state)}" for state, n in counts.items() if n) or "no weekdays"


def _ledger_line(entry: dict[str, Any]) -> str:
    line = (f"{entry['dataset']}: {entry['done']} done, {entry['market_closed']} market closed, "
            f"{entry['failed']} failed; {entry['duplicates_dropped']} duplicates dropped")
    absent = entry["absent_fields"]
    if absent is None:
        return line + "; absent fields not recorded"
    if absent:
        line += "; absent: " + ", ".join(f"{f} ({n} partitions)" for f, n in absent.items())
    return line


def render_text(report: dict[str, Any]) -> str:
    lines = [f"twilight monitor: {report['status'].upper()} (exit {report['exit_code']})"]
    snap = report.get("snapshot")
    if snap:
        lines.append(f"  {snap['message']}, {snap['size']}")
        lines.append(f"  today {report['today']} (Asia/Shanghai), latest open day due {report['due']}")
        lines.append("  freshness:")
        lines += [f"    [{f['status']:>5}] {f['message']}" for f in report["freshness"]]
        cov = report["coverage"]
        lines.append(f"  coverage of the last {len(cov.get('open_days', []))} open days: "
                     f"[{cov['status']}] {cov['message']}")
        hist = report["history"]
        if hist["datasets"]:
            lines.append(f"  history {hist['first']}..{hist['last']}, weekdays:")
            lines += [f"    {api:<12} {_counts(h['counts'])}" for api, h in hist["datasets"].items()]
        lines.append("  per-entity coverage:")
        lines += [f"    [{e['status']:>5}] {e['message']}" for e in report["entity_coverage"]]
        tally = report["checks"]
        lines.append(f"  checks: {tally['message']}")
        if tally["skipped"]:
            by_asset = Counter(s["asset"] for s in tally["skipped"])
            lines.append("    skipped, judged nothing (an empty table): "
                         + ", ".join(f"{asset} {n}" for asset, n in by_asset.items()))
        if report["ledger"]:
            lines.append("  ledger:")
            lines += [f"    {_ledger_line(e)}" for e in report["ledger"]]
    if report.get("problems"):
        lines.append("  problems:")
        lines += [f"    [{p['status']:>5}] {p['message']}" for p in report["problems"]]
    return "\n".join(lines)
