"""Quarterly financial reports per stock: income, balance sheet, cash flow, indicators,
preliminary (express) reports and earnings forecasts.

Each report is built from a handful of drivers drawn from (seed, stock, year), so it is
the same whichever API or date range asks for it. Amounts are whole yuan, so the
accounting identities hold exactly in floating point:
  total_assets == total_liab_hldr_eqy == total_liab + total_hldr_eqy_inc_min_int
  total_hldr_eqy_inc_min_int == total_hldr_eqy_exc_min_int + minority_int
  n_income == n_income_attr_p + minority_gain == total_profit - income_tax
  n_incr_cash_cash_equ == operating + investing + financing + fx; end = beginning + increase
Income and cash flow are year-to-date, as Tushare's are. Announcement order:
end_date < ann_date <= f_ann_date. About one report in twelve is revised: Tushare then
returns the original with update_flag '0' and the revision with update_flag '1' and a
later f_ann_date; an unrevised report has one row with update_flag '1'. Only what was
announced by as_of is served.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np
import pandas as pd

from twilight_assets.specs import get_spec
from .universe import Universe

QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))
FINANCIAL_APIS = ("income", "balancesheet", "cashflow", "fina_indicator", "express", "forecast")
REVISION_SHARE = 1 / 12
CACHED_STOCKS = 256
"""Stocks whose reports stay in memory; rebuilding one costs milliseconds."""


@dataclass(frozen=True)
class Drivers:
    """One stock-year's economics: single-quarter revenue and the ratios around it."""

    revenue_q: np.ndarray  # yuan per quarter
    cost_ratio: float
    sell_ratio: float
    admin_ratio: float
    rd_ratio: float
    fin_ratio: float
    tax_rate: float
    minority_ratio: float
    assets_to_revenue: float
    debt_ratio: float
    minority_int_ratio: float
    current_ratio_assets: float
    cash_conversion: float
    shares: float  # total shares (股) when no share source is given


def _ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _whole(x: float) -> float:
    return float(round(x))


