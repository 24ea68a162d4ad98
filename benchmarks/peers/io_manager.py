"""dagster-duckdb-pandas's DuckDBPandasIOManager, one partition per trading day
(runs in .venv-peers).

Usage: python io_manager.py BATCH_DIR DB_PATH
A daily-partitioned asset returns the day's DataFrame (loaded before the clock starts);
`dg.materialize` stores it through the IO manager, which deletes the partition's rows
and inserts the frame. Two figures per partition: the IO manager's own store
(connect, delete, insert, close: what it adds over returning a frame) and the whole
in-process materialization. Prints one JSON object.
"""

import json
import sys
import time
from pathlib import Path

import dagster as dg
import pandas as pd
from dagster._core.storage.db_io_manager import DbIOManager
from dagster_duckdb_pandas import DuckDBPandasIOManager

STORE_SECONDS: list[float] = []


class _TimedDbIOManager(DbIOManager):
    def handle_output(self, context, obj) -> None:
        started = time.perf_counter()
        super().handle_output(context, obj)
        STORE_SECONDS.append(time.perf_counter() - started)


class TimedDuckDBPandasIOManager(DuckDBPandasIOManager):
    """The stock IO manager; only the store is timed around the unchanged call."""

    def create_io_manager(self, context) -> DbIOManager:
        stock = super().create_io_manager(context)
        timed = _TimedDbIOManager.__new__(_TimedDbIOManager)
        timed.__dict__.update(stock.__dict__)
        return timed


def main(batch_dir: Path, db_path: Path) -> dict:
    # (no `from __future__ import annotations`: Dagster reads the asset's annotations)
    order = json.loads((batch_dir / "batches.json").read_text())
    frames = {}
    for item in order:
        frame = pd.read_parquet(batch_dir / item["file"])
        frame["trade_date"] = pd.to_datetime(frame["trade_date"])
        frames.setdefault(item["day"], []).append(frame)
    days = sorted(frames)
    # A user's daily asset: calendar days from the first batch (weekends simply unused).
    partitions = dg.DailyPartitionsDefinition(start_date=days[0])
    current: dict[str, pd.DataFrame] = {}

    @dg.asset(
        name="daily", key_prefix=["bench"], partitions_def=partitions,
        metadata={"partition_expr": "trade_date"},
    )
    def daily(context) -> pd.DataFrame:
        return current[context.partition_key]

    io_manager = TimedDuckDBPandasIOManager(database=str(db_path), schema="bench")
    seconds, rows = [], []
    # A throwaway on-disk (SQLite) instance, like a user's DAGSTER_HOME.
    with dg.instance_for_test() as instance:
        for item in order:
            day = item["day"]
            current[day] = frames[day].pop(0)
            started = time.perf_counter()
            result = dg.materialize(
                [daily], partition_key=day, resources={"io_manager": io_manager},
                instance=instance,
            )
            seconds.append(time.perf_counter() - started)
            rows.append(len(current[day]))
            if not result.success:
                raise RuntimeError(f"materializing partition {day} failed")
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as conn:
        table_rows = conn.execute("SELECT count(*) FROM bench.daily").fetchall()[0][0]
    return {
        "seconds": seconds, "store_seconds": STORE_SECONDS, "rows": rows,
        "table_rows": table_rows, "version": dg.__version__,
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
