"""dlt's merge into DuckDB, one pipeline run per trading day (runs in .venv-peers).

Usage: python dlt_merge.py BATCH_DIR DB_PATH PIPELINES_DIR
Reads batches.json in BATCH_DIR (the order of runs), loads each Parquet batch before the
clock starts, then times `pipeline.run(... write_disposition="merge", primary_key=...)`
per batch: extract, normalize and load, as a user's daily job would run it. Prints one
JSON object: seconds and rows per run.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import dlt
import pyarrow.parquet as pq


def main(batch_dir: Path, db_path: Path, pipelines_dir: Path) -> dict:
    order = json.loads((batch_dir / "batches.json").read_text())
    tables = [pq.read_table(batch_dir / item["file"]) for item in order]
    pipeline = dlt.pipeline(
        pipeline_name="bench_dlt_merge",
        destination=dlt.destinations.duckdb(str(db_path)),
        dataset_name="bench",
        pipelines_dir=str(pipelines_dir),
    )
    seconds = []
    for table in tables:
        started = time.perf_counter()
        pipeline.run(
            table, table_name="daily", write_disposition="merge",
            primary_key=("ts_code", "trade_date"),
        )
        seconds.append(time.perf_counter() - started)
    with pipeline.sql_client() as client:
        rows = client.execute_sql("SELECT count(*) FROM daily")[0][0]
    return {
        "seconds": seconds, "rows": [t.num_rows for t in tables], "table_rows": rows,
        "version": dlt.__version__,
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))))
