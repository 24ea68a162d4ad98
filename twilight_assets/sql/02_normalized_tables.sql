-- Normalized tables: one per Tushare API, every documented output field, typed.
-- Dates are DATE, amounts DOUBLE, codes VARCHAR; units are in the column comments.
-- No primary keys (DuckLake has none): a partition write replaces the partition, so
-- each key of the spec's conflict columns appears once; unique_key_* checks prove it.
-- Rendered by scripts/render_normalized_ddl.py, then reviewed and committed.

-- trade_cal: Exchange trading calendar: one row per exchange and calendar day, is_open 1 on trading days, with the previous trading day.
-- Tushare doc: https://tushare.pro/document/2?doc_id=26
CREATE TABLE IF NOT EXISTS normalized_trade_cal (
    "exchange"                         VARCHAR NOT NULL,
    "cal_date"                         DATE NOT NULL,
    "is_open"                          BIGINT,
    "pretrade_date"                    DATE,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_trade_cal IS 'Exchange trading calendar: one row per exchange and calendar day, is_open 1 on trading days, with the previous trading day.';
COMMENT ON COLUMN normalized_trade_cal."exchange" IS '交易所 SSE上交所 SZSE深交所';
COMMENT ON COLUMN normalized_trade_cal."cal_date" IS '日历日期';
COMMENT ON COLUMN normalized_trade_cal."is_open" IS '是否交易 0休市 1交易';
COMMENT ON COLUMN normalized_trade_cal."pretrade_date" IS '上一个交易日';
COMMENT ON COLUMN normalized_trade_cal."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_trade_cal."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_trade_cal."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- stock_basic: Every A-share stock, listed (L), delisted (D) and paused (P): fetched for all three so history has no survivorship bias.
-- Tushare doc: https://tushare.pro/document/2?doc_id=25
CREATE TABLE IF NOT EXISTS normalized_stock_basic (
    "ts_code"                          VARCHAR NOT NULL,
    "symbol"                           VARCHAR,
    "name"                             VARCHAR,
    "area"                             VARCHAR,
    "industry"                         VARCHAR,
    "fullname"                         VARCHAR,
    "enname"                           VARCHAR,
    "cnspell"                          VARCHAR,
    "market"                           VARCHAR,
    "exchange"                         VARCHAR,
    "curr_type"                        VARCHAR,
    "list_status"                      VARCHAR NOT NULL,
    "list_date"                        DATE,
    "delist_date"                      DATE,
    "is_hs"                            VARCHAR,
    "act_name"                         VARCHAR,
    "act_ent_type"                     VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_stock_basic IS 'Every A-share stock, listed (L), delisted (D) and paused (P): fetched for all three so history has no survivorship bias.';
COMMENT ON COLUMN normalized_stock_basic."ts_code" IS 'TS代码';
COMMENT ON COLUMN normalized_stock_basic."symbol" IS '股票代码';
COMMENT ON COLUMN normalized_stock_basic."name" IS '股票名称';
COMMENT ON COLUMN normalized_stock_basic."area" IS '地域';
COMMENT ON COLUMN normalized_stock_basic."industry" IS '所属行业';
COMMENT ON COLUMN normalized_stock_basic."fullname" IS '股票全称 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_stock_basic."enname" IS '英文全称 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_stock_basic."cnspell" IS '拼音缩写';
COMMENT ON COLUMN normalized_stock_basic."market" IS '市场类型（主板/创业板/科创板/CDR）';
COMMENT ON COLUMN normalized_stock_basic."exchange" IS '交易所代码 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_stock_basic."curr_type" IS '交易货币 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_stock_basic."list_status" IS '上市状态 L上市 D退市 G过会未交易 P暂停上市 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_stock_basic."list_date" IS '上市日期';
COMMENT ON COLUMN normalized_stock_basic."delist_date" IS '退市日期 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_stock_basic."is_hs" IS '是否沪深港通标的，N否 H沪股通 S深股通 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_stock_basic."act_name" IS '实控人名称';
COMMENT ON COLUMN normalized_stock_basic."act_ent_type" IS '实控人企业性质';
COMMENT ON COLUMN normalized_stock_basic."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_stock_basic."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_stock_basic."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- index_basic: Index reference data for every market Tushare covers.
-- Tushare doc: https://tushare.pro/document/2?doc_id=94
CREATE TABLE IF NOT EXISTS normalized_index_basic (
    "ts_code"                          VARCHAR NOT NULL,
    "name"                             VARCHAR,
    "fullname"                         VARCHAR,
    "market"                           VARCHAR,
    "publisher"                        VARCHAR,
    "index_type"                       VARCHAR,
    "category"                         VARCHAR,
    "base_date"                        DATE,
    "base_point"                       DOUBLE,
    "list_date"                        DATE,
    "weight_rule"                      VARCHAR,
    "desc"                             VARCHAR,
    "exp_date"                         DATE,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_index_basic IS 'Index reference data for every market Tushare covers.';
COMMENT ON COLUMN normalized_index_basic."ts_code" IS 'TS代码';
COMMENT ON COLUMN normalized_index_basic."name" IS '简称';
COMMENT ON COLUMN normalized_index_basic."fullname" IS '指数全称 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_index_basic."market" IS '市场';
COMMENT ON COLUMN normalized_index_basic."publisher" IS '发布方';
COMMENT ON COLUMN normalized_index_basic."index_type" IS '指数风格 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_index_basic."category" IS '指数类别';
COMMENT ON COLUMN normalized_index_basic."base_date" IS '基期';
COMMENT ON COLUMN normalized_index_basic."base_point" IS '基点';
COMMENT ON COLUMN normalized_index_basic."list_date" IS '发布日期';
COMMENT ON COLUMN normalized_index_basic."weight_rule" IS '加权方式 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_index_basic."desc" IS '描述 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_index_basic."exp_date" IS '终止日期 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_index_basic."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_index_basic."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_index_basic."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- daily: Unadjusted daily bars of every stock that traded that day (suspended stocks have no row). vol in lots, amount in thousand yuan.
-- Tushare doc: https://tushare.pro/document/2?doc_id=27
CREATE TABLE IF NOT EXISTS normalized_daily (
    "ts_code"                          VARCHAR NOT NULL,
    "trade_date"                       DATE NOT NULL,
    "open"                             DOUBLE,
    "high"                             DOUBLE,
    "low"                              DOUBLE,
    "close"                            DOUBLE,
    "pre_close"                        DOUBLE,
    "change"                           DOUBLE,
    "pct_chg"                          DOUBLE,
    "vol"                              DOUBLE,
    "amount"                           DOUBLE,
    "ah_vol"                           DOUBLE,
    "ah_amount"                        DOUBLE,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_daily IS 'Unadjusted daily bars of every stock that traded that day (suspended stocks have no row). vol in lots, amount in thousand yuan.';
COMMENT ON COLUMN normalized_daily."ts_code" IS '股票代码';
COMMENT ON COLUMN normalized_daily."trade_date" IS '交易日期';
COMMENT ON COLUMN normalized_daily."open" IS '开盘价';
COMMENT ON COLUMN normalized_daily."high" IS '最高价';
COMMENT ON COLUMN normalized_daily."low" IS '最低价';
COMMENT ON COLUMN normalized_daily."close" IS '收盘价';
COMMENT ON COLUMN normalized_daily."pre_close" IS '昨收价【除权价】';
COMMENT ON COLUMN normalized_daily."change" IS '涨跌额';
COMMENT ON COLUMN normalized_daily."pct_chg" IS '涨跌幅(%)，基于除权昨收：(今收-除权昨收)/除权昨收 [unit: percent]';
COMMENT ON COLUMN normalized_daily."vol" IS '成交量 （手） [unit: lots of 100 shares]';
COMMENT ON COLUMN normalized_daily."amount" IS '成交额 （千元） [unit: thousand yuan]';
COMMENT ON COLUMN normalized_daily."ah_vol" IS '盘后成交量（手） [unit: lots of 100 shares] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_daily."ah_amount" IS '盘后成交额（千元） [unit: thousand yuan] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_daily."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_daily."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_daily."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- daily_basic: Daily valuation and share data: turnover, PE/PB/PS, shares in ten thousand shares, market value in ten thousand yuan.
-- Tushare doc: https://tushare.pro/document/2?doc_id=32
CREATE TABLE IF NOT EXISTS normalized_daily_basic (
    "ts_code"                          VARCHAR NOT NULL,
    "trade_date"                       DATE NOT NULL,
    "close"                            DOUBLE,
    "turnover_rate"                    DOUBLE,
    "turnover_rate_f"                  DOUBLE,
    "volume_ratio"                     DOUBLE,
    "pe"                               DOUBLE,
    "pe_ttm"                           DOUBLE,
    "pb"                               DOUBLE,
    "ps"                               DOUBLE,
    "ps_ttm"                           DOUBLE,
    "dv_ratio"                         DOUBLE,
    "dv_ttm"                           DOUBLE,
    "total_share"                      DOUBLE,
    "float_share"                      DOUBLE,
    "free_share"                       DOUBLE,
    "total_mv"                         DOUBLE,
    "circ_mv"                          DOUBLE,
    "limit_status"                     BIGINT,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_daily_basic IS 'Daily valuation and share data: turnover, PE/PB/PS, shares in ten thousand shares, market value in ten thousand yuan.';
COMMENT ON COLUMN normalized_daily_basic."ts_code" IS 'TS股票代码';
COMMENT ON COLUMN normalized_daily_basic."trade_date" IS '交易日期';
COMMENT ON COLUMN normalized_daily_basic."close" IS '当日收盘价';
COMMENT ON COLUMN normalized_daily_basic."turnover_rate" IS '换手率（%） [unit: lots of 100 shares]';
COMMENT ON COLUMN normalized_daily_basic."turnover_rate_f" IS '换手率（自由流通股） [unit: lots of 100 shares]';
COMMENT ON COLUMN normalized_daily_basic."volume_ratio" IS '量比';
COMMENT ON COLUMN normalized_daily_basic."pe" IS '市盈率（总市值/净利润， 亏损的PE为空）';
COMMENT ON COLUMN normalized_daily_basic."pe_ttm" IS '市盈率（TTM，亏损的PE为空）';
COMMENT ON COLUMN normalized_daily_basic."pb" IS '市净率（总市值/净资产）';
COMMENT ON COLUMN normalized_daily_basic."ps" IS '市销率';
COMMENT ON COLUMN normalized_daily_basic."ps_ttm" IS '市销率（TTM）';
COMMENT ON COLUMN normalized_daily_basic."dv_ratio" IS '股息率 （%） [unit: percent]';
COMMENT ON COLUMN normalized_daily_basic."dv_ttm" IS '股息率（TTM）（%） [unit: percent]';
COMMENT ON COLUMN normalized_daily_basic."total_share" IS '总股本 （万股） [unit: ten thousand shares]';
COMMENT ON COLUMN normalized_daily_basic."float_share" IS '流通股本 （万股） [unit: ten thousand shares]';
COMMENT ON COLUMN normalized_daily_basic."free_share" IS '自由流通股本 （万）';
COMMENT ON COLUMN normalized_daily_basic."total_mv" IS '总市值 （万元） [unit: ten thousand yuan]';
COMMENT ON COLUMN normalized_daily_basic."circ_mv" IS '流通市值（万元） [unit: ten thousand yuan]';
COMMENT ON COLUMN normalized_daily_basic."limit_status" IS '收盘涨跌状态: 0平盘 1上涨(不含涨停) 2涨停(不含一字) 3一字涨停 4下跌(不含跌停) 5跌停(不含一字) 6一字跌停 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_daily_basic."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_daily_basic."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_daily_basic."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- adj_factor: Cumulative price adjustment factor per stock and day; it changes on ex-dividend and split days.
-- Tushare doc: https://tushare.pro/document/2?doc_id=28
CREATE TABLE IF NOT EXISTS normalized_adj_factor (
    "ts_code"                          VARCHAR NOT NULL,
    "trade_date"                       DATE NOT NULL,
    "adj_factor"                       DOUBLE,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_adj_factor IS 'Cumulative price adjustment factor per stock and day; it changes on ex-dividend and split days.';
COMMENT ON COLUMN normalized_adj_factor."ts_code" IS '股票代码';
COMMENT ON COLUMN normalized_adj_factor."trade_date" IS '交易日期';
COMMENT ON COLUMN normalized_adj_factor."adj_factor" IS '复权因子';
COMMENT ON COLUMN normalized_adj_factor."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_adj_factor."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_adj_factor."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- weekly: Weekly bars per stock, dated by the week's last trading day. vol in lots, amount in thousand yuan.
-- Tushare doc: https://tushare.pro/document/2?doc_id=144
CREATE TABLE IF NOT EXISTS normalized_weekly (
    "ts_code"                          VARCHAR NOT NULL,
    "trade_date"                       DATE NOT NULL,
    "close"                            DOUBLE,
    "open"                             DOUBLE,
    "high"                             DOUBLE,
    "low"                              DOUBLE,
    "pre_close"                        DOUBLE,
    "change"                           DOUBLE,
    "pct_chg"                          DOUBLE,
    "vol"                              DOUBLE,
    "amount"                           DOUBLE,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_weekly IS 'Weekly bars per stock, dated by the week''s last trading day. vol in lots, amount in thousand yuan.';
COMMENT ON COLUMN normalized_weekly."ts_code" IS '股票代码';
COMMENT ON COLUMN normalized_weekly."trade_date" IS '交易日期';
COMMENT ON COLUMN normalized_weekly."close" IS '周收盘价';
COMMENT ON COLUMN normalized_weekly."open" IS '周开盘价';
COMMENT ON COLUMN normalized_weekly."high" IS '周最高价';
COMMENT ON COLUMN normalized_weekly."low" IS '周最低价';
COMMENT ON COLUMN normalized_weekly."pre_close" IS '上一周收盘价';
COMMENT ON COLUMN normalized_weekly."change" IS '周涨跌额';
COMMENT ON COLUMN normalized_weekly."pct_chg" IS '周涨跌 （未复权，未*100，如果是复权请用 通用行情接口，如需%单位请*100 ） [unit: percent]';
COMMENT ON COLUMN normalized_weekly."vol" IS '周成交量';
COMMENT ON COLUMN normalized_weekly."amount" IS '周成交额';
COMMENT ON COLUMN normalized_weekly."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_weekly."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_weekly."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- monthly: Monthly bars per stock, dated by the month's last trading day. vol in lots, amount in thousand yuan.
-- Tushare doc: https://tushare.pro/document/2?doc_id=145
CREATE TABLE IF NOT EXISTS normalized_monthly (
    "ts_code"                          VARCHAR NOT NULL,
    "trade_date"                       DATE NOT NULL,
    "close"                            DOUBLE,
    "open"                             DOUBLE,
    "high"                             DOUBLE,
    "low"                              DOUBLE,
    "pre_close"                        DOUBLE,
    "change"                           DOUBLE,
    "pct_chg"                          DOUBLE,
    "vol"                              DOUBLE,
    "amount"                           DOUBLE,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_monthly IS 'Monthly bars per stock, dated by the month''s last trading day. vol in lots, amount in thousand yuan.';
COMMENT ON COLUMN normalized_monthly."ts_code" IS '股票代码';
COMMENT ON COLUMN normalized_monthly."trade_date" IS '交易日期';
COMMENT ON COLUMN normalized_monthly."close" IS '月收盘价';
COMMENT ON COLUMN normalized_monthly."open" IS '月开盘价';
COMMENT ON COLUMN normalized_monthly."high" IS '月最高价';
COMMENT ON COLUMN normalized_monthly."low" IS '月最低价';
COMMENT ON COLUMN normalized_monthly."pre_close" IS '上月收盘价';
COMMENT ON COLUMN normalized_monthly."change" IS '月涨跌额';
COMMENT ON COLUMN normalized_monthly."pct_chg" IS '月涨跌幅 （未复权，如果是复权请用 通用行情接口 ）';
COMMENT ON COLUMN normalized_monthly."vol" IS '月成交量';
COMMENT ON COLUMN normalized_monthly."amount" IS '月成交额';
COMMENT ON COLUMN normalized_monthly."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_monthly."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_monthly."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- index_daily: Daily index bars. vol in lots, amount in thousand yuan.
-- Tushare doc: https://tushare.pro/document/2?doc_id=95
CREATE TABLE IF NOT EXISTS normalized_index_daily (
    "ts_code"                          VARCHAR NOT NULL,
    "trade_date"                       DATE NOT NULL,
    "close"                            DOUBLE,
    "open"                             DOUBLE,
    "high"                             DOUBLE,
    "low"                              DOUBLE,
    "pre_close"                        DOUBLE,
    "change"                           DOUBLE,
    "pct_chg"                          DOUBLE,
    "vol"                              DOUBLE,
    "amount"                           DOUBLE,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_index_daily IS 'Daily index bars. vol in lots, amount in thousand yuan.';
COMMENT ON COLUMN normalized_index_daily."ts_code" IS 'TS指数代码';
COMMENT ON COLUMN normalized_index_daily."trade_date" IS '交易日';
COMMENT ON COLUMN normalized_index_daily."close" IS '收盘点位';
COMMENT ON COLUMN normalized_index_daily."open" IS '开盘点位';
COMMENT ON COLUMN normalized_index_daily."high" IS '最高点位';
COMMENT ON COLUMN normalized_index_daily."low" IS '最低点位';
COMMENT ON COLUMN normalized_index_daily."pre_close" IS '昨日收盘点';
COMMENT ON COLUMN normalized_index_daily."change" IS '涨跌点';
COMMENT ON COLUMN normalized_index_daily."pct_chg" IS '涨跌幅（%） [unit: percent]';
COMMENT ON COLUMN normalized_index_daily."vol" IS '成交量（手） [unit: lots of 100 shares]';
COMMENT ON COLUMN normalized_index_daily."amount" IS '成交额（千元） [unit: thousand yuan]';
COMMENT ON COLUMN normalized_index_daily."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_index_daily."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_index_daily."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- index_dailybasic: Daily index valuation: market value in yuan, shares, turnover, PE, PB.
-- Tushare doc: https://tushare.pro/document/2?doc_id=128
CREATE TABLE IF NOT EXISTS normalized_index_dailybasic (
    "ts_code"                          VARCHAR NOT NULL,
    "trade_date"                       DATE NOT NULL,
    "total_mv"                         DOUBLE,
    "float_mv"                         DOUBLE,
    "total_share"                      DOUBLE,
    "float_share"                      DOUBLE,
    "free_share"                       DOUBLE,
    "turnover_rate"                    DOUBLE,
    "turnover_rate_f"                  DOUBLE,
    "pe"                               DOUBLE,
    "pe_ttm"                           DOUBLE,
    "pb"                               DOUBLE,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_index_dailybasic IS 'Daily index valuation: market value in yuan, shares, turnover, PE, PB.';
COMMENT ON COLUMN normalized_index_dailybasic."ts_code" IS 'TS代码';
COMMENT ON COLUMN normalized_index_dailybasic."trade_date" IS '交易日期';
COMMENT ON COLUMN normalized_index_dailybasic."total_mv" IS '当日总市值（元） [unit: yuan]';
COMMENT ON COLUMN normalized_index_dailybasic."float_mv" IS '当日流通市值（元） [unit: yuan]';
COMMENT ON COLUMN normalized_index_dailybasic."total_share" IS '当日总股本（股）';
COMMENT ON COLUMN normalized_index_dailybasic."float_share" IS '当日流通股本（股）';
COMMENT ON COLUMN normalized_index_dailybasic."free_share" IS '当日自由流通股本（股）';
COMMENT ON COLUMN normalized_index_dailybasic."turnover_rate" IS '换手率 [unit: lots of 100 shares]';
COMMENT ON COLUMN normalized_index_dailybasic."turnover_rate_f" IS '换手率(基于自由流通股本) [unit: lots of 100 shares]';
COMMENT ON COLUMN normalized_index_dailybasic."pe" IS '市盈率';
COMMENT ON COLUMN normalized_index_dailybasic."pe_ttm" IS '市盈率TTM';
COMMENT ON COLUMN normalized_index_dailybasic."pb" IS '市净率';
COMMENT ON COLUMN normalized_index_dailybasic."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_index_dailybasic."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_index_dailybasic."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- index_weight: Monthly constituent weights (percent) of an index; each index and date sums to about 100.
-- Tushare doc: https://tushare.pro/document/2?doc_id=96
CREATE TABLE IF NOT EXISTS normalized_index_weight (
    "index_code"                       VARCHAR NOT NULL,
    "con_code"                         VARCHAR NOT NULL,
    "trade_date"                       DATE NOT NULL,
    "weight"                           DOUBLE,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_index_weight IS 'Monthly constituent weights (percent) of an index; each index and date sums to about 100.';
COMMENT ON COLUMN normalized_index_weight."index_code" IS '指数代码';
COMMENT ON COLUMN normalized_index_weight."con_code" IS '成分代码';
COMMENT ON COLUMN normalized_index_weight."trade_date" IS '交易日期';
COMMENT ON COLUMN normalized_index_weight."weight" IS '权重';
COMMENT ON COLUMN normalized_index_weight."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_index_weight."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_index_weight."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- income: Income statements per stock and report period, in yuan; revised reports carry update_flag 1.
-- Tushare doc: https://tushare.pro/document/2?doc_id=33
CREATE TABLE IF NOT EXISTS normalized_income (
    "ts_code"                          VARCHAR NOT NULL,
    "ann_date"                         DATE,
    "f_ann_date"                       DATE,
    "end_date"                         DATE NOT NULL,
    "report_type"                      VARCHAR NOT NULL,
    "comp_type"                        VARCHAR,
    "end_type"                         VARCHAR,
    "basic_eps"                        DOUBLE,
    "diluted_eps"                      DOUBLE,
    "total_revenue"                    DOUBLE,
    "revenue"                          DOUBLE,
    "int_income"                       DOUBLE,
    "prem_earned"                      DOUBLE,
    "comm_income"                      DOUBLE,
    "n_commis_income"                  DOUBLE,
    "n_oth_income"                     DOUBLE,
    "n_oth_b_income"                   DOUBLE,
    "prem_income"                      DOUBLE,
    "out_prem"                         DOUBLE,
    "une_prem_reser"                   DOUBLE,
    "reins_income"                     DOUBLE,
    "n_sec_tb_income"                  DOUBLE,
    "n_sec_uw_income"                  DOUBLE,
    "n_asset_mg_income"                DOUBLE,
    "oth_b_income"                     DOUBLE,
    "fv_value_chg_gain"                DOUBLE,
    "invest_income"                    DOUBLE,
    "ass_invest_income"                DOUBLE,
    "forex_gain"                       DOUBLE,
    "total_cogs"                       DOUBLE,
    "oper_cost"                        DOUBLE,
    "int_exp"                          DOUBLE,
    "comm_exp"                         DOUBLE,
    "biz_tax_surchg"                   DOUBLE,
    "sell_exp"                         DOUBLE,
    "admin_exp"                        DOUBLE,
    "fin_exp"                          DOUBLE,
    "assets_impair_loss"               DOUBLE,
    "prem_refund"                      DOUBLE,
    "compens_payout"                   DOUBLE,
    "reser_insur_liab"                 DOUBLE,
    "div_payt"                         DOUBLE,
    "reins_exp"                        DOUBLE,
    "oper_exp"                         DOUBLE,
    "compens_payout_refu"              DOUBLE,
    "insur_reser_refu"                 DOUBLE,
    "reins_cost_refund"                DOUBLE,
    "other_bus_cost"                   DOUBLE,
    "operate_profit"                   DOUBLE,
    "non_oper_income"                  DOUBLE,
    "non_oper_exp"                     DOUBLE,
    "nca_disploss"                     DOUBLE,
    "total_profit"                     DOUBLE,
    "income_tax"                       DOUBLE,
    "n_income"                         DOUBLE,
    "n_income_attr_p"                  DOUBLE,
    "minority_gain"                    DOUBLE,
    "oth_compr_income"                 DOUBLE,
    "t_compr_income"                   DOUBLE,
    "compr_inc_attr_p"                 DOUBLE,
    "compr_inc_attr_m_s"               DOUBLE,
    "ebit"                             DOUBLE,
    "ebitda"                           DOUBLE,
    "insurance_exp"                    DOUBLE,
    "undist_profit"                    DOUBLE,
    "distable_profit"                  DOUBLE,
    "rd_exp"                           DOUBLE,
    "fin_exp_int_exp"                  DOUBLE,
    "fin_exp_int_inc"                  DOUBLE,
    "transfer_surplus_rese"            DOUBLE,
    "transfer_housing_imprest"         DOUBLE,
    "transfer_oth"                     DOUBLE,
    "adj_lossgain"                     DOUBLE,
    "withdra_legal_surplus"            DOUBLE,
    "withdra_legal_pubfund"            DOUBLE,
    "withdra_biz_devfund"              DOUBLE,
    "withdra_rese_fund"                DOUBLE,
    "withdra_oth_ersu"                 DOUBLE,
    "workers_welfare"                  DOUBLE,
    "distr_profit_shrhder"             DOUBLE,
    "prfshare_payable_dvd"             DOUBLE,
    "comshare_payable_dvd"             DOUBLE,
    "capit_comstock_div"               DOUBLE,
    "net_after_nr_lp_correct"          DOUBLE,
    "credit_impa_loss"                 DOUBLE,
    "net_expo_hedging_benefits"        DOUBLE,
    "oth_impair_loss_assets"           DOUBLE,
    "total_opcost"                     DOUBLE,
    "amodcost_fin_assets"              DOUBLE,
    "oth_income"                       DOUBLE,
    "asset_disp_income"                DOUBLE,
    "continued_net_profit"             DOUBLE,
    "end_net_profit"                   DOUBLE,
    "update_flag"                      VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_income IS 'Income statements per stock and report period, in yuan; revised reports carry update_flag 1.';
COMMENT ON COLUMN normalized_income."ts_code" IS 'TS代码';
COMMENT ON COLUMN normalized_income."ann_date" IS '公告日期';
COMMENT ON COLUMN normalized_income."f_ann_date" IS '实际公告日期';
COMMENT ON COLUMN normalized_income."end_date" IS '报告期';
COMMENT ON COLUMN normalized_income."report_type" IS '报告类型 见底部表';
COMMENT ON COLUMN normalized_income."comp_type" IS '公司类型(1一般工商业2银行3保险4证券)';
COMMENT ON COLUMN normalized_income."end_type" IS '报告期类型';
COMMENT ON COLUMN normalized_income."basic_eps" IS '基本每股收益';
COMMENT ON COLUMN normalized_income."diluted_eps" IS '稀释每股收益';
COMMENT ON COLUMN normalized_income."total_revenue" IS '营业总收入';
COMMENT ON COLUMN normalized_income."revenue" IS '营业收入';
COMMENT ON COLUMN normalized_income."int_income" IS '利息收入';
COMMENT ON COLUMN normalized_income."prem_earned" IS '已赚保费';
COMMENT ON COLUMN normalized_income."comm_income" IS '手续费及佣金收入 [unit: lots of 100 shares]';
COMMENT ON COLUMN normalized_income."n_commis_income" IS '手续费及佣金净收入 [unit: lots of 100 shares]';
COMMENT ON COLUMN normalized_income."n_oth_income" IS '其他经营净收益';
COMMENT ON COLUMN normalized_income."n_oth_b_income" IS '加:其他业务净收益';
COMMENT ON COLUMN normalized_income."prem_income" IS '保险业务收入';
COMMENT ON COLUMN normalized_income."out_prem" IS '减:分出保费';
COMMENT ON COLUMN normalized_income."une_prem_reser" IS '提取未到期责任准备金';
COMMENT ON COLUMN normalized_income."reins_income" IS '其中:分保费收入';
COMMENT ON COLUMN normalized_income."n_sec_tb_income" IS '代理买卖证券业务净收入';
COMMENT ON COLUMN normalized_income."n_sec_uw_income" IS '证券承销业务净收入';
COMMENT ON COLUMN normalized_income."n_asset_mg_income" IS '受托客户资产管理业务净收入';
COMMENT ON COLUMN normalized_income."oth_b_income" IS '其他业务收入';
COMMENT ON COLUMN normalized_income."fv_value_chg_gain" IS '加:公允价值变动净收益';
COMMENT ON COLUMN normalized_income."invest_income" IS '加:投资净收益';
COMMENT ON COLUMN normalized_income."ass_invest_income" IS '其中:对联营企业和合营企业的投资收益';
COMMENT ON COLUMN normalized_income."forex_gain" IS '加:汇兑净收益';
COMMENT ON COLUMN normalized_income."total_cogs" IS '营业总成本';
COMMENT ON COLUMN normalized_income."oper_cost" IS '减:营业成本';
COMMENT ON COLUMN normalized_income."int_exp" IS '减:利息支出';
COMMENT ON COLUMN normalized_income."comm_exp" IS '减:手续费及佣金支出 [unit: lots of 100 shares]';
COMMENT ON COLUMN normalized_income."biz_tax_surchg" IS '减:营业税金及附加';
COMMENT ON COLUMN normalized_income."sell_exp" IS '减:销售费用';
COMMENT ON COLUMN normalized_income."admin_exp" IS '减:管理费用';
COMMENT ON COLUMN normalized_income."fin_exp" IS '减:财务费用';
COMMENT ON COLUMN normalized_income."assets_impair_loss" IS '减:资产减值损失';
COMMENT ON COLUMN normalized_income."prem_refund" IS '退保金';
COMMENT ON COLUMN normalized_income."compens_payout" IS '赔付总支出';
COMMENT ON COLUMN normalized_income."reser_insur_liab" IS '提取保险责任准备金';
COMMENT ON COLUMN normalized_income."div_payt" IS '保户红利支出';
COMMENT ON COLUMN normalized_income."reins_exp" IS '分保费用';
COMMENT ON COLUMN normalized_income."oper_exp" IS '营业支出';
COMMENT ON COLUMN normalized_income."compens_payout_refu" IS '减:摊回赔付支出';
COMMENT ON COLUMN normalized_income."insur_reser_refu" IS '减:摊回保险责任准备金';
COMMENT ON COLUMN normalized_income."reins_cost_refund" IS '减:摊回分保费用';
COMMENT ON COLUMN normalized_income."other_bus_cost" IS '其他业务成本';
COMMENT ON COLUMN normalized_income."operate_profit" IS '营业利润';
COMMENT ON COLUMN normalized_income."non_oper_income" IS '加:营业外收入';
COMMENT ON COLUMN normalized_income."non_oper_exp" IS '减:营业外支出';
COMMENT ON COLUMN normalized_income."nca_disploss" IS '其中:减:非流动资产处置净损失';
COMMENT ON COLUMN normalized_income."total_profit" IS '利润总额';
COMMENT ON COLUMN normalized_income."income_tax" IS '所得税费用';
COMMENT ON COLUMN normalized_income."n_income" IS '净利润(含少数股东损益)';
COMMENT ON COLUMN normalized_income."n_income_attr_p" IS '净利润(不含少数股东损益)';
COMMENT ON COLUMN normalized_income."minority_gain" IS '少数股东损益';
COMMENT ON COLUMN normalized_income."oth_compr_income" IS '其他综合收益';
COMMENT ON COLUMN normalized_income."t_compr_income" IS '综合收益总额';
COMMENT ON COLUMN normalized_income."compr_inc_attr_p" IS '归属于母公司(或股东)的综合收益总额';
COMMENT ON COLUMN normalized_income."compr_inc_attr_m_s" IS '归属于少数股东的综合收益总额';
COMMENT ON COLUMN normalized_income."ebit" IS '息税前利润';
COMMENT ON COLUMN normalized_income."ebitda" IS '息税折旧摊销前利润';
COMMENT ON COLUMN normalized_income."insurance_exp" IS '保险业务支出';
COMMENT ON COLUMN normalized_income."undist_profit" IS '年初未分配利润';
COMMENT ON COLUMN normalized_income."distable_profit" IS '可分配利润';
COMMENT ON COLUMN normalized_income."rd_exp" IS '研发费用';
COMMENT ON COLUMN normalized_income."fin_exp_int_exp" IS '财务费用:利息费用';
COMMENT ON COLUMN normalized_income."fin_exp_int_inc" IS '财务费用:利息收入';
COMMENT ON COLUMN normalized_income."transfer_surplus_rese" IS '盈余公积转入';
COMMENT ON COLUMN normalized_income."transfer_housing_imprest" IS '住房周转金转入';
COMMENT ON COLUMN normalized_income."transfer_oth" IS '其他转入';
COMMENT ON COLUMN normalized_income."adj_lossgain" IS '调整以前年度损益';
COMMENT ON COLUMN normalized_income."withdra_legal_surplus" IS '提取法定盈余公积';
COMMENT ON COLUMN normalized_income."withdra_legal_pubfund" IS '提取法定公益金';
COMMENT ON COLUMN normalized_income."withdra_biz_devfund" IS '提取企业发展基金';
COMMENT ON COLUMN normalized_income."withdra_rese_fund" IS '提取储备基金';
COMMENT ON COLUMN normalized_income."withdra_oth_ersu" IS '提取任意盈余公积金';
COMMENT ON COLUMN normalized_income."workers_welfare" IS '职工奖金福利';
COMMENT ON COLUMN normalized_income."distr_profit_shrhder" IS '可供股东分配的利润';
COMMENT ON COLUMN normalized_income."prfshare_payable_dvd" IS '应付优先股股利';
COMMENT ON COLUMN normalized_income."comshare_payable_dvd" IS '应付普通股股利';
COMMENT ON COLUMN normalized_income."capit_comstock_div" IS '转作股本的普通股股利';
COMMENT ON COLUMN normalized_income."net_after_nr_lp_correct" IS '扣除非经常性损益后的净利润（更正前） (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_income."credit_impa_loss" IS '信用减值损失 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_income."net_expo_hedging_benefits" IS '净敞口套期收益 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_income."oth_impair_loss_assets" IS '其他资产减值损失 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_income."total_opcost" IS '营业总成本（二） (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_income."amodcost_fin_assets" IS '以摊余成本计量的金融资产终止确认收益 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_income."oth_income" IS '其他收益 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_income."asset_disp_income" IS '资产处置收益 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_income."continued_net_profit" IS '持续经营净利润 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_income."end_net_profit" IS '终止经营净利润 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_income."update_flag" IS '更新标识';
COMMENT ON COLUMN normalized_income."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_income."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_income."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- Every version of income ever served, original and restated: what point-in-time
-- reads choose from (the table above holds only the latest version of each report).
CREATE TABLE IF NOT EXISTS revisions_income (
    "ts_code"                          VARCHAR NOT NULL,
    "ann_date"                         DATE,
    "f_ann_date"                       DATE,
    "end_date"                         DATE NOT NULL,
    "report_type"                      VARCHAR NOT NULL,
    "comp_type"                        VARCHAR,
    "end_type"                         VARCHAR,
    "basic_eps"                        DOUBLE,
    "diluted_eps"                      DOUBLE,
    "total_revenue"                    DOUBLE,
    "revenue"                          DOUBLE,
    "int_income"                       DOUBLE,
    "prem_earned"                      DOUBLE,
    "comm_income"                      DOUBLE,
    "n_commis_income"                  DOUBLE,
    "n_oth_income"                     DOUBLE,
    "n_oth_b_income"                   DOUBLE,
    "prem_income"                      DOUBLE,
    "out_prem"                         DOUBLE,
    "une_prem_reser"                   DOUBLE,
    "reins_income"                     DOUBLE,
    "n_sec_tb_income"                  DOUBLE,
    "n_sec_uw_income"                  DOUBLE,
    "n_asset_mg_income"                DOUBLE,
    "oth_b_income"                     DOUBLE,
    "fv_value_chg_gain"                DOUBLE,
    "invest_income"                    DOUBLE,
    "ass_invest_income"                DOUBLE,
    "forex_gain"                       DOUBLE,
    "total_cogs"                       DOUBLE,
    "oper_cost"                        DOUBLE,
    "int_exp"                          DOUBLE,
    "comm_exp"                         DOUBLE,
    "biz_tax_surchg"                   DOUBLE,
    "sell_exp"                         DOUBLE,
    "admin_exp"                        DOUBLE,
    "fin_exp"                          DOUBLE,
    "assets_impair_loss"               DOUBLE,
    "prem_refund"                      DOUBLE,
    "compens_payout"                   DOUBLE,
    "reser_insur_liab"                 DOUBLE,
    "div_payt"                         DOUBLE,
    "reins_exp"                        DOUBLE,
    "oper_exp"                         DOUBLE,
    "compens_payout_refu"              DOUBLE,
    "insur_reser_refu"                 DOUBLE,
    "reins_cost_refund"                DOUBLE,
    "other_bus_cost"                   DOUBLE,
    "operate_profit"                   DOUBLE,
    "non_oper_income"                  DOUBLE,
    "non_oper_exp"                     DOUBLE,
    "nca_disploss"                     DOUBLE,
    "total_profit"                     DOUBLE,
    "income_tax"                       DOUBLE,
    "n_income"                         DOUBLE,
    "n_income_attr_p"                  DOUBLE,
    "minority_gain"                    DOUBLE,
    "oth_compr_income"                 DOUBLE,
    "t_compr_income"                   DOUBLE,
    "compr_inc_attr_p"                 DOUBLE,
    "compr_inc_attr_m_s"               DOUBLE,
    "ebit"                             DOUBLE,
    "ebitda"                           DOUBLE,
    "insurance_exp"                    DOUBLE,
    "undist_profit"                    DOUBLE,
    "distable_profit"                  DOUBLE,
    "rd_exp"                           DOUBLE,
    "fin_exp_int_exp"                  DOUBLE,
    "fin_exp_int_inc"                  DOUBLE,
    "transfer_surplus_rese"            DOUBLE,
    "transfer_housing_imprest"         DOUBLE,
    "transfer_oth"                     DOUBLE,
    "adj_lossgain"                     DOUBLE,
    "withdra_legal_surplus"            DOUBLE,
    "withdra_legal_pubfund"            DOUBLE,
    "withdra_biz_devfund"              DOUBLE,
    "withdra_rese_fund"                DOUBLE,
    "withdra_oth_ersu"                 DOUBLE,
    "workers_welfare"                  DOUBLE,
    "distr_profit_shrhder"             DOUBLE,
    "prfshare_payable_dvd"             DOUBLE,
    "comshare_payable_dvd"             DOUBLE,
    "capit_comstock_div"               DOUBLE,
    "net_after_nr_lp_correct"          DOUBLE,
    "credit_impa_loss"                 DOUBLE,
    "net_expo_hedging_benefits"        DOUBLE,
    "oth_impair_loss_assets"           DOUBLE,
    "total_opcost"                     DOUBLE,
    "amodcost_fin_assets"              DOUBLE,
    "oth_income"                       DOUBLE,
    "asset_disp_income"                DOUBLE,
    "continued_net_profit"             DOUBLE,
    "end_net_profit"                   DOUBLE,
    "update_flag"                      VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "row_hash"                         VARCHAR NOT NULL,
    "raw_id"                           BIGINT,
    "first_seen_at"                    TIMESTAMP NOT NULL
);
COMMENT ON TABLE revisions_income IS 'Every version of normalized_income rows Tushare served, original and revised.';
COMMENT ON COLUMN revisions_income."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN revisions_income."row_hash" IS 'md5 of the row''s values: one row per distinct version.';
COMMENT ON COLUMN revisions_income."raw_id" IS 'The raw_responses row that first served this version.';
COMMENT ON COLUMN revisions_income."first_seen_at" IS 'When the warehouse first wrote this version (UTC).';

-- balancesheet: Balance sheets per stock and report period, in yuan.
-- Tushare doc: https://tushare.pro/document/2?doc_id=36
CREATE TABLE IF NOT EXISTS normalized_balancesheet (
    "ts_code"                          VARCHAR NOT NULL,
    "ann_date"                         DATE,
    "f_ann_date"                       DATE,
    "end_date"                         DATE NOT NULL,
    "report_type"                      VARCHAR NOT NULL,
    "comp_type"                        VARCHAR,
    "end_type"                         VARCHAR,
    "total_share"                      DOUBLE,
    "cap_rese"                         DOUBLE,
    "undistr_porfit"                   DOUBLE,
    "surplus_rese"                     DOUBLE,
    "special_rese"                     DOUBLE,
    "money_cap"                        DOUBLE,
    "trad_asset"                       DOUBLE,
    "notes_receiv"                     DOUBLE,
    "accounts_receiv"                  DOUBLE,
    "oth_receiv"                       DOUBLE,
    "prepayment"                       DOUBLE,
    "div_receiv"                       DOUBLE,
    "int_receiv"                       DOUBLE,
    "inventories"                      DOUBLE,
    "amor_exp"                         DOUBLE,
    "nca_within_1y"                    DOUBLE,
    "sett_rsrv"                        DOUBLE,
    "loanto_oth_bank_fi"               DOUBLE,
    "premium_receiv"                   DOUBLE,
    "reinsur_receiv"                   DOUBLE,
    "reinsur_res_receiv"               DOUBLE,
    "pur_resale_fa"                    DOUBLE,
    "oth_cur_assets"                   DOUBLE,
    "total_cur_assets"                 DOUBLE,
    "fa_avail_for_sale"                DOUBLE,
    "htm_invest"                       DOUBLE,
    "lt_eqt_invest"                    DOUBLE,
    "invest_real_estate"               DOUBLE,
    "time_deposits"                    DOUBLE,
    "oth_assets"                       DOUBLE,
    "lt_rec"                           DOUBLE,
    "fix_assets"                       DOUBLE,
    "cip"                              DOUBLE,
    "const_materials"                  DOUBLE,
    "fixed_assets_disp"                DOUBLE,
    "produc_bio_assets"                DOUBLE,
    "oil_and_gas_assets"               DOUBLE,
    "intan_assets"                     DOUBLE,
    "r_and_d"                          DOUBLE,
    "goodwill"                         DOUBLE,
    "lt_amor_exp"                      DOUBLE,
    "defer_tax_assets"                 DOUBLE,
    "decr_in_disbur"                   DOUBLE,
    "oth_nca"                          DOUBLE,
    "total_nca"                        DOUBLE,
    "cash_reser_cb"                    DOUBLE,
    "depos_in_oth_bfi"                 DOUBLE,
    "prec_metals"                      DOUBLE,
    "deriv_assets"                     DOUBLE,
    "rr_reins_une_prem"                DOUBLE,
    "rr_reins_outstd_cla"              DOUBLE,
    "rr_reins_lins_liab"               DOUBLE,
    "rr_reins_lthins_liab"             DOUBLE,
    "refund_depos"                     DOUBLE,
    "ph_pledge_loans"                  DOUBLE,
    "refund_cap_depos"                 DOUBLE,
    "indep_acct_assets"                DOUBLE,
    "client_depos"                     DOUBLE,
    "client_prov"                      DOUBLE,
    "transac_seat_fee"                 DOUBLE,
    "invest_as_receiv"                 DOUBLE,
    "total_assets"                     DOUBLE,
    "lt_borr"                          DOUBLE,
    "st_borr"                          DOUBLE,
    "cb_borr"                          DOUBLE,
    "depos_ib_deposits"                DOUBLE,
    "loan_oth_bank"                    DOUBLE,
    "trading_fl"                       DOUBLE,
    "notes_payable"                    DOUBLE,
    "acct_payable"                     DOUBLE,
    "adv_receipts"                     DOUBLE,
    "sold_for_repur_fa"                DOUBLE,
    "comm_payable"                     DOUBLE,
    "payroll_payable"                  DOUBLE,
    "taxes_payable"                    DOUBLE,
    "int_payable"                      DOUBLE,
    "div_payable"                      DOUBLE,
    "oth_payable"                      DOUBLE,
    "acc_exp"                          DOUBLE,
    "deferred_inc"                     DOUBLE,
    "st_bonds_payable"                 DOUBLE,
    "payable_to_reinsurer"             DOUBLE,
    "rsrv_insur_cont"                  DOUBLE,
    "acting_trading_sec"               DOUBLE,
    "acting_uw_sec"                    DOUBLE,
    "non_cur_liab_due_1y"              DOUBLE,
    "oth_cur_liab"                     DOUBLE,
    "total_cur_liab"                   DOUBLE,
    "bond_payable"                     DOUBLE,
    "lt_payable"                       DOUBLE,
    "specific_payables"                DOUBLE,
    "estimated_liab"                   DOUBLE,
    "defer_tax_liab"                   DOUBLE,
    "defer_inc_non_cur_liab"           DOUBLE,
    "oth_ncl"                          DOUBLE,
    "total_ncl"                        DOUBLE,
    "depos_oth_bfi"                    DOUBLE,
    "deriv_liab"                       DOUBLE,
    "depos"                            DOUBLE,
    "agency_bus_liab"                  DOUBLE,
    "oth_liab"                         DOUBLE,
    "prem_receiv_adva"                 DOUBLE,
    "depos_received"                   DOUBLE,
    "ph_invest"                        DOUBLE,
    "reser_une_prem"                   DOUBLE,
    "reser_outstd_claims"              DOUBLE,
    "reser_lins_liab"                  DOUBLE,
    "reser_lthins_liab"                DOUBLE,
    "indept_acc_liab"                  DOUBLE,
    "pledge_borr"                      DOUBLE,
    "indem_payable"                    DOUBLE,
    "policy_div_payable"               DOUBLE,
    "total_liab"                       DOUBLE,
    "treasury_share"                   DOUBLE,
    "ordin_risk_reser"                 DOUBLE,
    "forex_differ"                     DOUBLE,
    "invest_loss_unconf"               DOUBLE,
    "minority_int"                     DOUBLE,
    "total_hldr_eqy_exc_min_int"       DOUBLE,
    "total_hldr_eqy_inc_min_int"       DOUBLE,
    "total_liab_hldr_eqy"              DOUBLE,
    "lt_payroll_payable"               DOUBLE,
    "oth_comp_income"                  DOUBLE,
    "oth_eqt_tools"                    DOUBLE,
    "oth_eqt_tools_p_shr"              DOUBLE,
    "lending_funds"                    DOUBLE,
    "acc_receivable"                   DOUBLE,
    "st_fin_payable"                   DOUBLE,
    "payables"                         DOUBLE,
    "hfs_assets"                       DOUBLE,
    "hfs_sales"                        DOUBLE,
    "cost_fin_assets"                  DOUBLE,
    "fair_value_fin_assets"            DOUBLE,
    "cip_total"                        DOUBLE,
    "oth_pay_total"                    DOUBLE,
    "long_pay_total"                   DOUBLE,
    "debt_invest"                      DOUBLE,
    "oth_debt_invest"                  DOUBLE,
    "oth_eq_invest"                    DOUBLE,
    "oth_illiq_fin_assets"             DOUBLE,
    "oth_eq_ppbond"                    DOUBLE,
    "receiv_financing"                 DOUBLE,
    "use_right_assets"                 DOUBLE,
    "lease_liab"                       DOUBLE,
    "contract_assets"                  DOUBLE,
    "contract_liab"                    DOUBLE,
    "accounts_receiv_bill"             DOUBLE,
    "accounts_pay"                     DOUBLE,
    "oth_rcv_total"                    DOUBLE,
    "fix_assets_total"                 DOUBLE,
    "update_flag"                      VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_balancesheet IS 'Balance sheets per stock and report period, in yuan.';
COMMENT ON COLUMN normalized_balancesheet."ts_code" IS 'TS股票代码';
COMMENT ON COLUMN normalized_balancesheet."ann_date" IS '公告日期';
COMMENT ON COLUMN normalized_balancesheet."f_ann_date" IS '实际公告日期';
COMMENT ON COLUMN normalized_balancesheet."end_date" IS '报告期';
COMMENT ON COLUMN normalized_balancesheet."report_type" IS '报表类型';
COMMENT ON COLUMN normalized_balancesheet."comp_type" IS '公司类型(1一般工商业2银行3保险4证券)';
COMMENT ON COLUMN normalized_balancesheet."end_type" IS '报告期类型';
COMMENT ON COLUMN normalized_balancesheet."total_share" IS '期末总股本';
COMMENT ON COLUMN normalized_balancesheet."cap_rese" IS '资本公积金';
COMMENT ON COLUMN normalized_balancesheet."undistr_porfit" IS '未分配利润';
COMMENT ON COLUMN normalized_balancesheet."surplus_rese" IS '盈余公积金';
COMMENT ON COLUMN normalized_balancesheet."special_rese" IS '专项储备';
COMMENT ON COLUMN normalized_balancesheet."money_cap" IS '货币资金';
COMMENT ON COLUMN normalized_balancesheet."trad_asset" IS '交易性金融资产';
COMMENT ON COLUMN normalized_balancesheet."notes_receiv" IS '应收票据';
COMMENT ON COLUMN normalized_balancesheet."accounts_receiv" IS '应收账款';
COMMENT ON COLUMN normalized_balancesheet."oth_receiv" IS '其他应收款';
COMMENT ON COLUMN normalized_balancesheet."prepayment" IS '预付款项';
COMMENT ON COLUMN normalized_balancesheet."div_receiv" IS '应收股利';
COMMENT ON COLUMN normalized_balancesheet."int_receiv" IS '应收利息';
COMMENT ON COLUMN normalized_balancesheet."inventories" IS '存货';
COMMENT ON COLUMN normalized_balancesheet."amor_exp" IS '待摊费用';
COMMENT ON COLUMN normalized_balancesheet."nca_within_1y" IS '一年内到期的非流动资产';
COMMENT ON COLUMN normalized_balancesheet."sett_rsrv" IS '结算备付金';
COMMENT ON COLUMN normalized_balancesheet."loanto_oth_bank_fi" IS '拆出资金';
COMMENT ON COLUMN normalized_balancesheet."premium_receiv" IS '应收保费';
COMMENT ON COLUMN normalized_balancesheet."reinsur_receiv" IS '应收分保账款';
COMMENT ON COLUMN normalized_balancesheet."reinsur_res_receiv" IS '应收分保合同准备金';
COMMENT ON COLUMN normalized_balancesheet."pur_resale_fa" IS '买入返售金融资产';
COMMENT ON COLUMN normalized_balancesheet."oth_cur_assets" IS '其他流动资产';
COMMENT ON COLUMN normalized_balancesheet."total_cur_assets" IS '流动资产合计';
COMMENT ON COLUMN normalized_balancesheet."fa_avail_for_sale" IS '可供出售金融资产';
COMMENT ON COLUMN normalized_balancesheet."htm_invest" IS '持有至到期投资';
COMMENT ON COLUMN normalized_balancesheet."lt_eqt_invest" IS '长期股权投资';
COMMENT ON COLUMN normalized_balancesheet."invest_real_estate" IS '投资性房地产';
COMMENT ON COLUMN normalized_balancesheet."time_deposits" IS '定期存款';
COMMENT ON COLUMN normalized_balancesheet."oth_assets" IS '其他资产';
COMMENT ON COLUMN normalized_balancesheet."lt_rec" IS '长期应收款';
COMMENT ON COLUMN normalized_balancesheet."fix_assets" IS '固定资产';
COMMENT ON COLUMN normalized_balancesheet."cip" IS '在建工程';
COMMENT ON COLUMN normalized_balancesheet."const_materials" IS '工程物资';
COMMENT ON COLUMN normalized_balancesheet."fixed_assets_disp" IS '固定资产清理';
COMMENT ON COLUMN normalized_balancesheet."produc_bio_assets" IS '生产性生物资产';
COMMENT ON COLUMN normalized_balancesheet."oil_and_gas_assets" IS '油气资产';
COMMENT ON COLUMN normalized_balancesheet."intan_assets" IS '无形资产';
COMMENT ON COLUMN normalized_balancesheet."r_and_d" IS '研发支出';
COMMENT ON COLUMN normalized_balancesheet."goodwill" IS '商誉';
COMMENT ON COLUMN normalized_balancesheet."lt_amor_exp" IS '长期待摊费用';
COMMENT ON COLUMN normalized_balancesheet."defer_tax_assets" IS '递延所得税资产';
COMMENT ON COLUMN normalized_balancesheet."decr_in_disbur" IS '发放贷款及垫款';
COMMENT ON COLUMN normalized_balancesheet."oth_nca" IS '其他非流动资产';
COMMENT ON COLUMN normalized_balancesheet."total_nca" IS '非流动资产合计';
COMMENT ON COLUMN normalized_balancesheet."cash_reser_cb" IS '现金及存放中央银行款项';
COMMENT ON COLUMN normalized_balancesheet."depos_in_oth_bfi" IS '存放同业和其它金融机构款项';
COMMENT ON COLUMN normalized_balancesheet."prec_metals" IS '贵金属';
COMMENT ON COLUMN normalized_balancesheet."deriv_assets" IS '衍生金融资产';
COMMENT ON COLUMN normalized_balancesheet."rr_reins_une_prem" IS '应收分保未到期责任准备金';
COMMENT ON COLUMN normalized_balancesheet."rr_reins_outstd_cla" IS '应收分保未决赔款准备金';
COMMENT ON COLUMN normalized_balancesheet."rr_reins_lins_liab" IS '应收分保寿险责任准备金';
COMMENT ON COLUMN normalized_balancesheet."rr_reins_lthins_liab" IS '应收分保长期健康险责任准备金';
COMMENT ON COLUMN normalized_balancesheet."refund_depos" IS '存出保证金';
COMMENT ON COLUMN normalized_balancesheet."ph_pledge_loans" IS '保户质押贷款';
COMMENT ON COLUMN normalized_balancesheet."refund_cap_depos" IS '存出资本保证金';
COMMENT ON COLUMN normalized_balancesheet."indep_acct_assets" IS '独立账户资产';
COMMENT ON COLUMN normalized_balancesheet."client_depos" IS '其中：客户资金存款';
COMMENT ON COLUMN normalized_balancesheet."client_prov" IS '其中：客户备付金';
COMMENT ON COLUMN normalized_balancesheet."transac_seat_fee" IS '其中:交易席位费';
COMMENT ON COLUMN normalized_balancesheet."invest_as_receiv" IS '应收款项类投资';
COMMENT ON COLUMN normalized_balancesheet."total_assets" IS '资产总计';
COMMENT ON COLUMN normalized_balancesheet."lt_borr" IS '长期借款';
COMMENT ON COLUMN normalized_balancesheet."st_borr" IS '短期借款';
COMMENT ON COLUMN normalized_balancesheet."cb_borr" IS '向中央银行借款';
COMMENT ON COLUMN normalized_balancesheet."depos_ib_deposits" IS '吸收存款及同业存放';
COMMENT ON COLUMN normalized_balancesheet."loan_oth_bank" IS '拆入资金';
COMMENT ON COLUMN normalized_balancesheet."trading_fl" IS '交易性金融负债';
COMMENT ON COLUMN normalized_balancesheet."notes_payable" IS '应付票据';
COMMENT ON COLUMN normalized_balancesheet."acct_payable" IS '应付账款';
COMMENT ON COLUMN normalized_balancesheet."adv_receipts" IS '预收款项';
COMMENT ON COLUMN normalized_balancesheet."sold_for_repur_fa" IS '卖出回购金融资产款';
COMMENT ON COLUMN normalized_balancesheet."comm_payable" IS '应付手续费及佣金 [unit: lots of 100 shares]';
COMMENT ON COLUMN normalized_balancesheet."payroll_payable" IS '应付职工薪酬';
COMMENT ON COLUMN normalized_balancesheet."taxes_payable" IS '应交税费';
COMMENT ON COLUMN normalized_balancesheet."int_payable" IS '应付利息';
COMMENT ON COLUMN normalized_balancesheet."div_payable" IS '应付股利';
COMMENT ON COLUMN normalized_balancesheet."oth_payable" IS '其他应付款';
COMMENT ON COLUMN normalized_balancesheet."acc_exp" IS '预提费用';
COMMENT ON COLUMN normalized_balancesheet."deferred_inc" IS '递延收益';
COMMENT ON COLUMN normalized_balancesheet."st_bonds_payable" IS '应付短期债券';
COMMENT ON COLUMN normalized_balancesheet."payable_to_reinsurer" IS '应付分保账款';
COMMENT ON COLUMN normalized_balancesheet."rsrv_insur_cont" IS '保险合同准备金';
COMMENT ON COLUMN normalized_balancesheet."acting_trading_sec" IS '代理买卖证券款';
COMMENT ON COLUMN normalized_balancesheet."acting_uw_sec" IS '代理承销证券款';
COMMENT ON COLUMN normalized_balancesheet."non_cur_liab_due_1y" IS '一年内到期的非流动负债';
COMMENT ON COLUMN normalized_balancesheet."oth_cur_liab" IS '其他流动负债';
COMMENT ON COLUMN normalized_balancesheet."total_cur_liab" IS '流动负债合计';
COMMENT ON COLUMN normalized_balancesheet."bond_payable" IS '应付债券';
COMMENT ON COLUMN normalized_balancesheet."lt_payable" IS '长期应付款';
COMMENT ON COLUMN normalized_balancesheet."specific_payables" IS '专项应付款';
COMMENT ON COLUMN normalized_balancesheet."estimated_liab" IS '预计负债';
COMMENT ON COLUMN normalized_balancesheet."defer_tax_liab" IS '递延所得税负债';
COMMENT ON COLUMN normalized_balancesheet."defer_inc_non_cur_liab" IS '递延收益-非流动负债';
COMMENT ON COLUMN normalized_balancesheet."oth_ncl" IS '其他非流动负债';
COMMENT ON COLUMN normalized_balancesheet."total_ncl" IS '非流动负债合计';
COMMENT ON COLUMN normalized_balancesheet."depos_oth_bfi" IS '同业和其它金融机构存放款项';
COMMENT ON COLUMN normalized_balancesheet."deriv_liab" IS '衍生金融负债';
COMMENT ON COLUMN normalized_balancesheet."depos" IS '吸收存款';
COMMENT ON COLUMN normalized_balancesheet."agency_bus_liab" IS '代理业务负债';
COMMENT ON COLUMN normalized_balancesheet."oth_liab" IS '其他负债';
COMMENT ON COLUMN normalized_balancesheet."prem_receiv_adva" IS '预收保费';
COMMENT ON COLUMN normalized_balancesheet."depos_received" IS '存入保证金';
COMMENT ON COLUMN normalized_balancesheet."ph_invest" IS '保户储金及投资款';
COMMENT ON COLUMN normalized_balancesheet."reser_une_prem" IS '未到期责任准备金';
COMMENT ON COLUMN normalized_balancesheet."reser_outstd_claims" IS '未决赔款准备金';
COMMENT ON COLUMN normalized_balancesheet."reser_lins_liab" IS '寿险责任准备金';
COMMENT ON COLUMN normalized_balancesheet."reser_lthins_liab" IS '长期健康险责任准备金';
COMMENT ON COLUMN normalized_balancesheet."indept_acc_liab" IS '独立账户负债';
COMMENT ON COLUMN normalized_balancesheet."pledge_borr" IS '其中:质押借款';
COMMENT ON COLUMN normalized_balancesheet."indem_payable" IS '应付赔付款';
COMMENT ON COLUMN normalized_balancesheet."policy_div_payable" IS '应付保单红利';
COMMENT ON COLUMN normalized_balancesheet."total_liab" IS '负债合计';
COMMENT ON COLUMN normalized_balancesheet."treasury_share" IS '减:库存股';
COMMENT ON COLUMN normalized_balancesheet."ordin_risk_reser" IS '一般风险准备';
COMMENT ON COLUMN normalized_balancesheet."forex_differ" IS '外币报表折算差额';
COMMENT ON COLUMN normalized_balancesheet."invest_loss_unconf" IS '未确认的投资损失';
COMMENT ON COLUMN normalized_balancesheet."minority_int" IS '少数股东权益';
COMMENT ON COLUMN normalized_balancesheet."total_hldr_eqy_exc_min_int" IS '股东权益合计(不含少数股东权益)';
COMMENT ON COLUMN normalized_balancesheet."total_hldr_eqy_inc_min_int" IS '股东权益合计(含少数股东权益)';
COMMENT ON COLUMN normalized_balancesheet."total_liab_hldr_eqy" IS '负债及股东权益总计';
COMMENT ON COLUMN normalized_balancesheet."lt_payroll_payable" IS '长期应付职工薪酬';
COMMENT ON COLUMN normalized_balancesheet."oth_comp_income" IS '其他综合收益';
COMMENT ON COLUMN normalized_balancesheet."oth_eqt_tools" IS '其他权益工具';
COMMENT ON COLUMN normalized_balancesheet."oth_eqt_tools_p_shr" IS '其他权益工具(优先股)';
COMMENT ON COLUMN normalized_balancesheet."lending_funds" IS '融出资金';
COMMENT ON COLUMN normalized_balancesheet."acc_receivable" IS '应收款项';
COMMENT ON COLUMN normalized_balancesheet."st_fin_payable" IS '应付短期融资款';
COMMENT ON COLUMN normalized_balancesheet."payables" IS '应付款项';
COMMENT ON COLUMN normalized_balancesheet."hfs_assets" IS '持有待售的资产';
COMMENT ON COLUMN normalized_balancesheet."hfs_sales" IS '持有待售的负债';
COMMENT ON COLUMN normalized_balancesheet."cost_fin_assets" IS '以摊余成本计量的金融资产';
COMMENT ON COLUMN normalized_balancesheet."fair_value_fin_assets" IS '以公允价值计量且其变动计入其他综合收益的金融资产';
COMMENT ON COLUMN normalized_balancesheet."cip_total" IS '在建工程(合计)(元) [unit: yuan]';
COMMENT ON COLUMN normalized_balancesheet."oth_pay_total" IS '其他应付款(合计)(元) [unit: yuan]';
COMMENT ON COLUMN normalized_balancesheet."long_pay_total" IS '长期应付款(合计)(元) [unit: yuan]';
COMMENT ON COLUMN normalized_balancesheet."debt_invest" IS '债权投资(元) [unit: yuan]';
COMMENT ON COLUMN normalized_balancesheet."oth_debt_invest" IS '其他债权投资(元) [unit: yuan]';
COMMENT ON COLUMN normalized_balancesheet."oth_eq_invest" IS '其他权益工具投资(元) [unit: yuan] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_balancesheet."oth_illiq_fin_assets" IS '其他非流动金融资产(元) [unit: yuan] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_balancesheet."oth_eq_ppbond" IS '其他权益工具:永续债(元) [unit: yuan] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_balancesheet."receiv_financing" IS '应收款项融资 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_balancesheet."use_right_assets" IS '使用权资产 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_balancesheet."lease_liab" IS '租赁负债 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_balancesheet."contract_assets" IS '合同资产';
COMMENT ON COLUMN normalized_balancesheet."contract_liab" IS '合同负债';
COMMENT ON COLUMN normalized_balancesheet."accounts_receiv_bill" IS '应收票据及应收账款';
COMMENT ON COLUMN normalized_balancesheet."accounts_pay" IS '应付票据及应付账款';
COMMENT ON COLUMN normalized_balancesheet."oth_rcv_total" IS '其他应收款(合计)（元） [unit: yuan]';
COMMENT ON COLUMN normalized_balancesheet."fix_assets_total" IS '固定资产(合计)(元) [unit: yuan]';
COMMENT ON COLUMN normalized_balancesheet."update_flag" IS '更新标识';
COMMENT ON COLUMN normalized_balancesheet."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_balancesheet."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_balancesheet."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- Every version of balancesheet ever served, original and restated: what point-in-time
-- reads choose from (the table above holds only the latest version of each report).
CREATE TABLE IF NOT EXISTS revisions_balancesheet (
    "ts_code"                          VARCHAR NOT NULL,
    "ann_date"                         DATE,
    "f_ann_date"                       DATE,
    "end_date"                         DATE NOT NULL,
    "report_type"                      VARCHAR NOT NULL,
    "comp_type"                        VARCHAR,
    "end_type"                         VARCHAR,
    "total_share"                      DOUBLE,
    "cap_rese"                         DOUBLE,
    "undistr_porfit"                   DOUBLE,
    "surplus_rese"                     DOUBLE,
    "special_rese"                     DOUBLE,
    "money_cap"                        DOUBLE,
    "trad_asset"                       DOUBLE,
    "notes_receiv"                     DOUBLE,
    "accounts_receiv"                  DOUBLE,
    "oth_receiv"                       DOUBLE,
    "prepayment"                       DOUBLE,
    "div_receiv"                       DOUBLE,
    "int_receiv"                       DOUBLE,
    "inventories"                      DOUBLE,
    "amor_exp"                         DOUBLE,
    "nca_within_1y"                    DOUBLE,
    "sett_rsrv"                        DOUBLE,
    "loanto_oth_bank_fi"               DOUBLE,
    "premium_receiv"                   DOUBLE,
    "reinsur_receiv"                   DOUBLE,
    "reinsur_res_receiv"               DOUBLE,
    "pur_resale_fa"                    DOUBLE,
    "oth_cur_assets"                   DOUBLE,
    "total_cur_assets"                 DOUBLE,
    "fa_avail_for_sale"                DOUBLE,
    "htm_invest"                       DOUBLE,
    "lt_eqt_invest"                    DOUBLE,
    "invest_real_estate"               DOUBLE,
    "time_deposits"                    DOUBLE,
    "oth_assets"                       DOUBLE,
    "lt_rec"                           DOUBLE,
    "fix_assets"                       DOUBLE,
    "cip"                              DOUBLE,
    "const_materials"                  DOUBLE,
    "fixed_assets_disp"                DOUBLE,
    "produc_bio_assets"                DOUBLE,
    "oil_and_gas_assets"               DOUBLE,
    "intan_assets"                     DOUBLE,
    "r_and_d"                          DOUBLE,
    "goodwill"                         DOUBLE,
    "lt_amor_exp"                      DOUBLE,
    "defer_tax_assets"                 DOUBLE,
    "decr_in_disbur"                   DOUBLE,
    "oth_nca"                          DOUBLE,
    "total_nca"                        DOUBLE,
    "cash_reser_cb"                    DOUBLE,
    "depos_in_oth_bfi"                 DOUBLE,
    "prec_metals"                      DOUBLE,
    "deriv_assets"                     DOUBLE,
    "rr_reins_une_prem"                DOUBLE,
    "rr_reins_outstd_cla"              DOUBLE,
    "rr_reins_lins_liab"               DOUBLE,
    "rr_reins_lthins_liab"             DOUBLE,
    "refund_depos"                     DOUBLE,
    "ph_pledge_loans"                  DOUBLE,
    "refund_cap_depos"                 DOUBLE,
    "indep_acct_assets"                DOUBLE,
    "client_depos"                     DOUBLE,
    "client_prov"                      DOUBLE,
    "transac_seat_fee"                 DOUBLE,
    "invest_as_receiv"                 DOUBLE,
    "total_assets"                     DOUBLE,
    "lt_borr"                          DOUBLE,
    "st_borr"                          DOUBLE,
    "cb_borr"                          DOUBLE,
    "depos_ib_deposits"                DOUBLE,
    "loan_oth_bank"                    DOUBLE,
    "trading_fl"                       DOUBLE,
    "notes_payable"                    DOUBLE,
    "acct_payable"                     DOUBLE,
    "adv_receipts"                     DOUBLE,
    "sold_for_repur_fa"                DOUBLE,
    "comm_payable"                     DOUBLE,
    "payroll_payable"                  DOUBLE,
    "taxes_payable"                    DOUBLE,
    "int_payable"                      DOUBLE,
    "div_payable"                      DOUBLE,
    "oth_payable"                      DOUBLE,
    "acc_exp"                          DOUBLE,
    "deferred_inc"                     DOUBLE,
    "st_bonds_payable"                 DOUBLE,
    "payable_to_reinsurer"             DOUBLE,
    "rsrv_insur_cont"                  DOUBLE,
    "acting_trading_sec"               DOUBLE,
    "acting_uw_sec"                    DOUBLE,
    "non_cur_liab_due_1y"              DOUBLE,
    "oth_cur_liab"                     DOUBLE,
    "total_cur_liab"                   DOUBLE,
    "bond_payable"                     DOUBLE,
    "lt_payable"                       DOUBLE,
    "specific_payables"                DOUBLE,
    "estimated_liab"                   DOUBLE,
    "defer_tax_liab"                   DOUBLE,
    "defer_inc_non_cur_liab"           DOUBLE,
    "oth_ncl"                          DOUBLE,
    "total_ncl"                        DOUBLE,
    "depos_oth_bfi"                    DOUBLE,
    "deriv_liab"                       DOUBLE,
    "depos"                            DOUBLE,
    "agency_bus_liab"                  DOUBLE,
    "oth_liab"                         DOUBLE,
    "prem_receiv_adva"                 DOUBLE,
    "depos_received"                   DOUBLE,
    "ph_invest"                        DOUBLE,
    "reser_une_prem"                   DOUBLE,
    "reser_outstd_claims"              DOUBLE,
    "reser_lins_liab"                  DOUBLE,
    "reser_lthins_liab"                DOUBLE,
    "indept_acc_liab"                  DOUBLE,
    "pledge_borr"                      DOUBLE,
    "indem_payable"                    DOUBLE,
    "policy_div_payable"               DOUBLE,
    "total_liab"                       DOUBLE,
    "treasury_share"                   DOUBLE,
    "ordin_risk_reser"                 DOUBLE,
    "forex_differ"                     DOUBLE,
    "invest_loss_unconf"               DOUBLE,
    "minority_int"                     DOUBLE,
    "total_hldr_eqy_exc_min_int"       DOUBLE,
    "total_hldr_eqy_inc_min_int"       DOUBLE,
    "total_liab_hldr_eqy"              DOUBLE,
    "lt_payroll_payable"               DOUBLE,
    "oth_comp_income"                  DOUBLE,
    "oth_eqt_tools"                    DOUBLE,
    "oth_eqt_tools_p_shr"              DOUBLE,
    "lending_funds"                    DOUBLE,
    "acc_receivable"                   DOUBLE,
    "st_fin_payable"                   DOUBLE,
    "payables"                         DOUBLE,
    "hfs_assets"                       DOUBLE,
    "hfs_sales"                        DOUBLE,
    "cost_fin_assets"                  DOUBLE,
    "fair_value_fin_assets"            DOUBLE,
    "cip_total"                        DOUBLE,
    "oth_pay_total"                    DOUBLE,
    "long_pay_total"                   DOUBLE,
    "debt_invest"                      DOUBLE,
    "oth_debt_invest"                  DOUBLE,
    "oth_eq_invest"                    DOUBLE,
    "oth_illiq_fin_assets"             DOUBLE,
    "oth_eq_ppbond"                    DOUBLE,
    "receiv_financing"                 DOUBLE,
    "use_right_assets"                 DOUBLE,
    "lease_liab"                       DOUBLE,
    "contract_assets"                  DOUBLE,
    "contract_liab"                    DOUBLE,
    "accounts_receiv_bill"             DOUBLE,
    "accounts_pay"                     DOUBLE,
    "oth_rcv_total"                    DOUBLE,
    "fix_assets_total"                 DOUBLE,
    "update_flag"                      VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "row_hash"                         VARCHAR NOT NULL,
    "raw_id"                           BIGINT,
    "first_seen_at"                    TIMESTAMP NOT NULL
);
COMMENT ON TABLE revisions_balancesheet IS 'Every version of normalized_balancesheet rows Tushare served, original and revised.';
COMMENT ON COLUMN revisions_balancesheet."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN revisions_balancesheet."row_hash" IS 'md5 of the row''s values: one row per distinct version.';
COMMENT ON COLUMN revisions_balancesheet."raw_id" IS 'The raw_responses row that first served this version.';
COMMENT ON COLUMN revisions_balancesheet."first_seen_at" IS 'When the warehouse first wrote this version (UTC).';

-- cashflow: Cash flow statements per stock and report period, in yuan.
-- Tushare doc: https://tushare.pro/document/2?doc_id=44
CREATE TABLE IF NOT EXISTS normalized_cashflow (
    "ts_code"                          VARCHAR NOT NULL,
    "ann_date"                         DATE,
    "f_ann_date"                       DATE,
    "end_date"                         DATE NOT NULL,
    "comp_type"                        VARCHAR,
    "report_type"                      VARCHAR NOT NULL,
    "end_type"                         VARCHAR,
    "net_profit"                       DOUBLE,
    "finan_exp"                        DOUBLE,
    "c_fr_sale_sg"                     DOUBLE,
    "recp_tax_rends"                   DOUBLE,
    "n_depos_incr_fi"                  DOUBLE,
    "n_incr_loans_cb"                  DOUBLE,
    "n_inc_borr_oth_fi"                DOUBLE,
    "prem_fr_orig_contr"               DOUBLE,
    "n_incr_insured_dep"               DOUBLE,
    "n_reinsur_prem"                   DOUBLE,
    "n_incr_disp_tfa"                  DOUBLE,
    "ifc_cash_incr"                    DOUBLE,
    "n_incr_disp_faas"                 DOUBLE,
    "n_incr_loans_oth_bank"            DOUBLE,
    "n_cap_incr_repur"                 DOUBLE,
    "c_fr_oth_operate_a"               DOUBLE,
    "c_inf_fr_operate_a"               DOUBLE,
    "c_paid_goods_s"                   DOUBLE,
    "c_paid_to_for_empl"               DOUBLE,
    "c_paid_for_taxes"                 DOUBLE,
    "n_incr_clt_loan_adv"              DOUBLE,
    "n_incr_dep_cbob"                  DOUBLE,
    "c_pay_claims_orig_inco"           DOUBLE,
    "pay_handling_chrg"                DOUBLE,
    "pay_comm_insur_plcy"              DOUBLE,
    "oth_cash_pay_oper_act"            DOUBLE,
    "st_cash_out_act"                  DOUBLE,
    "n_cashflow_act"                   DOUBLE,
    "oth_recp_ral_inv_act"             DOUBLE,
    "c_disp_withdrwl_invest"           DOUBLE,
    "c_recp_return_invest"             DOUBLE,
    "n_recp_disp_fiolta"               DOUBLE,
    "n_recp_disp_sobu"                 DOUBLE,
    "stot_inflows_inv_act"             DOUBLE,
    "c_pay_acq_const_fiolta"           DOUBLE,
    "c_paid_invest"                    DOUBLE,
    "n_disp_subs_oth_biz"              DOUBLE,
    "oth_pay_ral_inv_act"              DOUBLE,
    "n_incr_pledge_loan"               DOUBLE,
    "stot_out_inv_act"                 DOUBLE,
    "n_cashflow_inv_act"               DOUBLE,
    "c_recp_borrow"                    DOUBLE,
    "proc_issue_bonds"                 DOUBLE,
    "oth_cash_recp_ral_fnc_act"        DOUBLE,
    "stot_cash_in_fnc_act"             DOUBLE,
    "free_cashflow"                    DOUBLE,
    "c_prepay_amt_borr"                DOUBLE,
    "c_pay_dist_dpcp_int_exp"          DOUBLE,
    "incl_dvd_profit_paid_sc_ms"       DOUBLE,
    "oth_cashpay_ral_fnc_act"          DOUBLE,
    "stot_cashout_fnc_act"             DOUBLE,
    "n_cash_flows_fnc_act"             DOUBLE,
    "eff_fx_flu_cash"                  DOUBLE,
    "n_incr_cash_cash_equ"             DOUBLE,
    "c_cash_equ_beg_period"            DOUBLE,
    "c_cash_equ_end_period"            DOUBLE,
    "c_recp_cap_contrib"               DOUBLE,
    "incl_cash_rec_saims"              DOUBLE,
    "uncon_invest_loss"                DOUBLE,
    "prov_depr_assets"                 DOUBLE,
    "depr_fa_coga_dpba"                DOUBLE,
    "amort_intang_assets"              DOUBLE,
    "lt_amort_deferred_exp"            DOUBLE,
    "decr_deferred_exp"                DOUBLE,
    "incr_acc_exp"                     DOUBLE,
    "loss_disp_fiolta"                 DOUBLE,
    "loss_scr_fa"                      DOUBLE,
    "loss_fv_chg"                      DOUBLE,
    "invest_loss"                      DOUBLE,
    "decr_def_inc_tax_assets"          DOUBLE,
    "incr_def_inc_tax_liab"            DOUBLE,
    "decr_inventories"                 DOUBLE,
    "decr_oper_payable"                DOUBLE,
    "incr_oper_payable"                DOUBLE,
    "others"                           DOUBLE,
    "im_net_cashflow_oper_act"         DOUBLE,
    "conv_debt_into_cap"               DOUBLE,
    "conv_copbonds_due_within_1y"      DOUBLE,
    "fa_fnc_leases"                    DOUBLE,
    "im_n_incr_cash_equ"               DOUBLE,
    "net_dism_capital_add"             DOUBLE,
    "net_cash_rece_sec"                DOUBLE,
    "credit_impa_loss"                 DOUBLE,
    "use_right_asset_dep"              DOUBLE,
    "oth_loss_asset"                   DOUBLE,
    "end_bal_cash"                     DOUBLE,
    "beg_bal_cash"                     DOUBLE,
    "end_bal_cash_equ"                 DOUBLE,
    "beg_bal_cash_equ"                 DOUBLE,
    "update_flag"                      VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_cashflow IS 'Cash flow statements per stock and report period, in yuan.';
COMMENT ON COLUMN normalized_cashflow."ts_code" IS 'TS股票代码';
COMMENT ON COLUMN normalized_cashflow."ann_date" IS '公告日期';
COMMENT ON COLUMN normalized_cashflow."f_ann_date" IS '实际公告日期';
COMMENT ON COLUMN normalized_cashflow."end_date" IS '报告期';
COMMENT ON COLUMN normalized_cashflow."comp_type" IS '公司类型(1一般工商业2银行3保险4证券)';
COMMENT ON COLUMN normalized_cashflow."report_type" IS '报表类型';
COMMENT ON COLUMN normalized_cashflow."end_type" IS '报告期类型';
COMMENT ON COLUMN normalized_cashflow."net_profit" IS '净利润';
COMMENT ON COLUMN normalized_cashflow."finan_exp" IS '财务费用';
COMMENT ON COLUMN normalized_cashflow."c_fr_sale_sg" IS '销售商品、提供劳务收到的现金';
COMMENT ON COLUMN normalized_cashflow."recp_tax_rends" IS '收到的税费返还';
COMMENT ON COLUMN normalized_cashflow."n_depos_incr_fi" IS '客户存款和同业存放款项净增加额';
COMMENT ON COLUMN normalized_cashflow."n_incr_loans_cb" IS '向中央银行借款净增加额';
COMMENT ON COLUMN normalized_cashflow."n_inc_borr_oth_fi" IS '向其他金融机构拆入资金净增加额';
COMMENT ON COLUMN normalized_cashflow."prem_fr_orig_contr" IS '收到原保险合同保费取得的现金';
COMMENT ON COLUMN normalized_cashflow."n_incr_insured_dep" IS '保户储金净增加额';
COMMENT ON COLUMN normalized_cashflow."n_reinsur_prem" IS '收到再保业务现金净额';
COMMENT ON COLUMN normalized_cashflow."n_incr_disp_tfa" IS '处置交易性金融资产净增加额';
COMMENT ON COLUMN normalized_cashflow."ifc_cash_incr" IS '收取利息和手续费净增加额 [unit: lots of 100 shares]';
COMMENT ON COLUMN normalized_cashflow."n_incr_disp_faas" IS '处置可供出售金融资产净增加额';
COMMENT ON COLUMN normalized_cashflow."n_incr_loans_oth_bank" IS '拆入资金净增加额';
COMMENT ON COLUMN normalized_cashflow."n_cap_incr_repur" IS '回购业务资金净增加额';
COMMENT ON COLUMN normalized_cashflow."c_fr_oth_operate_a" IS '收到其他与经营活动有关的现金';
COMMENT ON COLUMN normalized_cashflow."c_inf_fr_operate_a" IS '经营活动现金流入小计';
COMMENT ON COLUMN normalized_cashflow."c_paid_goods_s" IS '购买商品、接受劳务支付的现金';
COMMENT ON COLUMN normalized_cashflow."c_paid_to_for_empl" IS '支付给职工以及为职工支付的现金';
COMMENT ON COLUMN normalized_cashflow."c_paid_for_taxes" IS '支付的各项税费';
COMMENT ON COLUMN normalized_cashflow."n_incr_clt_loan_adv" IS '客户贷款及垫款净增加额';
COMMENT ON COLUMN normalized_cashflow."n_incr_dep_cbob" IS '存放央行和同业款项净增加额';
COMMENT ON COLUMN normalized_cashflow."c_pay_claims_orig_inco" IS '支付原保险合同赔付款项的现金';
COMMENT ON COLUMN normalized_cashflow."pay_handling_chrg" IS '支付手续费的现金 [unit: lots of 100 shares]';
COMMENT ON COLUMN normalized_cashflow."pay_comm_insur_plcy" IS '支付保单红利的现金';
COMMENT ON COLUMN normalized_cashflow."oth_cash_pay_oper_act" IS '支付其他与经营活动有关的现金';
COMMENT ON COLUMN normalized_cashflow."st_cash_out_act" IS '经营活动现金流出小计';
COMMENT ON COLUMN normalized_cashflow."n_cashflow_act" IS '经营活动产生的现金流量净额';
COMMENT ON COLUMN normalized_cashflow."oth_recp_ral_inv_act" IS '收到其他与投资活动有关的现金';
COMMENT ON COLUMN normalized_cashflow."c_disp_withdrwl_invest" IS '收回投资收到的现金';
COMMENT ON COLUMN normalized_cashflow."c_recp_return_invest" IS '取得投资收益收到的现金';
COMMENT ON COLUMN normalized_cashflow."n_recp_disp_fiolta" IS '处置固定资产、无形资产和其他长期资产收回的现金净额';
COMMENT ON COLUMN normalized_cashflow."n_recp_disp_sobu" IS '处置子公司及其他营业单位收到的现金净额';
COMMENT ON COLUMN normalized_cashflow."stot_inflows_inv_act" IS '投资活动现金流入小计';
COMMENT ON COLUMN normalized_cashflow."c_pay_acq_const_fiolta" IS '购建固定资产、无形资产和其他长期资产支付的现金';
COMMENT ON COLUMN normalized_cashflow."c_paid_invest" IS '投资支付的现金';
COMMENT ON COLUMN normalized_cashflow."n_disp_subs_oth_biz" IS '取得子公司及其他营业单位支付的现金净额';
COMMENT ON COLUMN normalized_cashflow."oth_pay_ral_inv_act" IS '支付其他与投资活动有关的现金';
COMMENT ON COLUMN normalized_cashflow."n_incr_pledge_loan" IS '质押贷款净增加额';
COMMENT ON COLUMN normalized_cashflow."stot_out_inv_act" IS '投资活动现金流出小计';
COMMENT ON COLUMN normalized_cashflow."n_cashflow_inv_act" IS '投资活动产生的现金流量净额';
COMMENT ON COLUMN normalized_cashflow."c_recp_borrow" IS '取得借款收到的现金';
COMMENT ON COLUMN normalized_cashflow."proc_issue_bonds" IS '发行债券收到的现金';
COMMENT ON COLUMN normalized_cashflow."oth_cash_recp_ral_fnc_act" IS '收到其他与筹资活动有关的现金';
COMMENT ON COLUMN normalized_cashflow."stot_cash_in_fnc_act" IS '筹资活动现金流入小计';
COMMENT ON COLUMN normalized_cashflow."free_cashflow" IS '企业自由现金流量';
COMMENT ON COLUMN normalized_cashflow."c_prepay_amt_borr" IS '偿还债务支付的现金';
COMMENT ON COLUMN normalized_cashflow."c_pay_dist_dpcp_int_exp" IS '分配股利、利润或偿付利息支付的现金';
COMMENT ON COLUMN normalized_cashflow."incl_dvd_profit_paid_sc_ms" IS '其中:子公司支付给少数股东的股利、利润';
COMMENT ON COLUMN normalized_cashflow."oth_cashpay_ral_fnc_act" IS '支付其他与筹资活动有关的现金';
COMMENT ON COLUMN normalized_cashflow."stot_cashout_fnc_act" IS '筹资活动现金流出小计';
COMMENT ON COLUMN normalized_cashflow."n_cash_flows_fnc_act" IS '筹资活动产生的现金流量净额';
COMMENT ON COLUMN normalized_cashflow."eff_fx_flu_cash" IS '汇率变动对现金的影响';
COMMENT ON COLUMN normalized_cashflow."n_incr_cash_cash_equ" IS '现金及现金等价物净增加额';
COMMENT ON COLUMN normalized_cashflow."c_cash_equ_beg_period" IS '期初现金及现金等价物余额';
COMMENT ON COLUMN normalized_cashflow."c_cash_equ_end_period" IS '期末现金及现金等价物余额';
COMMENT ON COLUMN normalized_cashflow."c_recp_cap_contrib" IS '吸收投资收到的现金';
COMMENT ON COLUMN normalized_cashflow."incl_cash_rec_saims" IS '其中:子公司吸收少数股东投资收到的现金';
COMMENT ON COLUMN normalized_cashflow."uncon_invest_loss" IS '未确认投资损失';
COMMENT ON COLUMN normalized_cashflow."prov_depr_assets" IS '加:资产减值准备';
COMMENT ON COLUMN normalized_cashflow."depr_fa_coga_dpba" IS '固定资产折旧、油气资产折耗、生产性生物资产折旧';
COMMENT ON COLUMN normalized_cashflow."amort_intang_assets" IS '无形资产摊销';
COMMENT ON COLUMN normalized_cashflow."lt_amort_deferred_exp" IS '长期待摊费用摊销';
COMMENT ON COLUMN normalized_cashflow."decr_deferred_exp" IS '待摊费用减少';
COMMENT ON COLUMN normalized_cashflow."incr_acc_exp" IS '预提费用增加';
COMMENT ON COLUMN normalized_cashflow."loss_disp_fiolta" IS '处置固定、无形资产和其他长期资产的损失';
COMMENT ON COLUMN normalized_cashflow."loss_scr_fa" IS '固定资产报废损失';
COMMENT ON COLUMN normalized_cashflow."loss_fv_chg" IS '公允价值变动损失';
COMMENT ON COLUMN normalized_cashflow."invest_loss" IS '投资损失';
COMMENT ON COLUMN normalized_cashflow."decr_def_inc_tax_assets" IS '递延所得税资产减少';
COMMENT ON COLUMN normalized_cashflow."incr_def_inc_tax_liab" IS '递延所得税负债增加';
COMMENT ON COLUMN normalized_cashflow."decr_inventories" IS '存货的减少';
COMMENT ON COLUMN normalized_cashflow."decr_oper_payable" IS '经营性应收项目的减少';
COMMENT ON COLUMN normalized_cashflow."incr_oper_payable" IS '经营性应付项目的增加';
COMMENT ON COLUMN normalized_cashflow."others" IS '其他';
COMMENT ON COLUMN normalized_cashflow."im_net_cashflow_oper_act" IS '经营活动产生的现金流量净额(间接法)';
COMMENT ON COLUMN normalized_cashflow."conv_debt_into_cap" IS '债务转为资本';
COMMENT ON COLUMN normalized_cashflow."conv_copbonds_due_within_1y" IS '一年内到期的可转换公司债券';
COMMENT ON COLUMN normalized_cashflow."fa_fnc_leases" IS '融资租入固定资产';
COMMENT ON COLUMN normalized_cashflow."im_n_incr_cash_equ" IS '现金及现金等价物净增加额(间接法)';
COMMENT ON COLUMN normalized_cashflow."net_dism_capital_add" IS '拆出资金净增加额';
COMMENT ON COLUMN normalized_cashflow."net_cash_rece_sec" IS '代理买卖证券收到的现金净额(元) [unit: yuan]';
COMMENT ON COLUMN normalized_cashflow."credit_impa_loss" IS '信用减值损失';
COMMENT ON COLUMN normalized_cashflow."use_right_asset_dep" IS '使用权资产折旧';
COMMENT ON COLUMN normalized_cashflow."oth_loss_asset" IS '其他资产减值损失';
COMMENT ON COLUMN normalized_cashflow."end_bal_cash" IS '现金的期末余额';
COMMENT ON COLUMN normalized_cashflow."beg_bal_cash" IS '减:现金的期初余额';
COMMENT ON COLUMN normalized_cashflow."end_bal_cash_equ" IS '加:现金等价物的期末余额';
COMMENT ON COLUMN normalized_cashflow."beg_bal_cash_equ" IS '减:现金等价物的期初余额';
COMMENT ON COLUMN normalized_cashflow."update_flag" IS '更新标志(1最新）';
COMMENT ON COLUMN normalized_cashflow."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_cashflow."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_cashflow."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- Every version of cashflow ever served, original and restated: what point-in-time
-- reads choose from (the table above holds only the latest version of each report).
CREATE TABLE IF NOT EXISTS revisions_cashflow (
    "ts_code"                          VARCHAR NOT NULL,
    "ann_date"                         DATE,
    "f_ann_date"                       DATE,
    "end_date"                         DATE NOT NULL,
    "comp_type"                        VARCHAR,
    "report_type"                      VARCHAR NOT NULL,
    "end_type"                         VARCHAR,
    "net_profit"                       DOUBLE,
    "finan_exp"                        DOUBLE,
    "c_fr_sale_sg"                     DOUBLE,
    "recp_tax_rends"                   DOUBLE,
    "n_depos_incr_fi"                  DOUBLE,
    "n_incr_loans_cb"                  DOUBLE,
    "n_inc_borr_oth_fi"                DOUBLE,
    "prem_fr_orig_contr"               DOUBLE,
    "n_incr_insured_dep"               DOUBLE,
    "n_reinsur_prem"                   DOUBLE,
    "n_incr_disp_tfa"                  DOUBLE,
    "ifc_cash_incr"                    DOUBLE,
    "n_incr_disp_faas"                 DOUBLE,
    "n_incr_loans_oth_bank"            DOUBLE,
    "n_cap_incr_repur"                 DOUBLE,
    "c_fr_oth_operate_a"               DOUBLE,
    "c_inf_fr_operate_a"               DOUBLE,
    "c_paid_goods_s"                   DOUBLE,
    "c_paid_to_for_empl"               DOUBLE,
    "c_paid_for_taxes"                 DOUBLE,
    "n_incr_clt_loan_adv"              DOUBLE,
    "n_incr_dep_cbob"                  DOUBLE,
    "c_pay_claims_orig_inco"           DOUBLE,
    "pay_handling_chrg"                DOUBLE,
    "pay_comm_insur_plcy"              DOUBLE,
    "oth_cash_pay_oper_act"            DOUBLE,
    "st_cash_out_act"                  DOUBLE,
    "n_cashflow_act"                   DOUBLE,
    "oth_recp_ral_inv_act"             DOUBLE,
    "c_disp_withdrwl_invest"           DOUBLE,
    "c_recp_return_invest"             DOUBLE,
    "n_recp_disp_fiolta"               DOUBLE,
    "n_recp_disp_sobu"                 DOUBLE,
    "stot_inflows_inv_act"             DOUBLE,
    "c_pay_acq_const_fiolta"           DOUBLE,
    "c_paid_invest"                    DOUBLE,
    "n_disp_subs_oth_biz"              DOUBLE,
    "oth_pay_ral_inv_act"              DOUBLE,
    "n_incr_pledge_loan"               DOUBLE,
    "stot_out_inv_act"                 DOUBLE,
    "n_cashflow_inv_act"               DOUBLE,
    "c_recp_borrow"                    DOUBLE,
    "proc_issue_bonds"                 DOUBLE,
    "oth_cash_recp_ral_fnc_act"        DOUBLE,
    "stot_cash_in_fnc_act"             DOUBLE,
    "free_cashflow"                    DOUBLE,
    "c_prepay_amt_borr"                DOUBLE,
    "c_pay_dist_dpcp_int_exp"          DOUBLE,
    "incl_dvd_profit_paid_sc_ms"       DOUBLE,
    "oth_cashpay_ral_fnc_act"          DOUBLE,
    "stot_cashout_fnc_act"             DOUBLE,
    "n_cash_flows_fnc_act"             DOUBLE,
    "eff_fx_flu_cash"                  DOUBLE,
    "n_incr_cash_cash_equ"             DOUBLE,
    "c_cash_equ_beg_period"            DOUBLE,
    "c_cash_equ_end_period"            DOUBLE,
    "c_recp_cap_contrib"               DOUBLE,
    "incl_cash_rec_saims"              DOUBLE,
    "uncon_invest_loss"                DOUBLE,
    "prov_depr_assets"                 DOUBLE,
    "depr_fa_coga_dpba"                DOUBLE,
    "amort_intang_assets"              DOUBLE,
    "lt_amort_deferred_exp"            DOUBLE,
    "decr_deferred_exp"                DOUBLE,
    "incr_acc_exp"                     DOUBLE,
    "loss_disp_fiolta"                 DOUBLE,
    "loss_scr_fa"                      DOUBLE,
    "loss_fv_chg"                      DOUBLE,
    "invest_loss"                      DOUBLE,
    "decr_def_inc_tax_assets"          DOUBLE,
    "incr_def_inc_tax_liab"            DOUBLE,
    "decr_inventories"                 DOUBLE,
    "decr_oper_payable"                DOUBLE,
    "incr_oper_payable"                DOUBLE,
    "others"                           DOUBLE,
    "im_net_cashflow_oper_act"         DOUBLE,
    "conv_debt_into_cap"               DOUBLE,
    "conv_copbonds_due_within_1y"      DOUBLE,
    "fa_fnc_leases"                    DOUBLE,
    "im_n_incr_cash_equ"               DOUBLE,
    "net_dism_capital_add"             DOUBLE,
    "net_cash_rece_sec"                DOUBLE,
    "credit_impa_loss"                 DOUBLE,
    "use_right_asset_dep"              DOUBLE,
    "oth_loss_asset"                   DOUBLE,
    "end_bal_cash"                     DOUBLE,
    "beg_bal_cash"                     DOUBLE,
    "end_bal_cash_equ"                 DOUBLE,
    "beg_bal_cash_equ"                 DOUBLE,
    "update_flag"                      VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "row_hash"                         VARCHAR NOT NULL,
    "raw_id"                           BIGINT,
    "first_seen_at"                    TIMESTAMP NOT NULL
);
COMMENT ON TABLE revisions_cashflow IS 'Every version of normalized_cashflow rows Tushare served, original and revised.';
COMMENT ON COLUMN revisions_cashflow."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN revisions_cashflow."row_hash" IS 'md5 of the row''s values: one row per distinct version.';
COMMENT ON COLUMN revisions_cashflow."raw_id" IS 'The raw_responses row that first served this version.';
COMMENT ON COLUMN revisions_cashflow."first_seen_at" IS 'When the warehouse first wrote this version (UTC).';

-- fina_indicator: Financial indicators per stock and report period (ratios in percent); update_flag is hidden by default and requested by name.
-- Tushare doc: https://tushare.pro/document/2?doc_id=79
CREATE TABLE IF NOT EXISTS normalized_fina_indicator (
    "ts_code"                          VARCHAR NOT NULL,
    "ann_date"                         DATE,
    "end_date"                         DATE NOT NULL,
    "eps"                              DOUBLE,
    "dt_eps"                           DOUBLE,
    "total_revenue_ps"                 DOUBLE,
    "revenue_ps"                       DOUBLE,
    "capital_rese_ps"                  DOUBLE,
    "surplus_rese_ps"                  DOUBLE,
    "undist_profit_ps"                 DOUBLE,
    "extra_item"                       DOUBLE,
    "profit_dedt"                      DOUBLE,
    "gross_margin"                     DOUBLE,
    "current_ratio"                    DOUBLE,
    "quick_ratio"                      DOUBLE,
    "cash_ratio"                       DOUBLE,
    "invturn_days"                     DOUBLE,
    "arturn_days"                      DOUBLE,
    "inv_turn"                         DOUBLE,
    "ar_turn"                          DOUBLE,
    "ca_turn"                          DOUBLE,
    "fa_turn"                          DOUBLE,
    "assets_turn"                      DOUBLE,
    "op_income"                        DOUBLE,
    "valuechange_income"               DOUBLE,
    "interst_income"                   DOUBLE,
    "daa"                              DOUBLE,
    "ebit"                             DOUBLE,
    "ebitda"                           DOUBLE,
    "fcff"                             DOUBLE,
    "fcfe"                             DOUBLE,
    "current_exint"                    DOUBLE,
    "noncurrent_exint"                 DOUBLE,
    "interestdebt"                     DOUBLE,
    "netdebt"                          DOUBLE,
    "tangible_asset"                   DOUBLE,
    "working_capital"                  DOUBLE,
    "networking_capital"               DOUBLE,
    "invest_capital"                   DOUBLE,
    "retained_earnings"                DOUBLE,
    "diluted2_eps"                     DOUBLE,
    "bps"                              DOUBLE,
    "ocfps"                            DOUBLE,
    "retainedps"                       DOUBLE,
    "cfps"                             DOUBLE,
    "ebit_ps"                          DOUBLE,
    "fcff_ps"                          DOUBLE,
    "fcfe_ps"                          DOUBLE,
    "netprofit_margin"                 DOUBLE,
    "grossprofit_margin"               DOUBLE,
    "cogs_of_sales"                    DOUBLE,
    "expense_of_sales"                 DOUBLE,
    "profit_to_gr"                     DOUBLE,
    "saleexp_to_gr"                    DOUBLE,
    "adminexp_of_gr"                   DOUBLE,
    "finaexp_of_gr"                    DOUBLE,
    "impai_ttm"                        DOUBLE,
    "gc_of_gr"                         DOUBLE,
    "op_of_gr"                         DOUBLE,
    "ebit_of_gr"                       DOUBLE,
    "roe"                              DOUBLE,
    "roe_waa"                          DOUBLE,
    "roe_dt"                           DOUBLE,
    "roa"                              DOUBLE,
    "npta"                             DOUBLE,
    "roic"                             DOUBLE,
    "roe_yearly"                       DOUBLE,
    "roa2_yearly"                      DOUBLE,
    "roe_avg"                          DOUBLE,
    "opincome_of_ebt"                  DOUBLE,
    "investincome_of_ebt"              DOUBLE,
    "n_op_profit_of_ebt"               DOUBLE,
    "tax_to_ebt"                       DOUBLE,
    "dtprofit_to_profit"               DOUBLE,
    "salescash_to_or"                  DOUBLE,
    "ocf_to_or"                        DOUBLE,
    "ocf_to_opincome"                  DOUBLE,
    "capitalized_to_da"                DOUBLE,
    "debt_to_assets"                   DOUBLE,
    "assets_to_eqt"                    DOUBLE,
    "dp_assets_to_eqt"                 DOUBLE,
    "ca_to_assets"                     DOUBLE,
    "nca_to_assets"                    DOUBLE,
    "tbassets_to_totalassets"          DOUBLE,
    "int_to_talcap"                    DOUBLE,
    "eqt_to_talcapital"                DOUBLE,
    "currentdebt_to_debt"              DOUBLE,
    "longdeb_to_debt"                  DOUBLE,
    "ocf_to_shortdebt"                 DOUBLE,
    "debt_to_eqt"                      DOUBLE,
    "eqt_to_debt"                      DOUBLE,
    "eqt_to_interestdebt"              DOUBLE,
    "tangibleasset_to_debt"            DOUBLE,
    "tangasset_to_intdebt"             DOUBLE,
    "tangibleasset_to_netdebt"         DOUBLE,
    "ocf_to_debt"                      DOUBLE,
    "ocf_to_interestdebt"              DOUBLE,
    "ocf_to_netdebt"                   DOUBLE,
    "ebit_to_interest"                 DOUBLE,
    "longdebt_to_workingcapital"       DOUBLE,
    "ebitda_to_debt"                   DOUBLE,
    "turn_days"                        DOUBLE,
    "roa_yearly"                       DOUBLE,
    "roa_dp"                           DOUBLE,
    "fixed_assets"                     DOUBLE,
    "profit_prefin_exp"                DOUBLE,
    "non_op_profit"                    DOUBLE,
    "op_to_ebt"                        DOUBLE,
    "nop_to_ebt"                       DOUBLE,
    "ocf_to_profit"                    DOUBLE,
    "cash_to_liqdebt"                  DOUBLE,
    "cash_to_liqdebt_withinterest"     DOUBLE,
    "op_to_liqdebt"                    DOUBLE,
    "op_to_debt"                       DOUBLE,
    "roic_yearly"                      DOUBLE,
    "total_fa_trun"                    DOUBLE,
    "profit_to_op"                     DOUBLE,
    "q_opincome"                       DOUBLE,
    "q_investincome"                   DOUBLE,
    "q_dtprofit"                       DOUBLE,
    "q_eps"                            DOUBLE,
    "q_netprofit_margin"               DOUBLE,
    "q_gsprofit_margin"                DOUBLE,
    "q_exp_to_sales"                   DOUBLE,
    "q_profit_to_gr"                   DOUBLE,
    "q_saleexp_to_gr"                  DOUBLE,
    "q_adminexp_to_gr"                 DOUBLE,
    "q_finaexp_to_gr"                  DOUBLE,
    "q_impair_to_gr_ttm"               DOUBLE,
    "q_gc_to_gr"                       DOUBLE,
    "q_op_to_gr"                       DOUBLE,
    "q_roe"                            DOUBLE,
    "q_dt_roe"                         DOUBLE,
    "q_npta"                           DOUBLE,
    "q_opincome_to_ebt"                DOUBLE,
    "q_investincome_to_ebt"            DOUBLE,
    "q_dtprofit_to_profit"             DOUBLE,
    "q_salescash_to_or"                DOUBLE,
    "q_ocf_to_sales"                   DOUBLE,
    "q_ocf_to_or"                      DOUBLE,
    "basic_eps_yoy"                    DOUBLE,
    "dt_eps_yoy"                       DOUBLE,
    "cfps_yoy"                         DOUBLE,
    "op_yoy"                           DOUBLE,
    "ebt_yoy"                          DOUBLE,
    "netprofit_yoy"                    DOUBLE,
    "dt_netprofit_yoy"                 DOUBLE,
    "ocf_yoy"                          DOUBLE,
    "roe_yoy"                          DOUBLE,
    "bps_yoy"                          DOUBLE,
    "assets_yoy"                       DOUBLE,
    "eqt_yoy"                          DOUBLE,
    "tr_yoy"                           DOUBLE,
    "or_yoy"                           DOUBLE,
    "q_gr_yoy"                         DOUBLE,
    "q_gr_qoq"                         DOUBLE,
    "q_sales_yoy"                      DOUBLE,
    "q_sales_qoq"                      DOUBLE,
    "q_op_yoy"                         DOUBLE,
    "q_op_qoq"                         DOUBLE,
    "q_profit_yoy"                     DOUBLE,
    "q_profit_qoq"                     DOUBLE,
    "q_netprofit_yoy"                  DOUBLE,
    "q_netprofit_qoq"                  DOUBLE,
    "equity_yoy"                       DOUBLE,
    "rd_exp"                           DOUBLE,
    "update_flag"                      VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_fina_indicator IS 'Financial indicators per stock and report period (ratios in percent); update_flag is hidden by default and requested by name.';
COMMENT ON COLUMN normalized_fina_indicator."ts_code" IS 'TS代码';
COMMENT ON COLUMN normalized_fina_indicator."ann_date" IS '公告日期';
COMMENT ON COLUMN normalized_fina_indicator."end_date" IS '报告期';
COMMENT ON COLUMN normalized_fina_indicator."eps" IS '基本每股收益';
COMMENT ON COLUMN normalized_fina_indicator."dt_eps" IS '稀释每股收益';
COMMENT ON COLUMN normalized_fina_indicator."total_revenue_ps" IS '每股营业总收入';
COMMENT ON COLUMN normalized_fina_indicator."revenue_ps" IS '每股营业收入';
COMMENT ON COLUMN normalized_fina_indicator."capital_rese_ps" IS '每股资本公积';
COMMENT ON COLUMN normalized_fina_indicator."surplus_rese_ps" IS '每股盈余公积';
COMMENT ON COLUMN normalized_fina_indicator."undist_profit_ps" IS '每股未分配利润';
COMMENT ON COLUMN normalized_fina_indicator."extra_item" IS '非经常性损益';
COMMENT ON COLUMN normalized_fina_indicator."profit_dedt" IS '扣除非经常性损益后的净利润（扣非净利润）';
COMMENT ON COLUMN normalized_fina_indicator."gross_margin" IS '毛利';
COMMENT ON COLUMN normalized_fina_indicator."current_ratio" IS '流动比率';
COMMENT ON COLUMN normalized_fina_indicator."quick_ratio" IS '速动比率';
COMMENT ON COLUMN normalized_fina_indicator."cash_ratio" IS '保守速动比率';
COMMENT ON COLUMN normalized_fina_indicator."invturn_days" IS '存货周转天数 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."arturn_days" IS '应收账款周转天数 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."inv_turn" IS '存货周转率 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."ar_turn" IS '应收账款周转率';
COMMENT ON COLUMN normalized_fina_indicator."ca_turn" IS '流动资产周转率';
COMMENT ON COLUMN normalized_fina_indicator."fa_turn" IS '固定资产周转率';
COMMENT ON COLUMN normalized_fina_indicator."assets_turn" IS '总资产周转率';
COMMENT ON COLUMN normalized_fina_indicator."op_income" IS '经营活动净收益';
COMMENT ON COLUMN normalized_fina_indicator."valuechange_income" IS '价值变动净收益 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."interst_income" IS '利息费用 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."daa" IS '折旧与摊销 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."ebit" IS '息税前利润';
COMMENT ON COLUMN normalized_fina_indicator."ebitda" IS '息税折旧摊销前利润';
COMMENT ON COLUMN normalized_fina_indicator."fcff" IS '企业自由现金流量';
COMMENT ON COLUMN normalized_fina_indicator."fcfe" IS '股权自由现金流量';
COMMENT ON COLUMN normalized_fina_indicator."current_exint" IS '无息流动负债';
COMMENT ON COLUMN normalized_fina_indicator."noncurrent_exint" IS '无息非流动负债';
COMMENT ON COLUMN normalized_fina_indicator."interestdebt" IS '带息债务';
COMMENT ON COLUMN normalized_fina_indicator."netdebt" IS '净债务';
COMMENT ON COLUMN normalized_fina_indicator."tangible_asset" IS '有形资产';
COMMENT ON COLUMN normalized_fina_indicator."working_capital" IS '营运资金';
COMMENT ON COLUMN normalized_fina_indicator."networking_capital" IS '营运流动资本';
COMMENT ON COLUMN normalized_fina_indicator."invest_capital" IS '全部投入资本';
COMMENT ON COLUMN normalized_fina_indicator."retained_earnings" IS '留存收益';
COMMENT ON COLUMN normalized_fina_indicator."diluted2_eps" IS '期末摊薄每股收益';
COMMENT ON COLUMN normalized_fina_indicator."bps" IS '每股净资产';
COMMENT ON COLUMN normalized_fina_indicator."ocfps" IS '每股经营活动产生的现金流量净额';
COMMENT ON COLUMN normalized_fina_indicator."retainedps" IS '每股留存收益';
COMMENT ON COLUMN normalized_fina_indicator."cfps" IS '每股现金流量净额';
COMMENT ON COLUMN normalized_fina_indicator."ebit_ps" IS '每股息税前利润';
COMMENT ON COLUMN normalized_fina_indicator."fcff_ps" IS '每股企业自由现金流量';
COMMENT ON COLUMN normalized_fina_indicator."fcfe_ps" IS '每股股东自由现金流量';
COMMENT ON COLUMN normalized_fina_indicator."netprofit_margin" IS '销售净利率';
COMMENT ON COLUMN normalized_fina_indicator."grossprofit_margin" IS '销售毛利率';
COMMENT ON COLUMN normalized_fina_indicator."cogs_of_sales" IS '销售成本率';
COMMENT ON COLUMN normalized_fina_indicator."expense_of_sales" IS '销售期间费用率';
COMMENT ON COLUMN normalized_fina_indicator."profit_to_gr" IS '净利润/营业总收入';
COMMENT ON COLUMN normalized_fina_indicator."saleexp_to_gr" IS '销售费用/营业总收入';
COMMENT ON COLUMN normalized_fina_indicator."adminexp_of_gr" IS '管理费用/营业总收入';
COMMENT ON COLUMN normalized_fina_indicator."finaexp_of_gr" IS '财务费用/营业总收入';
COMMENT ON COLUMN normalized_fina_indicator."impai_ttm" IS '资产减值损失/营业总收入';
COMMENT ON COLUMN normalized_fina_indicator."gc_of_gr" IS '营业总成本/营业总收入';
COMMENT ON COLUMN normalized_fina_indicator."op_of_gr" IS '营业利润/营业总收入';
COMMENT ON COLUMN normalized_fina_indicator."ebit_of_gr" IS '息税前利润/营业总收入';
COMMENT ON COLUMN normalized_fina_indicator."roe" IS '净资产收益率';
COMMENT ON COLUMN normalized_fina_indicator."roe_waa" IS '加权平均净资产收益率';
COMMENT ON COLUMN normalized_fina_indicator."roe_dt" IS '净资产收益率(扣除非经常损益)';
COMMENT ON COLUMN normalized_fina_indicator."roa" IS '总资产报酬率';
COMMENT ON COLUMN normalized_fina_indicator."npta" IS '总资产净利润';
COMMENT ON COLUMN normalized_fina_indicator."roic" IS '投入资本回报率';
COMMENT ON COLUMN normalized_fina_indicator."roe_yearly" IS '年化净资产收益率';
COMMENT ON COLUMN normalized_fina_indicator."roa2_yearly" IS '年化总资产报酬率';
COMMENT ON COLUMN normalized_fina_indicator."roe_avg" IS '平均净资产收益率(增发条件) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."opincome_of_ebt" IS '经营活动净收益/利润总额 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."investincome_of_ebt" IS '价值变动净收益/利润总额 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."n_op_profit_of_ebt" IS '营业外收支净额/利润总额 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."tax_to_ebt" IS '所得税/利润总额 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."dtprofit_to_profit" IS '扣除非经常损益后的净利润/净利润 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."salescash_to_or" IS '销售商品提供劳务收到的现金/营业收入 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."ocf_to_or" IS '经营活动产生的现金流量净额/营业收入 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."ocf_to_opincome" IS '经营活动产生的现金流量净额/经营活动净收益 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."capitalized_to_da" IS '资本支出/折旧和摊销 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."debt_to_assets" IS '资产负债率';
COMMENT ON COLUMN normalized_fina_indicator."assets_to_eqt" IS '权益乘数';
COMMENT ON COLUMN normalized_fina_indicator."dp_assets_to_eqt" IS '权益乘数(杜邦分析)';
COMMENT ON COLUMN normalized_fina_indicator."ca_to_assets" IS '流动资产/总资产';
COMMENT ON COLUMN normalized_fina_indicator."nca_to_assets" IS '非流动资产/总资产';
COMMENT ON COLUMN normalized_fina_indicator."tbassets_to_totalassets" IS '有形资产/总资产';
COMMENT ON COLUMN normalized_fina_indicator."int_to_talcap" IS '带息债务/全部投入资本';
COMMENT ON COLUMN normalized_fina_indicator."eqt_to_talcapital" IS '归属于母公司的股东权益/全部投入资本';
COMMENT ON COLUMN normalized_fina_indicator."currentdebt_to_debt" IS '流动负债/负债合计';
COMMENT ON COLUMN normalized_fina_indicator."longdeb_to_debt" IS '非流动负债/负债合计';
COMMENT ON COLUMN normalized_fina_indicator."ocf_to_shortdebt" IS '经营活动产生的现金流量净额/流动负债';
COMMENT ON COLUMN normalized_fina_indicator."debt_to_eqt" IS '产权比率';
COMMENT ON COLUMN normalized_fina_indicator."eqt_to_debt" IS '归属于母公司的股东权益/负债合计';
COMMENT ON COLUMN normalized_fina_indicator."eqt_to_interestdebt" IS '归属于母公司的股东权益/带息债务';
COMMENT ON COLUMN normalized_fina_indicator."tangibleasset_to_debt" IS '有形资产/负债合计';
COMMENT ON COLUMN normalized_fina_indicator."tangasset_to_intdebt" IS '有形资产/带息债务';
COMMENT ON COLUMN normalized_fina_indicator."tangibleasset_to_netdebt" IS '有形资产/净债务';
COMMENT ON COLUMN normalized_fina_indicator."ocf_to_debt" IS '经营活动产生的现金流量净额/负债合计';
COMMENT ON COLUMN normalized_fina_indicator."ocf_to_interestdebt" IS '经营活动产生的现金流量净额/带息债务 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."ocf_to_netdebt" IS '经营活动产生的现金流量净额/净债务 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."ebit_to_interest" IS '已获利息倍数(EBIT/利息费用) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."longdebt_to_workingcapital" IS '长期债务与营运资金比率 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."ebitda_to_debt" IS '息税折旧摊销前利润/负债合计 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."turn_days" IS '营业周期';
COMMENT ON COLUMN normalized_fina_indicator."roa_yearly" IS '年化总资产净利率';
COMMENT ON COLUMN normalized_fina_indicator."roa_dp" IS '总资产净利率(杜邦分析)';
COMMENT ON COLUMN normalized_fina_indicator."fixed_assets" IS '固定资产合计';
COMMENT ON COLUMN normalized_fina_indicator."profit_prefin_exp" IS '扣除财务费用前营业利润 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."non_op_profit" IS '非营业利润 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."op_to_ebt" IS '营业利润／利润总额 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."nop_to_ebt" IS '非营业利润／利润总额 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."ocf_to_profit" IS '经营活动产生的现金流量净额／营业利润 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."cash_to_liqdebt" IS '货币资金／流动负债 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."cash_to_liqdebt_withinterest" IS '货币资金／带息流动负债 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."op_to_liqdebt" IS '营业利润／流动负债 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."op_to_debt" IS '营业利润／负债合计 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."roic_yearly" IS '年化投入资本回报率 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."total_fa_trun" IS '固定资产合计周转率 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."profit_to_op" IS '利润总额／营业收入';
COMMENT ON COLUMN normalized_fina_indicator."q_opincome" IS '经营活动单季度净收益 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_investincome" IS '价值变动单季度净收益 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_dtprofit" IS '扣除非经常损益后的单季度净利润 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_eps" IS '每股收益(单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_netprofit_margin" IS '销售净利率(单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_gsprofit_margin" IS '销售毛利率(单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_exp_to_sales" IS '销售期间费用率(单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_profit_to_gr" IS '净利润／营业总收入(单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_saleexp_to_gr" IS '销售费用／营业总收入 (单季度)';
COMMENT ON COLUMN normalized_fina_indicator."q_adminexp_to_gr" IS '管理费用／营业总收入 (单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_finaexp_to_gr" IS '财务费用／营业总收入 (单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_impair_to_gr_ttm" IS '资产减值损失／营业总收入(单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_gc_to_gr" IS '营业总成本／营业总收入 (单季度)';
COMMENT ON COLUMN normalized_fina_indicator."q_op_to_gr" IS '营业利润／营业总收入(单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_roe" IS '净资产收益率(单季度)';
COMMENT ON COLUMN normalized_fina_indicator."q_dt_roe" IS '净资产单季度收益率(扣除非经常损益)';
COMMENT ON COLUMN normalized_fina_indicator."q_npta" IS '总资产净利润(单季度)';
COMMENT ON COLUMN normalized_fina_indicator."q_opincome_to_ebt" IS '经营活动净收益／利润总额(单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_investincome_to_ebt" IS '价值变动净收益／利润总额(单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_dtprofit_to_profit" IS '扣除非经常损益后的净利润／净利润(单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_salescash_to_or" IS '销售商品提供劳务收到的现金／营业收入(单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_ocf_to_sales" IS '经营活动产生的现金流量净额／营业收入(单季度)';
COMMENT ON COLUMN normalized_fina_indicator."q_ocf_to_or" IS '经营活动产生的现金流量净额／经营活动净收益(单季度) (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."basic_eps_yoy" IS '基本每股收益同比增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."dt_eps_yoy" IS '稀释每股收益同比增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."cfps_yoy" IS '每股经营活动产生的现金流量净额同比增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."op_yoy" IS '营业利润同比增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."ebt_yoy" IS '利润总额同比增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."netprofit_yoy" IS '归属母公司股东的净利润同比增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."dt_netprofit_yoy" IS '归属母公司股东的净利润-扣除非经常损益同比增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."ocf_yoy" IS '经营活动产生的现金流量净额同比增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."roe_yoy" IS '净资产收益率(摊薄)同比增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."bps_yoy" IS '每股净资产相对年初增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."assets_yoy" IS '资产总计相对年初增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."eqt_yoy" IS '归属母公司的股东权益相对年初增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."tr_yoy" IS '营业总收入同比增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."or_yoy" IS '营业收入同比增长率(%) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."q_gr_yoy" IS '营业总收入同比增长率(%)(单季度) [unit: percent] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_gr_qoq" IS '营业总收入环比增长率(%)(单季度) [unit: percent] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_sales_yoy" IS '营业收入同比增长率(%)(单季度) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."q_sales_qoq" IS '营业收入环比增长率(%)(单季度) [unit: percent] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_op_yoy" IS '营业利润同比增长率(%)(单季度) [unit: percent] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_op_qoq" IS '营业利润环比增长率(%)(单季度) [unit: percent]';
COMMENT ON COLUMN normalized_fina_indicator."q_profit_yoy" IS '净利润同比增长率(%)(单季度) [unit: percent] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_profit_qoq" IS '净利润环比增长率(%)(单季度) [unit: percent] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_netprofit_yoy" IS '归属母公司股东的净利润同比增长率(%)(单季度) [unit: percent] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."q_netprofit_qoq" IS '归属母公司股东的净利润环比增长率(%)(单季度) [unit: percent] (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."equity_yoy" IS '净资产同比增长率';
COMMENT ON COLUMN normalized_fina_indicator."rd_exp" IS '研发费用 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."update_flag" IS '更新标识 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_fina_indicator."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_fina_indicator."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_fina_indicator."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- Every version of fina_indicator ever served, original and restated: what point-in-time
-- reads choose from (the table above holds only the latest version of each report).
CREATE TABLE IF NOT EXISTS revisions_fina_indicator (
    "ts_code"                          VARCHAR NOT NULL,
    "ann_date"                         DATE,
    "end_date"                         DATE NOT NULL,
    "eps"                              DOUBLE,
    "dt_eps"                           DOUBLE,
    "total_revenue_ps"                 DOUBLE,
    "revenue_ps"                       DOUBLE,
    "capital_rese_ps"                  DOUBLE,
    "surplus_rese_ps"                  DOUBLE,
    "undist_profit_ps"                 DOUBLE,
    "extra_item"                       DOUBLE,
    "profit_dedt"                      DOUBLE,
    "gross_margin"                     DOUBLE,
    "current_ratio"                    DOUBLE,
    "quick_ratio"                      DOUBLE,
    "cash_ratio"                       DOUBLE,
    "invturn_days"                     DOUBLE,
    "arturn_days"                      DOUBLE,
    "inv_turn"                         DOUBLE,
    "ar_turn"                          DOUBLE,
    "ca_turn"                          DOUBLE,
    "fa_turn"                          DOUBLE,
    "assets_turn"                      DOUBLE,
    "op_income"                        DOUBLE,
    "valuechange_income"               DOUBLE,
    "interst_income"                   DOUBLE,
    "daa"                              DOUBLE,
    "ebit"                             DOUBLE,
    "ebitda"                           DOUBLE,
    "fcff"                             DOUBLE,
    "fcfe"                             DOUBLE,
    "current_exint"                    DOUBLE,
    "noncurrent_exint"                 DOUBLE,
    "interestdebt"                     DOUBLE,
    "netdebt"                          DOUBLE,
    "tangible_asset"                   DOUBLE,
    "working_capital"                  DOUBLE,
    "networking_capital"               DOUBLE,
    "invest_capital"                   DOUBLE,
    "retained_earnings"                DOUBLE,
    "diluted2_eps"                     DOUBLE,
    "bps"                              DOUBLE,
    "ocfps"                            DOUBLE,
    "retainedps"                       DOUBLE,
    "cfps"                             DOUBLE,
    "ebit_ps"                          DOUBLE,
    "fcff_ps"                          DOUBLE,
    "fcfe_ps"                          DOUBLE,
    "netprofit_margin"                 DOUBLE,
    "grossprofit_margin"               DOUBLE,
    "cogs_of_sales"                    DOUBLE,
    "expense_of_sales"                 DOUBLE,
    "profit_to_gr"                     DOUBLE,
    "saleexp_to_gr"                    DOUBLE,
    "adminexp_of_gr"                   DOUBLE,
    "finaexp_of_gr"                    DOUBLE,
    "impai_ttm"                        DOUBLE,
    "gc_of_gr"                         DOUBLE,
    "op_of_gr"                         DOUBLE,
    "ebit_of_gr"                       DOUBLE,
    "roe"                              DOUBLE,
    "roe_waa"                          DOUBLE,
    "roe_dt"                           DOUBLE,
    "roa"                              DOUBLE,
    "npta"                             DOUBLE,
    "roic"                             DOUBLE,
    "roe_yearly"                       DOUBLE,
    "roa2_yearly"                      DOUBLE,
    "roe_avg"                          DOUBLE,
    "opincome_of_ebt"                  DOUBLE,
    "investincome_of_ebt"              DOUBLE,
    "n_op_profit_of_ebt"               DOUBLE,
    "tax_to_ebt"                       DOUBLE,
    "dtprofit_to_profit"               DOUBLE,
    "salescash_to_or"                  DOUBLE,
    "ocf_to_or"                        DOUBLE,
    "ocf_to_opincome"                  DOUBLE,
    "capitalized_to_da"                DOUBLE,
    "debt_to_assets"                   DOUBLE,
    "assets_to_eqt"                    DOUBLE,
    "dp_assets_to_eqt"                 DOUBLE,
    "ca_to_assets"                     DOUBLE,
    "nca_to_assets"                    DOUBLE,
    "tbassets_to_totalassets"          DOUBLE,
    "int_to_talcap"                    DOUBLE,
    "eqt_to_talcapital"                DOUBLE,
    "currentdebt_to_debt"              DOUBLE,
    "longdeb_to_debt"                  DOUBLE,
    "ocf_to_shortdebt"                 DOUBLE,
    "debt_to_eqt"                      DOUBLE,
    "eqt_to_debt"                      DOUBLE,
    "eqt_to_interestdebt"              DOUBLE,
    "tangibleasset_to_debt"            DOUBLE,
    "tangasset_to_intdebt"             DOUBLE,
    "tangibleasset_to_netdebt"         DOUBLE,
    "ocf_to_debt"                      DOUBLE,
    "ocf_to_interestdebt"              DOUBLE,
    "ocf_to_netdebt"                   DOUBLE,
    "ebit_to_interest"                 DOUBLE,
    "longdebt_to_workingcapital"       DOUBLE,
    "ebitda_to_debt"                   DOUBLE,
    "turn_days"                        DOUBLE,
    "roa_yearly"                       DOUBLE,
    "roa_dp"                           DOUBLE,
    "fixed_assets"                     DOUBLE,
    "profit_prefin_exp"                DOUBLE,
    "non_op_profit"                    DOUBLE,
    "op_to_ebt"                        DOUBLE,
    "nop_to_ebt"                       DOUBLE,
    "ocf_to_profit"                    DOUBLE,
    "cash_to_liqdebt"                  DOUBLE,
    "cash_to_liqdebt_withinterest"     DOUBLE,
    "op_to_liqdebt"                    DOUBLE,
    "op_to_debt"                       DOUBLE,
    "roic_yearly"                      DOUBLE,
    "total_fa_trun"                    DOUBLE,
    "profit_to_op"                     DOUBLE,
    "q_opincome"                       DOUBLE,
    "q_investincome"                   DOUBLE,
    "q_dtprofit"                       DOUBLE,
    "q_eps"                            DOUBLE,
    "q_netprofit_margin"               DOUBLE,
    "q_gsprofit_margin"                DOUBLE,
    "q_exp_to_sales"                   DOUBLE,
    "q_profit_to_gr"                   DOUBLE,
    "q_saleexp_to_gr"                  DOUBLE,
    "q_adminexp_to_gr"                 DOUBLE,
    "q_finaexp_to_gr"                  DOUBLE,
    "q_impair_to_gr_ttm"               DOUBLE,
    "q_gc_to_gr"                       DOUBLE,
    "q_op_to_gr"                       DOUBLE,
    "q_roe"                            DOUBLE,
    "q_dt_roe"                         DOUBLE,
    "q_npta"                           DOUBLE,
    "q_opincome_to_ebt"                DOUBLE,
    "q_investincome_to_ebt"            DOUBLE,
    "q_dtprofit_to_profit"             DOUBLE,
    "q_salescash_to_or"                DOUBLE,
    "q_ocf_to_sales"                   DOUBLE,
    "q_ocf_to_or"                      DOUBLE,
    "basic_eps_yoy"                    DOUBLE,
    "dt_eps_yoy"                       DOUBLE,
    "cfps_yoy"                         DOUBLE,
    "op_yoy"                           DOUBLE,
    "ebt_yoy"                          DOUBLE,
    "netprofit_yoy"                    DOUBLE,
    "dt_netprofit_yoy"                 DOUBLE,
    "ocf_yoy"                          DOUBLE,
    "roe_yoy"                          DOUBLE,
    "bps_yoy"                          DOUBLE,
    "assets_yoy"                       DOUBLE,
    "eqt_yoy"                          DOUBLE,
    "tr_yoy"                           DOUBLE,
    "or_yoy"                           DOUBLE,
    "q_gr_yoy"                         DOUBLE,
    "q_gr_qoq"                         DOUBLE,
    "q_sales_yoy"                      DOUBLE,
    "q_sales_qoq"                      DOUBLE,
    "q_op_yoy"                         DOUBLE,
    "q_op_qoq"                         DOUBLE,
    "q_profit_yoy"                     DOUBLE,
    "q_profit_qoq"                     DOUBLE,
    "q_netprofit_yoy"                  DOUBLE,
    "q_netprofit_qoq"                  DOUBLE,
    "equity_yoy"                       DOUBLE,
    "rd_exp"                           DOUBLE,
    "update_flag"                      VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "row_hash"                         VARCHAR NOT NULL,
    "raw_id"                           BIGINT,
    "first_seen_at"                    TIMESTAMP NOT NULL
);
COMMENT ON TABLE revisions_fina_indicator IS 'Every version of normalized_fina_indicator rows Tushare served, original and revised.';
COMMENT ON COLUMN revisions_fina_indicator."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN revisions_fina_indicator."row_hash" IS 'md5 of the row''s values: one row per distinct version.';
COMMENT ON COLUMN revisions_fina_indicator."raw_id" IS 'The raw_responses row that first served this version.';
COMMENT ON COLUMN revisions_fina_indicator."first_seen_at" IS 'When the warehouse first wrote this version (UTC).';

-- forecast: Earnings forecasts: expected net profit range in ten thousand yuan and change in percent.
-- Tushare doc: https://tushare.pro/document/2?doc_id=45
CREATE TABLE IF NOT EXISTS normalized_forecast (
    "ts_code"                          VARCHAR NOT NULL,
    "ann_date"                         DATE NOT NULL,
    "end_date"                         DATE NOT NULL,
    "type"                             VARCHAR,
    "p_change_min"                     DOUBLE,
    "p_change_max"                     DOUBLE,
    "net_profit_min"                   DOUBLE,
    "net_profit_max"                   DOUBLE,
    "last_parent_net"                  DOUBLE,
    "notice_times"                     BIGINT,
    "first_ann_date"                   DATE,
    "summary"                          VARCHAR,
    "change_reason"                    VARCHAR,
    "update_flag"                      VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_forecast IS 'Earnings forecasts: expected net profit range in ten thousand yuan and change in percent.';
COMMENT ON COLUMN normalized_forecast."ts_code" IS 'TS股票代码';
COMMENT ON COLUMN normalized_forecast."ann_date" IS '公告日期';
COMMENT ON COLUMN normalized_forecast."end_date" IS '报告期';
COMMENT ON COLUMN normalized_forecast."type" IS '业绩预告类型(预增/预减/扭亏/首亏/续亏/续盈/略增/略减)';
COMMENT ON COLUMN normalized_forecast."p_change_min" IS '预告净利润变动幅度下限（%） [unit: percent]';
COMMENT ON COLUMN normalized_forecast."p_change_max" IS '预告净利润变动幅度上限（%） [unit: percent]';
COMMENT ON COLUMN normalized_forecast."net_profit_min" IS '预告净利润下限（万元） [unit: ten thousand yuan]';
COMMENT ON COLUMN normalized_forecast."net_profit_max" IS '预告净利润上限（万元） [unit: ten thousand yuan]';
COMMENT ON COLUMN normalized_forecast."last_parent_net" IS '上年同期归属母公司净利润';
COMMENT ON COLUMN normalized_forecast."notice_times" IS '公布次数 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_forecast."first_ann_date" IS '首次公告日';
COMMENT ON COLUMN normalized_forecast."summary" IS '业绩预告摘要';
COMMENT ON COLUMN normalized_forecast."change_reason" IS '业绩变动原因';
COMMENT ON COLUMN normalized_forecast."update_flag" IS '更新标志';
COMMENT ON COLUMN normalized_forecast."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_forecast."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_forecast."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- Every version of forecast ever served, original and restated: what point-in-time
-- reads choose from (the table above holds only the latest version of each report).
CREATE TABLE IF NOT EXISTS revisions_forecast (
    "ts_code"                          VARCHAR NOT NULL,
    "ann_date"                         DATE NOT NULL,
    "end_date"                         DATE NOT NULL,
    "type"                             VARCHAR,
    "p_change_min"                     DOUBLE,
    "p_change_max"                     DOUBLE,
    "net_profit_min"                   DOUBLE,
    "net_profit_max"                   DOUBLE,
    "last_parent_net"                  DOUBLE,
    "notice_times"                     BIGINT,
    "first_ann_date"                   DATE,
    "summary"                          VARCHAR,
    "change_reason"                    VARCHAR,
    "update_flag"                      VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "row_hash"                         VARCHAR NOT NULL,
    "raw_id"                           BIGINT,
    "first_seen_at"                    TIMESTAMP NOT NULL
);
COMMENT ON TABLE revisions_forecast IS 'Every version of normalized_forecast rows Tushare served, original and revised.';
COMMENT ON COLUMN revisions_forecast."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN revisions_forecast."row_hash" IS 'md5 of the row''s values: one row per distinct version.';
COMMENT ON COLUMN revisions_forecast."raw_id" IS 'The raw_responses row that first served this version.';
COMMENT ON COLUMN revisions_forecast."first_seen_at" IS 'When the warehouse first wrote this version (UTC).';

-- express: Preliminary earnings reports (业绩快报) ahead of the full statements, in yuan.
-- Tushare doc: https://tushare.pro/document/2?doc_id=46
CREATE TABLE IF NOT EXISTS normalized_express (
    "ts_code"                          VARCHAR NOT NULL,
    "ann_date"                         DATE,
    "end_date"                         DATE NOT NULL,
    "revenue"                          DOUBLE,
    "operate_profit"                   DOUBLE,
    "total_profit"                     DOUBLE,
    "n_income"                         DOUBLE,
    "total_assets"                     DOUBLE,
    "total_hldr_eqy_exc_min_int"       DOUBLE,
    "diluted_eps"                      DOUBLE,
    "diluted_roe"                      DOUBLE,
    "yoy_net_profit"                   DOUBLE,
    "bps"                              DOUBLE,
    "yoy_sales"                        DOUBLE,
    "yoy_op"                           DOUBLE,
    "yoy_tp"                           DOUBLE,
    "yoy_dedu_np"                      DOUBLE,
    "yoy_eps"                          DOUBLE,
    "yoy_roe"                          DOUBLE,
    "growth_assets"                    DOUBLE,
    "yoy_equity"                       DOUBLE,
    "growth_bps"                       DOUBLE,
    "or_last_year"                     DOUBLE,
    "op_last_year"                     DOUBLE,
    "tp_last_year"                     DOUBLE,
    "np_last_year"                     DOUBLE,
    "eps_last_year"                    DOUBLE,
    "open_net_assets"                  DOUBLE,
    "open_bps"                         DOUBLE,
    "perf_summary"                     VARCHAR,
    "is_audit"                         BIGINT,
    "remark"                           VARCHAR,
    "update_flag"                      VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "ingested_at"                      TIMESTAMP NOT NULL,
    "raw_id"                           BIGINT
);
COMMENT ON TABLE normalized_express IS 'Preliminary earnings reports (业绩快报) ahead of the full statements, in yuan.';
COMMENT ON COLUMN normalized_express."ts_code" IS 'TS股票代码';
COMMENT ON COLUMN normalized_express."ann_date" IS '公告日期';
COMMENT ON COLUMN normalized_express."end_date" IS '报告期';
COMMENT ON COLUMN normalized_express."revenue" IS '营业收入(元) [unit: yuan]';
COMMENT ON COLUMN normalized_express."operate_profit" IS '营业利润(元) [unit: yuan]';
COMMENT ON COLUMN normalized_express."total_profit" IS '利润总额(元) [unit: yuan]';
COMMENT ON COLUMN normalized_express."n_income" IS '净利润(元) [unit: yuan]';
COMMENT ON COLUMN normalized_express."total_assets" IS '总资产(元) [unit: yuan]';
COMMENT ON COLUMN normalized_express."total_hldr_eqy_exc_min_int" IS '股东权益合计(不含少数股东权益)(元) [unit: yuan]';
COMMENT ON COLUMN normalized_express."diluted_eps" IS '每股收益(摊薄)(元) [unit: yuan]';
COMMENT ON COLUMN normalized_express."diluted_roe" IS '净资产收益率(摊薄)(%) [unit: percent]';
COMMENT ON COLUMN normalized_express."yoy_net_profit" IS '去年同期修正后净利润';
COMMENT ON COLUMN normalized_express."bps" IS '每股净资产';
COMMENT ON COLUMN normalized_express."yoy_sales" IS '同比增长率:营业收入 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."yoy_op" IS '同比增长率:营业利润 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."yoy_tp" IS '同比增长率:利润总额 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."yoy_dedu_np" IS '同比增长率:归属母公司股东的净利润 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."yoy_eps" IS '同比增长率:基本每股收益 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."yoy_roe" IS '同比增减:加权平均净资产收益率 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."growth_assets" IS '比年初增长率:总资产 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."yoy_equity" IS '比年初增长率:归属母公司的股东权益 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."growth_bps" IS '比年初增长率:归属于母公司股东的每股净资产 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."or_last_year" IS '去年同期营业收入 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."op_last_year" IS '去年同期营业利润 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."tp_last_year" IS '去年同期利润总额 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."np_last_year" IS '去年同期净利润 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."eps_last_year" IS '去年同期每股收益 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."open_net_assets" IS '期初净资产 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."open_bps" IS '期初每股净资产 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."perf_summary" IS '业绩简要说明 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."is_audit" IS '是否审计： 1是 0否 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."remark" IS '备注 (hidden by default: requested by name)';
COMMENT ON COLUMN normalized_express."update_flag" IS '更新标志';
COMMENT ON COLUMN normalized_express."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN normalized_express."ingested_at" IS 'When the response this row came from was written (UTC): a re-fetch of the partition moves it to that write; twilight rebuild keeps the original.';
COMMENT ON COLUMN normalized_express."raw_id" IS 'The raw_responses row (archived response) this row was last normalized from: a re-fetch points it at the new response; twilight rebuild keeps it.';

-- Every version of express ever served, original and restated: what point-in-time
-- reads choose from (the table above holds only the latest version of each report).
CREATE TABLE IF NOT EXISTS revisions_express (
    "ts_code"                          VARCHAR NOT NULL,
    "ann_date"                         DATE,
    "end_date"                         DATE NOT NULL,
    "revenue"                          DOUBLE,
    "operate_profit"                   DOUBLE,
    "total_profit"                     DOUBLE,
    "n_income"                         DOUBLE,
    "total_assets"                     DOUBLE,
    "total_hldr_eqy_exc_min_int"       DOUBLE,
    "diluted_eps"                      DOUBLE,
    "diluted_roe"                      DOUBLE,
    "yoy_net_profit"                   DOUBLE,
    "bps"                              DOUBLE,
    "yoy_sales"                        DOUBLE,
    "yoy_op"                           DOUBLE,
    "yoy_tp"                           DOUBLE,
    "yoy_dedu_np"                      DOUBLE,
    "yoy_eps"                          DOUBLE,
    "yoy_roe"                          DOUBLE,
    "growth_assets"                    DOUBLE,
    "yoy_equity"                       DOUBLE,
    "growth_bps"                       DOUBLE,
    "or_last_year"                     DOUBLE,
    "op_last_year"                     DOUBLE,
    "tp_last_year"                     DOUBLE,
    "np_last_year"                     DOUBLE,
    "eps_last_year"                    DOUBLE,
    "open_net_assets"                  DOUBLE,
    "open_bps"                         DOUBLE,
    "perf_summary"                     VARCHAR,
    "is_audit"                         BIGINT,
    "remark"                           VARCHAR,
    "update_flag"                      VARCHAR,
    "source"                           VARCHAR NOT NULL,
    "row_hash"                         VARCHAR NOT NULL,
    "raw_id"                           BIGINT,
    "first_seen_at"                    TIMESTAMP NOT NULL
);
COMMENT ON TABLE revisions_express IS 'Every version of normalized_express rows Tushare served, original and revised.';
COMMENT ON COLUMN revisions_express."source" IS 'Where the row came from: tushare (production) or simulator.';
COMMENT ON COLUMN revisions_express."row_hash" IS 'md5 of the row''s values: one row per distinct version.';
COMMENT ON COLUMN revisions_express."raw_id" IS 'The raw_responses row that first served this version.';
COMMENT ON COLUMN revisions_express."first_seen_at" IS 'When the warehouse first wrote this version (UTC).';
