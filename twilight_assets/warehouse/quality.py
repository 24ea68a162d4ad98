"""One evaluated data quality check, as the warehouse's quality_log stores it.

Checks themselves live in twilight_assets/checks (they know Dagster); this module only
describes a result so the writer can append it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SEVERITIES = ("WARN", "ERROR")


@dataclass(frozen=True)
class CheckRecord:
    run_id: str | None
    asset: str
    check_name: str
    partition: str | None  # a partition key, or a range "a..b"
    severity: str  # "WARN" | "ERROR"
    passed: bool
    metric: float | None
    threshold: float | None
    failed_rows: int
    samples: list[dict]  # a few failing rows, JSON-serialisable (dates as ISO strings)
    message: str
    evaluated_at: dt.datetime

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(
                f"check {self.check_name} on {self.asset}: severity must be one of "
                f"{SEVERITIES}, not {self.severity!r}"
            )
