-- Point-in-time reads: what a researcher could have known on a past day, as table macros
-- in the warehouse itself, so they work from any DuckDB client on a snapshot (a copied
-- file, or a DuckLake attached at a published version). WarehouseReader's fundamentals,
-- prices, universe and index_members call them (warehouse/point_in_time.py).
-- Parameter names never match a column's: a macro parameter would shadow it. Every
-- parameter is positional (pass NULL for "none"): DuckLake 1.5.5 cannot store a NULL
-- default, nor read a typed one back.

-- Financial statements as known on as_of. Every version Tushare served is kept in
-- revisions_<api> (original and restated); a version is known from its announcement:
-- f_ann_date (the actual announcement, later than ann_date for a restatement), else
-- ann_date, inclusive. For each stock, period and report type the latest version known
-- wins; on the same day the revision (update_flag 1) wins, then the version this warehouse
-- saw last. A version with no announcement date is never known, so never returned.
--   SELECT ts_code, end_date, revenue FROM income_as_of('2019-04-30') WHERE ts_code = '000001.SZ'
CREATE OR REPLACE MACRO income_as_of(as_of) AS TABLE
SELECT * EXCLUDE (row_hash, raw_id, first_seen_at) FROM revisions_income
WHERE coalesce(f_ann_date, ann_date) <= CAST(as_of AS DATE)
QUALIFY row_number() OVER (
    PARTITION BY ts_code, end_date, report_type, source
    ORDER BY coalesce(f_ann_date, ann_date) DESC, update_flag DESC NULLS LAST, first_seen_at DESC
) = 1;

CREATE OR REPLACE MACRO balancesheet_as_of(as_of) AS TABLE
SELECT * EXCLUDE (row_hash, raw_id, first_seen_at) FROM revisions_balancesheet
WHERE coalesce(f_ann_date, ann_date) <= CAST(as_of AS DATE)
QUALIFY row_number() OVER (
    PARTITION BY ts_code, end_date, report_type, source
    ORDER BY coalesce(f_ann_date, ann_date) DESC, update_flag DESC NULLS LAST, first_seen_at DESC
) = 1;

CREATE OR REPLACE MACRO cashflow_as_of(as_of) AS TABLE
SELECT * EXCLUDE (row_hash, raw_id, first_seen_at) FROM revisions_cashflow
WHERE coalesce(f_ann_date, ann_date) <= CAST(as_of AS DATE)
QUALIFY row_number() OVER (
    PARTITION BY ts_code, end_date, report_type, source
    ORDER BY coalesce(f_ann_date, ann_date) DESC, update_flag DESC NULLS LAST, first_seen_at DESC
) = 1;

-- Indicators and preliminary reports have no f_ann_date and no report type: a restated
-- indicator carries its own (later) ann_date.
CREATE OR REPLACE MACRO fina_indicator_as_of(as_of) AS TABLE
SELECT * EXCLUDE (row_hash, raw_id, first_seen_at) FROM revisions_fina_indicator
WHERE ann_date <= CAST(as_of AS DATE)
QUALIFY row_number() OVER (
    PARTITION BY ts_code, end_date, source
    ORDER BY ann_date DESC, update_flag DESC NULLS LAST, first_seen_at DESC
) = 1;

CREATE OR REPLACE MACRO express_as_of(as_of) AS TABLE
SELECT * EXCLUDE (row_hash, raw_id, first_seen_at) FROM revisions_express
WHERE ann_date <= CAST(as_of AS DATE)
QUALIFY row_number() OVER (
    PARTITION BY ts_code, end_date, source
    ORDER BY ann_date DESC, update_flag DESC NULLS LAST, first_seen_at DESC
) = 1;

-- A company may forecast a period several times: the latest forecast announced by as_of.
CREATE OR REPLACE MACRO forecast_as_of(as_of) AS TABLE
SELECT * EXCLUDE (row_hash, raw_id, first_seen_at) FROM revisions_forecast
WHERE ann_date <= CAST(as_of AS DATE)
QUALIFY row_number() OVER (
    PARTITION BY ts_code, end_date, source
    ORDER BY ann_date DESC, update_flag DESC NULLS LAST, first_seen_at DESC
) = 1;

