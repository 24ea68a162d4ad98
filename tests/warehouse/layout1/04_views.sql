-- Views a researcher reaches for first. They are recreated whenever this file changes.

-- Daily bars with the adjustment factor and adjusted prices.
-- hfq (后复权) = price * adj_factor: stable as history grows.
-- qfq (前复权) = price * adj_factor / the stock's latest factor in the warehouse: today's
-- prices stay as traded, so qfq history shifts whenever a newer factor lands.
-- LEFT JOIN: a bar whose factor has not been fetched yet shows NULL adjusted prices
-- rather than vanishing.
CREATE OR REPLACE VIEW daily_adjusted AS
WITH latest_factor AS (
    SELECT ts_code, source, arg_max(adj_factor, trade_date) AS latest_adj_factor
    FROM normalized_adj_factor
    GROUP BY ts_code, source
)
SELECT
    d.ts_code, d.trade_date, d.source,
    d.open, d.high, d.low, d.close, d.pre_close, d.vol, d.amount,
    a.adj_factor,
    l.latest_adj_factor,
    d.open  * a.adj_factor AS open_hfq,
    d.high  * a.adj_factor AS high_hfq,
    d.low   * a.adj_factor AS low_hfq,
    d.close * a.adj_factor AS close_hfq,
    d.open  * a.adj_factor / l.latest_adj_factor AS open_qfq,
    d.high  * a.adj_factor / l.latest_adj_factor AS high_qfq,
    d.low   * a.adj_factor / l.latest_adj_factor AS low_qfq,
    d.close * a.adj_factor / l.latest_adj_factor AS close_qfq
FROM normalized_daily AS d
LEFT JOIN normalized_adj_factor AS a
    ON a.ts_code = d.ts_code AND a.trade_date = d.trade_date AND a.source = d.source
LEFT JOIN latest_factor AS l
    ON l.ts_code = d.ts_code AND l.source = d.source;

-- The latest consolidated statement known for each stock and period. Tushare keeps the
-- consolidated report (report_type 1) and, once a later report restates the period, an
-- adjusted one (report_type 4); the one announced last (f_ann_date), the revision
-- (update_flag 1) first on a tie, is the company's latest word on the period.
CREATE OR REPLACE VIEW income_latest AS
SELECT * FROM normalized_income
WHERE report_type IN ('1', '4')
QUALIFY row_number() OVER (
    PARTITION BY ts_code, end_date, source
    ORDER BY f_ann_date DESC NULLS LAST, ann_date DESC NULLS LAST,
             update_flag DESC NULLS LAST, report_type DESC
) = 1;

CREATE OR REPLACE VIEW balancesheet_latest AS
SELECT * FROM normalized_balancesheet
WHERE report_type IN ('1', '4')
QUALIFY row_number() OVER (
    PARTITION BY ts_code, end_date, source
    ORDER BY f_ann_date DESC NULLS LAST, ann_date DESC NULLS LAST,
             update_flag DESC NULLS LAST, report_type DESC
) = 1;

CREATE OR REPLACE VIEW cashflow_latest AS
SELECT * FROM normalized_cashflow
WHERE report_type IN ('1', '4')
QUALIFY row_number() OVER (
    PARTITION BY ts_code, end_date, source
    ORDER BY f_ann_date DESC NULLS LAST, ann_date DESC NULLS LAST,
             update_flag DESC NULLS LAST, report_type DESC
) = 1;

-- A company may revise its forecast for a period several times (one row per
-- announcement date); this keeps the latest one.
CREATE OR REPLACE VIEW forecast_latest AS
SELECT * FROM normalized_forecast
QUALIFY row_number() OVER (
    PARTITION BY ts_code, end_date, source
    ORDER BY ann_date DESC, update_flag DESC NULLS LAST
) = 1;

-- Progress per dataset: how many partitions are done, closed, failed, and the latest error.
CREATE OR REPLACE VIEW ingest_progress_summary AS
SELECT
    api_name,
    count(*)                                              AS partitions,
    count(*) FILTER (WHERE status = 'done')               AS done,
    count(*) FILTER (WHERE status = 'market_closed')      AS market_closed,
    count(*) FILTER (WHERE status = 'failed')             AS failed,
    count(*) FILTER (WHERE status NOT IN ('done', 'market_closed', 'failed')) AS other,
    sum(attempts)                                         AS attempts,
    sum(rows)                                             AS rows,
    sum(duplicates_dropped)                               AS duplicates_dropped,
    min(partition_key) FILTER (WHERE status IN ('done', 'market_closed')) AS first_partition_done,
    max(partition_key) FILTER (WHERE status IN ('done', 'market_closed')) AS last_partition_done,
    max(updated_at)                                       AS last_updated_at,
    arg_max(last_error, updated_at) FILTER (WHERE status = 'failed') AS latest_error
FROM ingest_progress
GROUP BY api_name;
