"""`twilight rebuild`: re-normalize partitions from the raw archive, without the source.

Every partition write recorded its response in raw_responses and the pages in the raw
archive, so a table can be rebuilt offline (after a normalizer fix, a lost table, a move
to another backend): each recorded response is read back, verified against its sha256,
normalized exactly as ingest normalizes a fresh one, and written through the same write
path (`WarehouseWriter.write_partition`, with the recorded response's id and time, so the
rows equal what ingest wrote). No HTTP call is made.

Per partition, the responses are replayed oldest first: the normalized table ends as the
latest response left it, and a financial dataset's revisions table regains every version
any response ever served.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass, field

from twilight_assets import config
from twilight_assets.errors import TwilightError
from twilight_assets.sources.normalize import empty_frame, normalize
from twilight_assets.specs import REGISTRY, DatasetSpec, get_spec
from twilight_assets.warehouse.archive import Archive
from twilight_assets.warehouse.backend import open_backend
from twilight_assets.warehouse.ledger import canonical_partition
from twilight_assets.warehouse.raw import StoredResponse, stored
from twilight_assets.warehouse.writer import WarehouseWriter

log = logging.getLogger("twilight_assets.rebuild")


@dataclass
class RebuildReport:
    api_name: str
    partitions: int = 0
    responses: int = 0
    rows_written: int = 0
    failed: list[str] = field(default_factory=list)


def responses_to_replay(
    writer: WarehouseWriter, spec: DatasetSpec, partitions: list[str] | None
) -> dict[str, list[StoredResponse]]:
    """Recorded responses per partition, oldest first. Only the latest matters for the
    normalized table; a dataset that keeps revisions replays them all."""
    where, params = "api_name = ?", [spec.api_name]
    if partitions is not None:
        where += " AND list_contains(?, partition_key)"
        params.append([canonical_partition(spec.api_name, p) for p in partitions])
    with writer.quiesced() as conn:
        rows = stored(conn, where, params)
    by_partition: dict[str, list[StoredResponse]] = {}
    for row in rows:
        by_partition.setdefault(row.response.partition_key, []).append(row)
    if spec.revisions_table is None:
        by_partition = {k: v[-1:] for k, v in by_partition.items()}
    return by_partition


def rebuild_dataset(
    writer: WarehouseWriter, archive: Archive, spec: DatasetSpec, partitions: list[str] | None = None
) -> RebuildReport:
    report = RebuildReport(spec.api_name)
    for partition, responses in sorted(responses_to_replay(writer, spec, partitions).items()):
        report.partitions += 1
        try:
            rows = 0
            for recorded in responses:
                rows = _replay(writer, archive, spec, partition, recorded)
                report.responses += 1
            report.rows_written += rows  # what the partition holds: its latest response's rows
        except TwilightError as exc:
            log.warning("%s %s: rebuild failed: %s", spec.api_name, partition, exc)
            report.failed.append(f"{partition}: {exc}")
    return report


def fill_revisions(writer: WarehouseWriter, archive: Archive, spec: DatasetSpec) -> RebuildReport:
    """Every version every recorded response served, into revisions_<api> only: the
    normalized rows and the ledger stay as they are."""
    report = RebuildReport(spec.api_name)
    for partition, responses in sorted(responses_to_replay(writer, spec, None).items()):
        report.partitions += 1
        try:
            for recorded in responses:
                if recorded.response.archive is not None:
                    frame = normalize(spec, partition, archive.load(recorded.response.archive)).frame
                    report.rows_written += writer.record_revisions(spec, partition, frame, recorded)
                report.responses += 1
        except TwilightError as exc:
            log.warning("%s %s: revisions not filled: %s", spec.api_name, partition, exc)
            report.failed.append(f"{partition}: {exc}")
    return report


def _replay(writer: WarehouseWriter, archive: Archive, spec: DatasetSpec, partition: str,
            recorded: StoredResponse) -> int:
    raw = recorded.response
    status = "done"
    if raw.archive is None:  # a market-closed day: nothing was fetched
        frame = empty_frame(spec)
        status = "market_closed"
    else:
        frame = normalize(spec, None if not spec.is_partitioned else partition,
                          archive.load(raw.archive)).frame
    result = writer.write_partition(spec, partition, frame, raw, status=status, rewrite_of=recorded)
    return result.rows_written


def main(argv: list[str] | None = None) -> int:
    """`twilight rebuild DATASET [--partition KEY ...]`"""
    parser = argparse.ArgumentParser(
        prog="twilight rebuild",
        description="Re-normalize a dataset's partitions from the raw archive (no call to Tushare).",
    )
    parser.add_argument("dataset", choices=sorted(REGISTRY), metavar="DATASET",
                        help=f"one of: {', '.join(REGISTRY)}")
    parser.add_argument("--partition", action="append", default=None, metavar="KEY",
                        help="a partition to rebuild (repeat for several; default: every recorded one)")
    args = parser.parse_args(argv)
    spec = get_spec(args.dataset)
    archive = Archive(config.archive_root())
    try:
        with open_backend().writer() as writer:
            report = rebuild_dataset(writer, archive, spec, args.partition)
    except TwilightError as exc:
        print(f"twilight rebuild: {exc}", file=sys.stderr)
        return 1
    print(f"{spec.api_name}: {report.partitions} partitions rebuilt from {report.responses} archived "
          f"responses, {report.rows_written} rows; {len(report.failed)} failed")
    for line in report.failed[:50]:
        print(f"  failed {line}")
    return 1 if report.failed else 0