class Financials:
    def __init__(self, universe: Universe, shares: Callable[[int, dt.date], float] | None = None) -> None:
        """`shares(i, day)` gives stock i's share count (股) on a day, so statements
        agree with daily_basic; without it each stock keeps a fixed count."""
        self.u = universe
        self.seed = universe.config.seed
        self._shares = shares
        self._cache: OrderedDict[int, dict[str, pd.DataFrame]] = OrderedDict()
        self._lock = threading.Lock()
        self._drivers: dict[tuple[int, int], Drivers] = {}

    @cached_property
    def _scale(self) -> np.ndarray:
        rng = np.random.default_rng([self.seed, 7])
        return np.exp(rng.uniform(np.log(3e7), np.log(3e10), len(self.u.codes)))

    def tables(self, i: int) -> dict[str, pd.DataFrame]:
        """Every financial API's rows for stock i (all fields, Tushare's order)."""
        with self._lock:
            if i in self._cache:
                self._cache.move_to_end(i)
                return self._cache[i]
        tables = self._build(i)
        with self._lock:
            self._cache[i] = tables
            while len(self._cache) > CACHED_STOCKS:
                self._cache.popitem(last=False)
            self._drivers.clear()
        return tables

    def drivers(self, i: int, year: int) -> Drivers:
        key = (i, year)
        if key not in self._drivers:
            self._drivers[key] = self._make_drivers(i, year)
        return self._drivers[key]

    def _make_drivers(self, i: int, year: int) -> Drivers:
        rng = np.random.default_rng([self.seed, 8, i, year])
        growth = (1.0 + np.random.default_rng([self.seed, 9, i]).uniform(-0.05, 0.2)) ** (year - 2000)
        season = np.array([0.85, 1.0, 1.0, 1.15])
        revenue_q = np.round(self._scale[i] * growth * season * rng.uniform(0.85, 1.15, 4))
        share_rng = np.random.default_rng([self.seed, 10, i])
        return Drivers(
            revenue_q=revenue_q,
            cost_ratio=rng.uniform(0.45, 0.85),
            sell_ratio=rng.uniform(0.02, 0.08),
            admin_ratio=rng.uniform(0.03, 0.08),
            rd_ratio=rng.uniform(0.0, 0.08),
            fin_ratio=rng.uniform(-0.01, 0.03),
            tax_rate=0.15 if rng.random() < 0.4 else 0.25,
            minority_ratio=rng.uniform(0.0, 0.12),
            assets_to_revenue=rng.uniform(1.2, 4.0),
            debt_ratio=rng.uniform(0.2, 0.75),
            minority_int_ratio=rng.uniform(0.0, 0.08),
            current_ratio_assets=rng.uniform(0.3, 0.7),
            cash_conversion=rng.uniform(0.5, 1.5),
            shares=float(round(share_rng.uniform(1e8, 5e9), -4)),
        )

    # -- one report ---------------------------------------------------------------------
    def _report(self, i: int, year: int, q: int, revision: float) -> dict[str, dict]:
        """The four statements of (year, quarter q in 1..4); `revision` scales the last
        quarter's revenue (1.0 for the original)."""
        d = self.drivers(i, year)
        shares = self._shares(i, dt.date(year, *QUARTER_ENDS[q - 1])) if self._shares else d.shares
        rev_q = d.revenue_q.copy()
        rev_q[q - 1] = round(rev_q[q - 1] * revision)
        revenue = float(rev_q[:q].sum())
        oper_cost = _whole(revenue * d.cost_ratio)
        biz_tax = _whole(revenue * 0.006)
        sell, admin = _whole(revenue * d.sell_ratio), _whole(revenue * d.admin_ratio)
        rd, fin = _whole(revenue * d.rd_ratio), _whole(revenue * d.fin_ratio)
        impair = _whole(revenue * 0.004)
        total_cogs = oper_cost + biz_tax + sell + admin + rd + fin + impair
        invest_income = _whole(revenue * 0.01)
        operate_profit = revenue - total_cogs + invest_income
        non_oper_income, non_oper_exp = _whole(revenue * 0.002), _whole(revenue * 0.001)
        total_profit = operate_profit + non_oper_income - non_oper_exp
        income_tax = _whole(max(total_profit, 0.0) * d.tax_rate)
        n_income = total_profit - income_tax
        minority_gain = _whole(n_income * d.minority_ratio)
        attr_p = n_income - minority_gain
        oth_compr = _whole(revenue * 0.001)
        depreciation = _whole(revenue * 0.03)
        eps = round(attr_p / shares, 4)
        income = {
            "basic_eps": eps, "diluted_eps": eps, "total_revenue": revenue, "revenue": revenue,
            "total_cogs": total_cogs, "oper_cost": oper_cost, "biz_tax_surchg": biz_tax,
            "sell_exp": sell, "admin_exp": admin, "rd_exp": rd, "fin_exp": fin,
            "assets_impair_loss": impair, "invest_income": invest_income,
            "operate_profit": operate_profit, "non_oper_income": non_oper_income,
            "non_oper_exp": non_oper_exp, "total_profit": total_profit, "income_tax": income_tax,
            "n_income": n_income, "n_income_attr_p": attr_p, "minority_gain": minority_gain,
            "oth_compr_income": oth_compr, "t_compr_income": n_income + oth_compr,
            "compr_inc_attr_p": attr_p + oth_compr, "compr_inc_attr_m_s": minority_gain,
            "ebit": total_profit + fin, "ebitda": total_profit + fin + depreciation,
            "fin_exp_int_exp": _whole(max(fin, 0.0) * 1.2), "fin_exp_int_inc": _whole(max(fin, 0.0) * 0.2),
            "total_opcost": total_cogs, "credit_impa_loss": 0.0, "oth_income": _whole(revenue * 0.002),
            "continued_net_profit": n_income,
        }
        annual_revenue = float(d.revenue_q.sum())
        total_assets = _whole(annual_revenue * d.assets_to_revenue * (0.97 + 0.01 * q) * revision)
        total_cur_assets = _whole(total_assets * d.current_ratio_assets)
        total_nca = total_assets - total_cur_assets
        total_liab = _whole(total_assets * d.debt_ratio)
        total_cur_liab = _whole(total_liab * 0.68)
        minority_int = _whole(total_assets * d.minority_int_ratio)
        equity_exc = total_assets - total_liab - minority_int
        equity_inc = equity_exc + minority_int
        money_cap = _whole(total_cur_assets * 0.3)
        inventories = _whole(total_cur_assets * 0.25)
        balance = {
            "total_share": shares, "cap_rese": _whole(equity_exc * 0.3),
            "undistr_porfit": _whole(equity_exc * 0.4), "surplus_rese": _whole(equity_exc * 0.08),
            "money_cap": money_cap, "accounts_receiv": _whole(total_cur_assets * 0.25),
            "inventories": inventories, "prepayment": _whole(total_cur_assets * 0.05),
            "oth_cur_assets": _whole(total_cur_assets * 0.05), "total_cur_assets": total_cur_assets,
            "lt_eqt_invest": _whole(total_nca * 0.1), "fix_assets": _whole(total_nca * 0.45),
            "cip": _whole(total_nca * 0.08), "intan_assets": _whole(total_nca * 0.1),
            "goodwill": _whole(total_nca * 0.05), "defer_tax_assets": _whole(total_nca * 0.02),
            "total_nca": total_nca, "total_assets": total_assets,
            "st_borr": _whole(total_cur_liab * 0.3), "notes_payable": _whole(total_cur_liab * 0.1),
            "acct_payable": _whole(total_cur_liab * 0.35), "payroll_payable": _whole(total_cur_liab * 0.05),
            "taxes_payable": _whole(total_cur_liab * 0.04), "total_cur_liab": total_cur_liab,
            "lt_borr": _whole((total_liab - total_cur_liab) * 0.6),
            "bond_payable": _whole((total_liab - total_cur_liab) * 0.2),
            "total_ncl": total_liab - total_cur_liab, "total_liab": total_liab,
            "minority_int": minority_int, "total_hldr_eqy_exc_min_int": equity_exc,
            "total_hldr_eqy_inc_min_int": equity_inc, "total_liab_hldr_eqy": total_liab + equity_inc,
            "accounts_receiv_bill": _whole(total_cur_assets * 0.27), "accounts_pay": _whole(total_cur_liab * 0.45),
            "fix_assets_total": _whole(total_nca * 0.46), "contract_liab": _whole(total_cur_liab * 0.03),
        }
        ocf = _whole(n_income * d.cash_conversion + depreciation)
        inv = -_whole(revenue * 0.06)
        fnc = _whole(revenue * 0.01) - _whole(max(n_income, 0.0) * 0.2)
        fx = _whole(revenue * 0.0005)
        incr = ocf + inv + fnc + fx
        begin = _whole(money_cap * 0.9)
        c_fr_sale = _whole(revenue * 1.08)
        inflow = c_fr_sale + _whole(revenue * 0.01)
        cash = {
            "net_profit": n_income, "finan_exp": fin, "c_fr_sale_sg": c_fr_sale,
            "c_fr_oth_operate_a": inflow - c_fr_sale, "c_inf_fr_operate_a": inflow,
            "st_cash_out_act": inflow - ocf, "n_cashflow_act": ocf,
            "c_pay_acq_const_fiolta": -inv, "stot_out_inv_act": -inv, "stot_inflows_inv_act": 0.0,
            "n_cashflow_inv_act": inv, "n_cash_flows_fnc_act": fnc, "eff_fx_flu_cash": fx,
            "n_incr_cash_cash_equ": incr, "c_cash_equ_beg_period": begin,
            "c_cash_equ_end_period": begin + incr, "free_cashflow": ocf + inv,
            "depr_fa_coga_dpba": depreciation, "im_net_cashflow_oper_act": ocf,
            "im_n_incr_cash_equ": incr, "end_bal_cash": begin + incr, "beg_bal_cash": begin,
        }
        pct = lambda a, b: round(a / b * 100.0, 4) if b else None  # noqa: E731
        indicator = {
            "eps": eps, "dt_eps": eps, "total_revenue_ps": round(revenue / shares, 4),
            "revenue_ps": round(revenue / shares, 4), "capital_rese_ps": round(balance["cap_rese"] / shares, 4),
            "surplus_rese_ps": round(balance["surplus_rese"] / shares, 4),
            "undist_profit_ps": round(balance["undistr_porfit"] / shares, 4),
            "extra_item": non_oper_income - non_oper_exp, "profit_dedt": attr_p - (non_oper_income - non_oper_exp),
            "gross_margin": revenue - oper_cost,
            "current_ratio": round(total_cur_assets / total_cur_liab, 4) if total_cur_liab else None,
            "quick_ratio": round((total_cur_assets - inventories) / total_cur_liab, 4) if total_cur_liab else None,
            "cash_ratio": round(money_cap / total_cur_liab, 4) if total_cur_liab else None,
            "op_income": operate_profit, "ebit": income["ebit"], "ebitda": income["ebitda"],
            "bps": round(equity_exc / shares, 4), "ocfps": round(ocf / shares, 4),
            "netprofit_margin": pct(n_income, revenue), "grossprofit_margin": pct(revenue - oper_cost, revenue),
            "cogs_of_sales": pct(oper_cost, revenue), "roe": pct(attr_p, equity_exc), "roe_dt": pct(attr_p, equity_exc),
            "roa": pct(n_income, total_assets), "debt_to_assets": pct(total_liab, total_assets),
            "assets_to_eqt": round(total_assets / equity_inc, 4), "ca_to_assets": pct(total_cur_assets, total_assets),
            "nca_to_assets": pct(total_nca, total_assets), "currentdebt_to_debt": pct(total_cur_liab, total_liab),
            "debt_to_eqt": round(total_liab / equity_inc, 4), "fixed_assets": balance["fix_assets"],
            "working_capital": total_cur_assets - total_cur_liab, "retained_earnings": balance["undistr_porfit"],
            "rd_exp": rd,
        }
        return {"income": income, "balancesheet": balance, "cashflow": cash, "fina_indicator": indicator}

    # -- announcement dates -------------------------------------------------------------
    def _ann_date(self, rng: np.random.Generator, year: int, q: int) -> dt.date:
        windows = {1: ((4, 10), 20), 2: ((7, 20), 40), 3: ((10, 12), 18), 4: ((3, 1), 58)}
        (month, day), span = windows[q]
        base = dt.date(year + (1 if q == 4 else 0), month, day)
        return base + dt.timedelta(days=int(rng.integers(0, span + 1)))

    def report_periods(self, i: int) -> list[tuple[int, int]]:
        """(year, quarter) of every period that ends on or after the stock's first
        served day (its listing or the simulator's start) and on or before as_of."""
        first_day = max(self.u.stocks["list_date"].iloc[i], self.u.config.start)
        last_idx = int(self.u.last_idx[i])
        last_day = self.u.market_days[last_idx] if last_idx < self.u.n_days else self.u.as_of
        out = []
        for year in range(first_day.year, last_day.year + 1):
            for q, (m, d) in enumerate(QUARTER_ENDS, start=1):
                end = dt.date(year, m, d)
                if first_day <= end <= last_day:
                    out.append((year, q))
        return out

    def _build(self, i: int) -> dict[str, pd.DataFrame]:
        code = str(self.u.codes[i])
        as_of = self.u.as_of
        rows: dict[str, list[dict]] = {api: [] for api in FINANCIAL_APIS}
        for year, q in self.report_periods(i):
            rng = np.random.default_rng([self.seed, 11, i, year, q])
            end = dt.date(year, *QUARTER_ENDS[q - 1])
            ann = self._ann_date(rng, year, q)
            if ann > as_of:
                continue
            revised = rng.random() < REVISION_SHARE
            revised_on = ann + dt.timedelta(days=int(rng.integers(20, 200)))
            versions = [(ann, ann, "0" if revised and revised_on <= as_of else "1", 1.0)]
            if revised and revised_on <= as_of:
                versions.append((ann, revised_on, "1", float(rng.uniform(0.96, 1.04))))
            head = {"ts_code": code, "end_date": _ymd(end)}
            flags = {"report_type": "1", "comp_type": "1", "end_type": str(q)}
            for ann_d, f_ann_d, flag, factor in versions:
                report = self._report(i, year, q, factor)
                for api in ("income", "balancesheet", "cashflow"):
                    rows[api].append({**head, "ann_date": _ymd(ann_d), "f_ann_date": _ymd(f_ann_d),
                                      **flags, **report[api], "update_flag": flag})
                # The indicator has no f_ann_date: a revision is dated by its own announcement.
                rows["fina_indicator"].append({**head, "ann_date": _ymd(f_ann_d), **report["fina_indicator"],
                                               "update_flag": flag})
            final = self._report(i, year, q, versions[-1][3])
            if q in (2, 4) and rng.random() < 0.4:
                express_day = ann - dt.timedelta(days=int(rng.integers(5, 25)))
                if express_day > end:
                    rows["express"].append(self._express(i, year, q, head, express_day, final, rng))
            if q == 4 and rng.random() < 0.5:
                rows["forecast"].extend(self._forecasts(i, year, head, end, ann, final, rng))
        return {api: self._frame(api, rows[api]) for api in FINANCIAL_APIS}

    def _express(self, i: int, year: int, q: int, head: dict, day: dt.date, final: dict, rng) -> dict:
        inc, bal, ind = final["income"], final["balancesheet"], final["fina_indicator"]
        wobble = float(rng.uniform(0.99, 1.01))
        last = self._report(i, year - 1, q, 1.0)["income"]
        n_income = _whole(inc["n_income_attr_p"] * wobble)
        growth = lambda a, b: round((a - b) / abs(b) * 100.0, 4) if b else None  # noqa: E731
        return {
            **head, "ann_date": _ymd(day), "revenue": _whole(inc["revenue"] * wobble),
            "operate_profit": _whole(inc["operate_profit"] * wobble), "total_profit": _whole(inc["total_profit"] * wobble),
            "n_income": n_income, "total_assets": bal["total_assets"],
            "total_hldr_eqy_exc_min_int": bal["total_hldr_eqy_exc_min_int"], "diluted_eps": inc["diluted_eps"],
            "diluted_roe": ind["roe"], "yoy_net_profit": last["n_income_attr_p"], "bps": ind["bps"],
            "yoy_sales": growth(inc["revenue"], last["revenue"]), "yoy_op": growth(inc["operate_profit"], last["operate_profit"]),
            "yoy_tp": growth(inc["total_profit"], last["total_profit"]),
            "or_last_year": last["revenue"], "op_last_year": last["operate_profit"],
            "tp_last_year": last["total_profit"], "np_last_year": last["n_income_attr_p"],
            "perf_summary": "报告期内公司经营情况正常。", "is_audit": 0, "update_flag": "1",
        }

    def _forecasts(self, i: int, year: int, head: dict, end: dt.date, ann: dt.date, final: dict, rng) -> list[dict]:
        actual = final["income"]["n_income_attr_p"] / 1e4
        last = self._report(i, year - 1, 4, 1.0)["income"]["n_income_attr_p"] / 1e4
        first_day = dt.date(year + 1, 1, 5) + dt.timedelta(days=int(rng.integers(0, 25)))
        notices = [first_day]
        if rng.random() < 0.15:
            notices.append(first_day + dt.timedelta(days=int(rng.integers(5, 20))))
        out = []
        for n, day in enumerate(notices, start=1):
            if day <= end or day > self.u.as_of or day >= ann:
                continue
            spread = float(rng.uniform(0.05, 0.3)) / n
            lo, hi = round(actual * (1 - spread), 2), round(actual * (1 + spread), 2)
            lo, hi = min(lo, hi), max(lo, hi)
            p_lo = round((lo - last) / abs(last) * 100, 2) if last else None
            p_hi = round((hi - last) / abs(last) * 100, 2) if last else None
            out.append({
                **head, "ann_date": _ymd(day), "type": _forecast_type(last, lo, hi),
                "p_change_min": p_lo, "p_change_max": p_hi, "net_profit_min": lo, "net_profit_max": hi,
                "last_parent_net": round(last, 2), "notice_times": n, "first_ann_date": _ymd(first_day),
                "summary": f"预计{year}年度归属于上市公司股东的净利润{lo:.0f}万元至{hi:.0f}万元。",
                "change_reason": "主营业务收入变动及成本费用变化所致。", "update_flag": "1",
            })
        return out

    def _frame(self, api: str, rows: list[dict]) -> pd.DataFrame:
        names = get_spec(api).field_names
        # Tushare lists the newest period first (then the newest announcement).
        rows = sorted(rows, key=lambda r: (r["end_date"], r["ann_date"]), reverse=True)
        return pd.DataFrame({name: [row.get(name) for row in rows] for name in names}, columns=list(names))


def _forecast_type(last: float, lo: float, hi: float) -> str:
    if last < 0 and lo > 0:
        return "扭亏"
    if last < 0:
        return "续亏"
    if hi < 0:
        return "首亏"
    mid = (lo + hi) / 2
    change = (mid - last) / abs(last) if last else 0.0
    if change >= 0.5:
        return "预增"
    if change > 0:
        return "略增"
    if change <= -0.5:
        return "预减"
    return "略减"
