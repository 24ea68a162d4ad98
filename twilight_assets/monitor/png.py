"""The report's picture as a PNG, for a notebook or a chat: the same history heatmaps and
listing-year bars as the HTML page, drawn with matplotlib (imported only when asked for,
so the text report stays quick)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from twilight_assets.monitor.coverage import OUTSIDE, STATES
from twilight_assets.monitor.layout import WEEKDAY_COLUMNS, month_columns
from twilight_assets.monitor.palette import ENTITY_COLORS, STATE_COLORS, STATUS_COLORS, label

WIDTH_IN = 13.0
DPI = 110
ENTITY_COLUMNS = 6
_CODES = [OUTSIDE, *STATES]
"""Matrix value i is the state letter _CODES[i]; 0 is outside the span (left blank)."""


def _heatmap(ax: Any, api: str, hist: dict[str, Any]) -> None:
    from matplotlib.colors import ListedColormap

    years = hist["years"]
    matrix = [[0] * WEEKDAY_COLUMNS for _ in years]
    for row, states in zip(matrix, years.values()):
        for column, code in enumerate(states):
            row[column] = _CODES.index(code)
    colors = ["#ffffff", *(STATE_COLORS[STATES[c]] for c in STATES)]
    ax.imshow(matrix, aspect="auto", interpolation="nearest", cmap=ListedColormap(colors),
              vmin=0, vmax=len(colors) - 1)
    labels = list(years)
    step = 1 if len(labels) <= 12 else 5
    ticks = [i for i, y in enumerate(labels) if i == len(labels) - 1 or int(y) % step == 0]
    ax.set_yticks(ticks, [labels[i] for i in ticks], fontsize=8)
    months = month_columns(int(labels[-1]))
    ax.set_xticks([c for c, _ in months], [m for _, m in months], fontsize=8)
    for boundary in range(1, len(labels)):
        ax.axhline(boundary - 0.5, color="#ffffff", linewidth=1.5)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    counts = "  ".join(f"{label(s)} {n:,}" for s, n in hist["counts"].items() if n)
    ax.set_title(f"{api}   {counts}", loc="left", fontsize=10)


def _listing_bars(ax: Any, entry: dict[str, Any]) -> None:
    """Bars at their listing years (entities without a list_date are left out here; the
    title's totals count them)."""
    from matplotlib.ticker import MaxNLocator

    years = [y for y in entry["by_listing_year"] if y["year"] is not None]
    xs = [y["year"] for y in years]
    bottom = [0] * len(years)
    for part, color in ENTITY_COLORS.items():
        heights = [y[part] for y in years]
        ax.bar(xs, heights, bottom=bottom, color=color, width=0.8, label=label(part))
        bottom = [b + h for b, h in zip(bottom, heights)]
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.tick_params(labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"{entry['dataset']}: {entry['ingested']} of {entry['entities']} ingested",
                 loc="left", fontsize=8)


def _legend(fig: Any, colors: dict[str, str]) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=c, label=label(s)) for s, c in colors.items()]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8, frameon=False)


def _title(report: dict[str, Any]) -> str:
    snap = report.get("snapshot")
    where = f"snapshot {snap['snapshot_id']} · latest open day due {report['due']}" if snap else "no snapshot"
    return f"Warehouse health: {report['status'].upper()}  ·  {where}"


def render_png(report: dict[str, Any], path: Path) -> None:
    from matplotlib.figure import Figure

    history = report.get("history") or {"datasets": {}}
    entities = [e for e in report.get("entity_coverage") or [] if e["by_listing_year"]]
    # Decades get thinner rows, so thirty years of three datasets stay one screenful or two.
    row_in = 0.17 if len(history.get("years", [])) <= 12 else 0.11
    heat_h = [0.55 + row_in * len(h["years"]) for h in history["datasets"].values()]
    entity_rows = math.ceil(len(entities) / ENTITY_COLUMNS)
    height = 1.0 + sum(heat_h) + 0.4 * len(heat_h) + 1.5 * entity_rows + (0.6 if entity_rows else 0)
    if not heat_h and not entity_rows:
        height = 2.0
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    fig.suptitle(_title(report), x=0.01, ha="left", fontsize=13, fontweight="bold",
                 color=STATUS_COLORS.get(report["status"], "#1d2330"))
    if not heat_h and not entity_rows:
        message = "; ".join(p["message"] for p in report.get("problems", [])) or "nothing to draw"
        fig.text(0.01, 0.5, message, fontsize=10, wrap=True)
        fig.savefig(path, format="png")
        return
    rows = [*heat_h, *([1.5] * entity_rows)]
    grid = fig.add_gridspec(len(rows), ENTITY_COLUMNS, height_ratios=rows)
    for i, (api, hist) in enumerate(history["datasets"].items()):
        _heatmap(fig.add_subplot(grid[i, :]), api, hist)
    listed = [y["year"] for e in entities for y in e["by_listing_year"] if y["year"] is not None]
    for k, entry in enumerate(entities):
        row, column = len(heat_h) + k // ENTITY_COLUMNS, k % ENTITY_COLUMNS
        ax = fig.add_subplot(grid[row, column])
        _listing_bars(ax, entry)
        if listed:  # one time axis for every panel, so the panels compare at a glance
            ax.set_xlim(min(listed) - 0.8, max(listed) + 0.8)
    legend = {**STATE_COLORS, **{f"entities {s}": c for s, c in ENTITY_COLORS.items()}}
    _legend(fig, legend)
    fig.savefig(path, format="png")
