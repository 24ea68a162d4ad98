"""Quality checks as quality_log records them: what failed, what judged nothing, and a
tally per check, so an empty table's checks never pass for green."""

from __future__ import annotations

import json
from typing import Any

from twilight_assets.checks.definitions import CHECK_REGISTRY, CheckKind
from twilight_assets.checks.runner import NOT_EVALUATED
from twilight_assets.monitor.reading import records, sql
from twilight_assets.monitor.status import ERROR, SKIPPED, WARN
from twilight_assets.warehouse.reader import WarehouseReader

MAX_FAILED_CHECKS = 50


def is_freshness_check(name: str) -> bool:
    check = CHECK_REGISTRY.get(name)
    return check is not None and check.kind is CheckKind.FRESHNESS


def failed_checks(reader: WarehouseReader) -> list[dict[str, Any]]:
    """The standing failures: the latest result per check and partition that failed
    (a later full sweep of the same check supersedes older partition results)."""
    if "quality_log" not in reader.relations():
        return []
    rows = records(
        reader,
        f"SELECT * EXCLUDE (outcome) FROM ({sql('check_results.sql')}) WHERE outcome = 'failed' "
        "ORDER BY severity = 'ERROR' DESC, evaluated_at DESC, check_name LIMIT $2",
        [NOT_EVALUATED, MAX_FAILED_CHECKS],
    )
    for row in rows:
        row["samples"] = json.loads(row["samples"]) if row["samples"] else []
        row["status"] = ERROR if row["severity"] == "ERROR" else WARN
    return rows


def check_tally(reader: WarehouseReader) -> dict[str, Any]:
    """Every registered check as failed (any standing result failed), skipped (its latest
    result judged nothing), passed, or never run (no result at all)."""
    standing: dict[str, dict[str, Any]] = {}
    if "quality_log" in reader.relations():
        standing = {
            r["check_name"]: r
            for r in records(
                reader,
                "SELECT check_name, "
                "count(*) FILTER (WHERE outcome = 'failed') AS failed, "
                "arg_max(outcome, evaluated_at) AS latest, arg_max(message, evaluated_at) AS message, "
                f"max(evaluated_at) AS evaluated_at FROM ({sql('check_results.sql')}) GROUP BY check_name",
                [NOT_EVALUATED],
            )
        }
    outcomes: dict[str, str] = {}
    skipped = []
    for name, check in CHECK_REGISTRY.items():
        row = standing.get(name)
        if row is None:
            outcomes[name] = "never_run"
        elif row["failed"]:
            outcomes[name] = "failed"
        elif row["latest"] == "skipped":
            outcomes[name] = "skipped"
            skipped.append({"check_name": name, "asset": check.asset, "message": row["message"],
                            "evaluated_at": row["evaluated_at"], "status": SKIPPED})
        else:
            outcomes[name] = "passed"
    counts = {k: sum(1 for v in outcomes.values() if v == k)
              for k in ("passed", "failed", "skipped", "never_run")}
    return {
        "counts": counts, "skipped": skipped,
        "message": ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()),
    }
