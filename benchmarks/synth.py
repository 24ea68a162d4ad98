"""A full-size warehouse made in seconds to minutes by DuckDB SQL, not by 10 years of calls.

The tables are the real ones (the writer applies the project's DDL); only the rows are
synthetic, and consistent the way the checks expect real data to be:

- trade_cal: every calendar day for SSE and SZSE, weekdays open except a fixed set of
  holidays (New Year, a Spring Festival week, May Day, National Day week), with
  pretrade_date the previous open day;
- stock_basic: N stocks (SH, SZ and BJ codes) listed on staggered days, with more
  listings later as in the real market, a few delisted (D) or paused (P) whose bars stop;
- daily: a random walk per stock; pre_close is the previous bar's close, change and
  pct_chg follow from them, open/close lie in [low, high], amount is vol times a price
  inside the bar (units: lots and thousand yuan), about 1% of bars suspended (no row);
- daily_basic: the same close, shares constant per stock, total_mv = close x total_share;
- adj_factor: one factor per stock (no ex-rights day, so pre_close always matches);
- ingest_log: the attempts the ingest would have appended (ingest_progress and
  source_freshness are views over it).

Rows are stored in trade-date order, as partition-by-partition ingest lays them down
(so DuckDB's zone maps let a one-day scope skip the rest, as they would in production).
Random numbers come from hash() of the stock and day, so a build is deterministic. The
raw_responses table stays empty: a real warehouse has one small row per write there (the
payloads themselves are in the raw archive, beside the file); these benches measure the
normalized tables.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

PER_DATE_TABLES = ("daily", "daily_basic", "adj_factor")
SOURCE = "tushare"
SUSPENDED_PER_100 = 1
LISTED_AT_START = 0.05
"""About 300 of 5,500 stocks: roughly the A-share market of the mid-1990s."""


@dataclass(frozen=True)
class MarketShape:
    stocks: int
    first_day: dt.date
    last_day: dt.date
    rows_per_table: int
    """Wanted bars per per-date table; listings are staggered to come close to it."""
    tables: tuple[str, ...] = PER_DATE_TABLES


@dataclass(frozen=True)
class BuiltWarehouse:
    path: Path
    bytes: int
    table_rows: dict[str, int]
    open_days: int
    seconds: float


def build_warehouse(path: Path, shape: MarketShape, log=print) -> BuiltWarehouse:
    """Create `path` with the real DDL and fill it; see the module docstring."""
    from twilight_assets.warehouse.writer import WarehouseWriter

    started = time.perf_counter()
    WarehouseWriter(path).close()  # the project's schema, exactly as the writer applies it
    with duckdb.connect(str(path)) as conn:
        conn.execute("SET enable_progress_bar = false")
        _calendar(conn, shape)
        open_days = conn.execute("SELECT count(*) FROM open_days").fetchall()[0][0]
        _stocks(conn, shape, open_days)
        log(f"  bars for {shape.stocks:,} stocks over {open_days:,} open days")
        _bars(conn)
        for api in shape.tables:
            t = time.perf_counter()
            conn.execute(_INSERTS[api]).fetchall()
            log(f"  normalized_{api}: {time.perf_counter() - t:.1f}s")
        _ledger(conn, shape)
        conn.execute("DROP TABLE bars")
        conn.execute("CHECKPOINT")
        table_rows = {
            api: conn.execute(f"SELECT count(*) FROM normalized_{api}").fetchall()[0][0]
            for api in ("trade_cal", "stock_basic", *shape.tables)
        }
    return BuiltWarehouse(
        path=path, bytes=path.stat().st_size, table_rows=table_rows, open_days=open_days,
        seconds=time.perf_counter() - started,
    )


def _calendar(conn: duckdb.DuckDBPyConnection, shape: MarketShape) -> None:
    # Through the end of the year after last_day: the calendar is published in advance.
    cal_end = dt.date(shape.last_day.year + 1, 12, 31)
    conn.execute(
        """
        CREATE TEMP TABLE cal AS
        SELECT cal_date,
               isodow(cal_date) <= 5 AND NOT (
                   (month(cal_date) = 1 AND day(cal_date) = 1)
                OR (month(cal_date) = 2 AND day(cal_date) BETWEEN 10 AND 16)
                OR (month(cal_date) = 5 AND day(cal_date) BETWEEN 1 AND 3)
                OR (month(cal_date) = 10 AND day(cal_date) BETWEEN 1 AND 7)
               ) AS is_open
        FROM (SELECT CAST(d AS DATE) AS cal_date
              FROM range(CAST($first AS DATE), CAST($end AS DATE) + 1, INTERVAL 1 DAY) AS t(d))
        """,
        {"first": dt.date(shape.first_day.year, 1, 1), "end": cal_end},
    )
    conn.execute(
        """
        INSERT INTO normalized_trade_cal
        SELECT e.exchange, c.cal_date, CAST(c.is_open AS BIGINT),
               max(CASE WHEN c.is_open THEN c.cal_date END) OVER (
                   ORDER BY c.cal_date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
               $source, now()::TIMESTAMP, NULL
        FROM cal AS c CROSS JOIN (VALUES ('SSE'), ('SZSE')) AS e(exchange)
        """,
        {"source": SOURCE},
    )
    conn.execute(
        """
        CREATE TEMP TABLE open_days AS
        SELECT cal_date AS trade_date, CAST(row_number() OVER (ORDER BY cal_date) - 1 AS INTEGER) AS j
        FROM cal WHERE is_open AND cal_date BETWEEN $first AND $last
        """,
        {"first": shape.first_day, "last": shape.last_day},
    )


def _stocks(conn: duckdb.DuckDBPyConnection, shape: MarketShape, open_days: int) -> None:
    # A share LISTED_AT_START of the stocks trades from the first day (the market was
    # never empty); the others list on day D * v^k, v uniform in (0, 1), so they cover
    # k / (k + 1) of the days on average and listings grow more frequent over time, as
    # in the real market. k is solved for the wanted fill of the stock x day grid.
    kept = 1 - SUSPENDED_PER_100 / 100
    fill = shape.rows_per_table / (shape.stocks * open_days * kept)
    later = min(0.98, max(0.02, (fill - LISTED_AT_START) / (1 - LISTED_AT_START)))
    k = later / (1 - later)
    conn.execute(
        """
        CREATE TEMP TABLE stocks AS
        WITH s AS (
            SELECT i,
                   CASE WHEN i % 10 = 9 THEN printf('%06d.BJ', 830000 + i)
                        WHEN i % 2 = 0 THEN printf('%06d.SH', 600000 + i)
                        ELSE printf('%06d.SZ', 1 + i) END AS ts_code,
                   (hash(i, 'list') % 1000000) / 1e6 AS u,
                   hash(i, 'status') % 1000 AS status_draw,
                   5 + (hash(i, 'base') % 9500) / 100.0 AS base
            FROM range($stocks) AS t(i)
        )
        , listed AS (
            SELECT *, CASE WHEN u < $at_start THEN 0
                           ELSE CAST(floor($days * pow((u - $at_start) / (1 - $at_start), $k)) AS INTEGER)
                      END AS list_j
            FROM s
        )
        SELECT *,
               CASE WHEN status_draw < 30 THEN 'D' WHEN status_draw < 35 THEN 'P' ELSE 'L' END AS list_status,
               CASE WHEN status_draw < 35
                    THEN list_j + CAST(floor(($days - 1 - list_j) * 0.6) AS INTEGER)
                    ELSE $days - 1 END AS end_j
        FROM listed
        """,
        {"stocks": shape.stocks, "days": open_days, "k": k, "at_start": LISTED_AT_START},
    )
    conn.execute(
        """
        INSERT INTO normalized_stock_basic
        SELECT s.ts_code, left(s.ts_code, 6), printf('股票%d', s.i), '深圳',
               (['银行', '软件服务', '化工原料', '医药', '汽车配件'])[1 + s.i % 5],
               printf('股份有限公司%d', s.i), printf('Company %d Co., Ltd.', s.i), printf('gp%d', s.i),
               CASE WHEN s.i % 10 = 9 THEN '北交所' WHEN s.i % 3 = 0 THEN '科创板' ELSE '主板' END,
               CASE WHEN s.ts_code LIKE '%.SH' THEN 'SSE' WHEN s.ts_code LIKE '%.SZ' THEN 'SZSE' ELSE 'BSE' END,
               'CNY', s.list_status, l.trade_date,
               CASE WHEN s.list_status = 'D' THEN e.trade_date + 1 END,
               CASE WHEN s.i % 4 = 0 THEN 'S' ELSE 'N' END, NULL, NULL,
               $source, now()::TIMESTAMP, NULL
        FROM stocks AS s
        JOIN open_days AS l ON l.j = s.list_j
        JOIN open_days AS e ON e.j = s.end_j
        """,
        {"source": SOURCE},
    )


def _bars(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        f"""
        CREATE TEMP TABLE bars AS
        WITH draws AS (
            SELECT s.i, s.ts_code, s.base, d.trade_date,
                   ((hash(s.i, d.j, 'r') % 20001) / 10000.0 - 1.0) * 0.03 + 0.0002 AS ret,
                   (hash(s.i, d.j, 'o') % 1001) / 1000.0 AS u_open,
                   (hash(s.i, d.j, 'h') % 1001) / 1000.0 AS u_high,
                   (hash(s.i, d.j, 'l') % 1001) / 1000.0 AS u_low,
                   CAST(1000 + hash(s.i, d.j, 'v') % 200000 AS DOUBLE) AS vol
            FROM stocks AS s
            JOIN open_days AS d ON d.j BETWEEN s.list_j AND s.end_j
            WHERE hash(s.i, d.j, 'suspended') % 100 >= {SUSPENDED_PER_100}
        ),
        path AS (
            SELECT *, round(greatest(1.0, base * exp(sum(ln(1 + ret)) OVER w)), 2) AS close
            FROM draws WINDOW w AS (PARTITION BY i ORDER BY trade_date)
        ),
        prev AS (
            SELECT *, coalesce(lag(close) OVER (PARTITION BY i ORDER BY trade_date),
                               round(close / (1 + ret), 2)) AS pre_close
            FROM path
        ),
        bar AS (
            SELECT *, round(pre_close * (1 + (u_open - 0.5) * 0.02), 2) AS open FROM prev
        )
        SELECT i, ts_code, trade_date, open, close, pre_close, vol,
               round(greatest(open, close) * (1 + u_high * 0.02), 2) AS high,
               round(least(open, close) * (1 - u_low * 0.02), 2) AS low
        FROM bar
        ORDER BY trade_date, ts_code
        """
    )


_INSERTS = {
    "daily": """
        INSERT INTO normalized_daily
        SELECT ts_code, trade_date, open, high, low, close, pre_close,
               round(close - pre_close, 2), round((close - pre_close) / pre_close * 100, 4),
               vol, round(vol * (high + low) / 20, 3), NULL, NULL,
               'tushare', now()::TIMESTAMP, NULL
        FROM bars
        ORDER BY trade_date, ts_code
    """,
    "daily_basic": """
        INSERT INTO normalized_daily_basic
        WITH b AS (SELECT *, 10000 + hash(i, 'shares') % 500000 AS total_share FROM bars)
        SELECT ts_code, trade_date, close,
               round(vol * 100 / (total_share * 0.8 * 10000) * 100, 4),
               round(vol * 100 / (total_share * 0.6 * 10000) * 100, 4),
               round(0.5 + (hash(i, trade_date, 'vr') % 300) / 100.0, 2),
               round(5 + (hash(i, 'pe') % 6000) / 100.0, 4), round(5 + (hash(i, 'pettm') % 6000) / 100.0, 4),
               round(0.5 + (hash(i, 'pb') % 800) / 100.0, 4), round(0.5 + (hash(i, 'ps') % 800) / 100.0, 4),
               round(0.5 + (hash(i, 'psttm') % 800) / 100.0, 4),
               round((hash(i, 'dv') % 500) / 100.0, 4), round((hash(i, 'dvttm') % 500) / 100.0, 4),
               total_share, total_share * 0.8, total_share * 0.6,
               close * total_share, close * total_share * 0.8, NULL,
               'tushare', now()::TIMESTAMP, NULL
        FROM b
        ORDER BY trade_date, ts_code
    """,
    "adj_factor": """
        INSERT INTO normalized_adj_factor
        SELECT ts_code, trade_date, 1 + (hash(i, 'adj') % 2000) / 100.0, 'tushare', now()::TIMESTAMP, NULL
        FROM bars
        ORDER BY trade_date, ts_code
    """,
}


_LEDGER_COLUMNS = (
    "attempt_id, progress_key, api_name, partition_key, status, attempts, rows, "
    "duplicates_dropped, rows_removed, absent_fields, source, raw_id, error, attempted_at"
)


def _ledger(conn: duckdb.DuckDBPyConnection, shape: MarketShape) -> None:
    """What ingest_partitions would have appended to ingest_log for these partitions (one
    successful attempt each); ingest_progress and source_freshness are views over it."""
    # attempt ids are time-ordered in the real ledger (values.new_id); here the order of
    # the rows inserted is enough, counted from a base no id of today's clock comes near.
    base = "CAST(1 AS BIGINT) << 40"
    for api in shape.tables:
        conn.execute(
            f"""
            INSERT INTO ingest_log ({_LEDGER_COLUMNS})
            SELECT ({base}) + row_number() OVER (ORDER BY c.cal_date) + (SELECT count(*) FROM ingest_log),
                   printf('{api}:%s', strftime(c.cal_date, '%Y-%m-%d')), '{api}',
                   strftime(c.cal_date, '%Y-%m-%d'),
                   CASE WHEN c.is_open THEN 'done' ELSE 'market_closed' END, 1,
                   coalesce(n.rows, 0), 0, 0, CAST([] AS VARCHAR[]), $source, NULL, NULL,
                   now()::TIMESTAMP
            FROM cal AS c
            LEFT JOIN (SELECT trade_date, count(*) AS rows FROM normalized_{api} GROUP BY trade_date) AS n
              ON n.trade_date = c.cal_date
            WHERE isodow(c.cal_date) <= 5 AND c.cal_date BETWEEN $first AND $last
            """,
            {"first": shape.first_day, "last": shape.last_day, "source": SOURCE},
        )
    conn.execute(
        f"""
        INSERT INTO ingest_log ({_LEDGER_COLUMNS})
        SELECT ({base}) + row_number() OVER (ORDER BY progress_key) + (SELECT count(*) FROM ingest_log),
               progress_key, api_name, partition_key, 'done', 1, rows, 0, 0, CAST([] AS VARCHAR[]),
               $source, NULL, NULL, now()::TIMESTAMP
        FROM (
            SELECT printf('trade_cal:%d', y) AS progress_key, 'trade_cal' AS api_name,
                   CAST(y AS VARCHAR) AS partition_key,
                   (SELECT count(*) FROM normalized_trade_cal WHERE year(cal_date) = y) AS rows
            FROM (SELECT DISTINCT year(cal_date) AS y FROM normalized_trade_cal)
            UNION ALL
            SELECT 'stock_basic:once', 'stock_basic', 'once', (SELECT count(*) FROM normalized_stock_basic)
        )
        """,
        {"source": SOURCE},
    )


def last_weekday_before(day: dt.date) -> dt.date:
    """The newest weekday before `day`: the last day a fresh warehouse would hold."""
    day -= dt.timedelta(days=1)
    while day.isoweekday() > 5:
        day -= dt.timedelta(days=1)
    return day


def build_market_warehouse(work: Path, *, full: bool, full_rows: int, log=print,
                           quick_rows: int | None = None, stocks: int | None = None,
                           ) -> tuple[MarketShape, BuiltWarehouse]:
    """The warehouse the check and snapshot benchmarks measure: 5,500 stocks, 4 years
    and ~1M rows per per-date table for the quick set, `full_rows` since 1995 for the full.
    `quick_rows` and `stocks` shrink the quick set (the smoke test's tiny scale)."""
    last = last_weekday_before(dt.date.today())
    shape = (
        MarketShape(stocks or 5_500, dt.date(1995, 1, 3), last, full_rows)
        if full
        else MarketShape(stocks or 5_500, last - dt.timedelta(days=4 * 365), last, quick_rows or 1_000_000)
    )
    log(f"building a warehouse: {shape.stocks:,} stocks, ~{shape.rows_per_table:,} rows per per-date table")
    built = build_warehouse(work / "warehouse.duckdb", shape, log=log)
    log(f"built {built.bytes / 1e6:,.0f} MB in {built.seconds:.0f}s: {built.table_rows}")
    return shape, built