-- Daily bars from first_day to last_day, unadjusted (adjust NULL), backward-adjusted
-- ('hfq': price * adj_factor, stable as history grows) or forward-adjusted ('qfq': price *
-- adj_factor / the factor known on as_of, i.e. the stock's factor on its last trade date
-- on or before as_of; default: its latest). A backtest at D passes as_of D and sees the
-- prices it would have seen then: qfq relative to D's factor, and no bar after D.
-- open, high, low, close, pre_close and change are adjusted; vol and amount never are.
-- Suspended days have no bar and stay absent. A bar whose factor is missing keeps NULL
-- adjusted prices rather than vanishing. codes: a list of ts_codes, NULL for all.
--   SELECT * FROM prices('2024-01-02', '2024-06-28', 'qfq', '2024-03-29', ['000001.SZ'])
CREATE OR REPLACE MACRO prices(first_day, last_day, adjust, as_of, codes) AS TABLE
WITH base AS (
    SELECT f.ts_code, f.source, arg_max(f.adj_factor, f.trade_date) AS base_factor
    FROM normalized_adj_factor AS f
    WHERE (as_of IS NULL OR f.trade_date <= CAST(as_of AS DATE))
      AND (codes IS NULL OR list_contains(codes, f.ts_code))
    GROUP BY f.ts_code, f.source
),
bars AS (
    SELECT d.*, a.adj_factor,
        CASE
            WHEN adjust IS NULL THEN 1.0
            WHEN adjust = 'hfq' THEN a.adj_factor
            WHEN adjust = 'qfq' THEN a.adj_factor / b.base_factor
            ELSE error('prices: adjust must be NULL, ''qfq'' or ''hfq'', not ''' || adjust || '''')
        END AS _k
    FROM normalized_daily AS d
    LEFT JOIN normalized_adj_factor AS a
        ON a.ts_code = d.ts_code AND a.trade_date = d.trade_date AND a.source = d.source
    LEFT JOIN base AS b ON b.ts_code = d.ts_code AND b.source = d.source
    WHERE d.trade_date BETWEEN CAST(first_day AS DATE) AND CAST(last_day AS DATE)
      AND (as_of IS NULL OR d.trade_date <= CAST(as_of AS DATE))
      AND (codes IS NULL OR list_contains(codes, d.ts_code))
)
SELECT * EXCLUDE (_k, ingested_at, raw_id) REPLACE (
    open * _k AS open, high * _k AS high, low * _k AS low, close * _k AS close,
    pre_close * _k AS pre_close, change * _k AS change
)
FROM bars
ORDER BY ts_code, trade_date;

-- The stocks listed on on_day, free of survivorship bias: from the listed (L), delisted (D)
-- and paused (P) lists, every stock with list_date <= on_day and no delist_date on or
-- before it (a stock is gone on its delisting day). exchange: SSE, SZSE or BSE, NULL for
-- all; where the source did not serve stock_basic.exchange it is read off the code.
--   SELECT ts_code, name FROM universe('2015-06-12', 'SSE')
CREATE OR REPLACE MACRO universe(on_day, on_exchange) AS TABLE
SELECT * FROM (
    SELECT s.* EXCLUDE (ingested_at, raw_id) REPLACE (
        coalesce(s.exchange, CASE split_part(s.ts_code, '.', 2)
            WHEN 'SH' THEN 'SSE' WHEN 'SZ' THEN 'SZSE' WHEN 'BJ' THEN 'BSE' END) AS exchange
    )
    FROM normalized_stock_basic AS s
    WHERE s.list_date <= CAST(on_day AS DATE)
      AND (s.delist_date IS NULL OR s.delist_date > CAST(on_day AS DATE))
    QUALIFY row_number() OVER (PARTITION BY s.ts_code, s.source ORDER BY s.ingested_at DESC, s.list_status) = 1
)
WHERE on_exchange IS NULL OR exchange = on_exchange
ORDER BY ts_code;

-- An index's constituents and weights (percent) in force on on_day: index_weight's latest
-- date on or before it (Tushare publishes weights monthly).
--   SELECT * FROM index_members('000300.SH', '2024-06-28')
CREATE OR REPLACE MACRO index_members(of_index, on_day) AS TABLE
SELECT w.index_code, w.con_code, w.trade_date, w.weight, w.source
FROM normalized_index_weight AS w
WHERE w.index_code = of_index
  AND w.trade_date = (
      SELECT max(v.trade_date) FROM normalized_index_weight AS v
      WHERE v.index_code = of_index AND v.trade_date <= CAST(on_day AS DATE)
  )
ORDER BY w.weight DESC, w.con_code;
