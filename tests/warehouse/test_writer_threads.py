"""Eight worker threads sharing one writer (the seed's A0.3)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from twilight_assets.specs import REGISTRY

from tests.warehouse.conftest import income_row, make_frame, make_raw, write_daily

THREADS = 8
PER_THREAD = 4


def test_eight_threads_share_one_writer(writer):
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(THREADS * PER_THREAD)]
    income = REGISTRY["income"]

    def work(worker: int) -> list[int]:
        raw_ids = []
        for day in days[worker::THREADS]:
            raw_ids.append(write_daily(writer, day.isoformat(), n=7).raw_id)
            code = f"{worker:06d}.SZ"
            frame = make_frame(income, [income_row(code, day.isoformat(), update_flag="0",
                                                   f_ann_date=day.isoformat(), revenue=float(worker))])
            raw_ids.append(writer.write_partition(income, code, frame, make_raw(income, code, frame)).raw_id)
            writer.mark_failed("daily_basic", day.isoformat(), f"worker {worker} gave up")
            assert len(writer.progress("daily")) >= 1  # reads interleave with writes
        return raw_ids

    with ThreadPoolExecutor(THREADS) as pool:
        raw_ids = [i for ids in pool.map(work, range(THREADS)) for i in ids]

    assert len(set(raw_ids)) == len(raw_ids) == THREADS * PER_THREAD * 2
    counts = writer.query(
        "SELECT (SELECT count(*) FROM normalized_daily) AS daily, "
        "(SELECT count(DISTINCT trade_date) FROM normalized_daily) AS days, "
        "(SELECT count(*) FROM normalized_income) AS income, "
        "(SELECT count(*) FROM raw_responses) AS raw"
    ).iloc[0].tolist()
    # A stock's partition is its whole history, and each write here served one report:
    # the partition mirrors the last answer, one row per stock.
    assert counts == [7 * len(days), len(days), THREADS, len(raw_ids)]
    summary = writer.query("SELECT api_name, done, failed, attempts FROM ingest_progress_summary ORDER BY 1")
    assert summary.values.tolist() == [
        ["daily", len(days), 0, len(days)],
        ["daily_basic", 0, len(days), len(days)],
        ["income", THREADS, 0, len(days)],
    ]
    # Every daily partition points at a raw row of its own partition.
    orphans = writer.query(
        "SELECT count(*) AS n FROM ingest_progress p JOIN raw_responses r USING (raw_id) "
        "WHERE r.progress_key <> p.progress_key"
    )["n"].item()
    assert orphans == 0
