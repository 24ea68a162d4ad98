"""Colours shared by the HTML page and the PNG, so both pictures read the same."""

from __future__ import annotations

STATE_COLORS = {
    "done": "#2e9e5b",
    "closed": "#aab2bd",
    "failed": "#8e1b1b",
    "missing": "#e03131",
    "not_loaded": "#eceef1",
    "rows_on_closed_day": "#7b3fb5",
}
"""Per-date day states (coverage.STATES)."""
ENTITY_COLORS = {"ingested": "#2e9e5b", "failed": "#8e1b1b", "missing": "#e03131"}
"""Per-entity coverage by listing year, stacked in this order from the bottom."""
STATUS_COLORS = {"ok": "#2e9e5b", "warn": "#d08a12", "error": "#c93636", "skipped": "#7a8494"}


def label(name: str) -> str:
    return name.replace("_", " ")
