"""The 17 APIs: request parameters in, a DataFrame of every documented field out (in the
spec's order, Tushare's row order). Field selection, paging and faults happen later, in
the protocol layer, so each handler only answers "which rows".
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from twilight_assets.specs import AFTER_HOURS_FROM, get_spec
from .calendar import A_SHARE_EXCHANGES
from .financials import Financials
from .indexes import IndexMarket
from .market import Market
from .universe import Universe

ERR_PARAM = -2001
AFTER_HOURS_FIELDS = tuple(get_spec("daily").served_from)
"""daily serves these for answers reaching AFTER_HOURS_FROM; before it, as at Tushare,
the fields are not in the reply at all."""


class ApiError(Exception):
    """An error answered in Tushare's envelope: {code, msg}."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


class SimData:
    """The simulated market, built lazily: nothing is generated until an API needs it,
    and each part is built once even when concurrent requests ask for it together."""

    def __init__(self, universe: Universe) -> None:
        self.u = universe
        self._lock = threading.RLock()
        self._market: Market | None = None
        self._index_market: IndexMarket | None = None
        self._financials: Financials | None = None
        self._memo: dict[str, object] = {}

    @property
    def market(self) -> Market:
        with self._lock:
            if self._market is None:
                market = Market(self.u)
                market.close  # noqa: B018 - the one expensive step, done once
                self._market = market
            return self._market

    @property
    def index_market(self) -> IndexMarket:
        with self._lock:
            if self._index_market is None:
                self._index_market = IndexMarket(self.market)
            return self._index_market

    def memo(self, name: str, build: Callable[[], object]):
        """A value derived from the universe, built once per server."""
        with self._lock:
            if name not in self._memo:
                self._memo[name] = build()
            return self._memo[name]

    @property
    def financials(self) -> Financials:
        with self._lock:
            if self._financials is None:
                self._financials = Financials(self.u, shares=self.market.shares_on)
            return self._financials


@dataclass(frozen=True)
class Params:
    api_name: str
    raw: Mapping[str, object]

    def text(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        value = str(value).strip()
        return value or None

    def date(self, name: str) -> dt.date | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return dt.datetime.strptime(value.replace("-", ""), "%Y%m%d").date()
        except ValueError:
            raise ApiError(ERR_PARAM, f"参数{name}格式错误，应为YYYYMMDD: {value!r}") from None

    def codes(self, name: str = "ts_code") -> list[str] | None:
        value = self.text(name)
        if value is None:
            return None
        return [c.strip().upper() for c in value.split(",") if c.strip()]


def ymd(day: dt.date | None) -> str | None:
    return None if day is None else day.strftime("%Y%m%d")


def frame(api_name: str, columns: Mapping[str, object], n: int) -> pd.DataFrame:
    """A frame with every documented field of the API, None where not given."""
    data = {}
    for name in get_spec(api_name).field_names:
        value = columns.get(name)
        data[name] = value if value is not None else [None] * n
    return pd.DataFrame(data, columns=list(get_spec(api_name).field_names))


# -- date ranges ---------------------------------------------------------------------------
def day_range(sim: SimData, p: Params, *, default_all: bool) -> tuple[int, int] | None:
    """Market-day positions [t0, t1] a request covers; None when it covers none."""
    u = sim.u
    trade_date = p.date("trade_date")
    if trade_date is not None:
        t = u.day_index(trade_date)
        return None if t is None else (t, t)
    start, end = p.date("start_date"), p.date("end_date")
    if start is None and end is None and not default_all:
        return (u.n_days - 1, u.n_days - 1)
    t0 = 0 if start is None else u.calendar.index_at_or_after(start)
    t1 = u.n_days - 1 if end is None else min(u.calendar.index_at_or_before(end), u.n_days - 1)
    return (t0, t1) if t0 <= t1 and u.n_days else None


def stock_positions(sim: SimData, p: Params) -> np.ndarray | None:
    """Positions of the requested ts_codes (None: all stocks; unknown codes: skipped)."""
    codes = p.codes()
    if codes is None:
        return None
    pos = sim.u.code_position
    return np.array(sorted(pos[c] for c in codes if c in pos), dtype=np.int64)


def select(mask: np.ndarray, stocks: np.ndarray | None, t0: int, t1: int) -> tuple[np.ndarray, np.ndarray]:
    """(stock, day) pairs where mask holds, newest day first, then by ts_code."""
    rows = np.arange(mask.shape[0]) if stocks is None else stocks
    ii, tt = np.nonzero(mask[rows, t0 : t1 + 1])
    i, t = rows[ii], tt + t0
    order = np.lexsort((i, -t))
    return i[order], t[order]


# -- reference -----------------------------------------------------------------------------
def trade_cal(sim: SimData, p: Params) -> pd.DataFrame:
    exchange = p.text("exchange") or "SSE"
    cal = sim.u.calendar
    if exchange not in A_SHARE_EXCHANGES:
        return frame("trade_cal", {}, 0)
    start, end = p.date("start_date") or cal.first, p.date("end_date") or cal.last
    opened = set(cal.open_days)
    days = [d for d in cal.all_days if start <= d <= end]
    is_open = [1 if d in opened else 0 for d in days]
    wanted = p.text("is_open")
    if wanted is not None:
        keep = [k for k, o in enumerate(is_open) if str(o) == wanted]
        days, is_open = [days[k] for k in keep], [is_open[k] for k in keep]
    days_desc = list(reversed(days))
    cols = {
        "exchange": [exchange] * len(days),
        "cal_date": [ymd(d) for d in days_desc],
        "is_open": list(reversed(is_open)),
        "pretrade_date": [ymd(cal.previous_open(d)) for d in days_desc],
    }
    return frame("trade_cal", cols, len(days))


def stock_basic(sim: SimData, p: Params) -> pd.DataFrame:
    s = sim.u.stocks
    keep = s["list_status"] == (p.text("list_status") or "L")
    for param, column in (("exchange", "exchange"), ("market", "market"), ("is_hs", "is_hs"), ("name", "name")):
        value = p.text(param)
        if value is not None:
            keep &= s[column] == value
    codes = p.codes()
    if codes is not None:
        keep &= s["ts_code"].isin(codes)
    rows = s[keep]
    cols = {name: rows[name].tolist() for name in get_spec("stock_basic").field_names}
    cols["list_date"] = [ymd(d) for d in rows["list_date"]]
    cols["delist_date"] = [ymd(d) for d in rows["delist_date"]]
    return frame("stock_basic", cols, len(rows))


def index_basic(sim: SimData, p: Params) -> pd.DataFrame:
    rows = sim.u.indexes
    rows = rows[rows["list_date"] <= sim.u.as_of]  # an index launched after as_of is not known yet
    for param in ("market", "publisher", "category", "name"):
        value = p.text(param)
        if value is not None:
            rows = rows[rows[param] == value]
    codes = p.codes()
    if codes is not None:
        rows = rows[rows["ts_code"].isin(codes)]
    cols = {name: rows[name].tolist() for name in get_spec("index_basic").field_names}
    for name in ("base_date", "list_date", "exp_date"):
        cols[name] = [ymd(d) for d in rows[name]]
    return frame("index_basic", cols, len(rows))


# -- stock market --------------------------------------------------------------------------
def _bar_columns(sim: SimData, bars: dict[str, np.ndarray]) -> dict[str, object]:
    return {
        "ts_code": sim.u.codes[bars["i"]].tolist(),
        "trade_date": sim.u.calendar.open_yyyymmdd[bars["t"]].tolist(),
    }


def daily(sim: SimData, p: Params) -> pd.DataFrame:
    """The frame holds ah_vol/ah_amount only when the answer reaches AFTER_HOURS_FROM
    (null on earlier rows of a range that spans it)."""
    after_hours = _reaches_after_hours(sim, p)
    span = day_range(sim, p, default_all=p.codes() is not None)
    if span is None:
        out = frame("daily", {}, 0)
    else:
        i, t = select(sim.u.trading, stock_positions(sim, p), *span)
        bars = sim.market.bars(i, t)
        cols = _bar_columns(sim, bars)
        cols.update({k: bars[k] for k in ("open", "high", "low", "close", "pre_close", "change", "pct_chg", "vol", "amount")})
        if after_hours:
            since = sim.u.market_ordinals[t] >= AFTER_HOURS_FROM.toordinal()
            for name, values in sim.market.after_hours(bars).items():
                cols[name] = np.where(since, values, np.nan)
        out = frame("daily", cols, len(i))
    return out if after_hours else out.drop(columns=list(AFTER_HOURS_FIELDS))


def _reaches_after_hours(sim: SimData, p: Params) -> bool:
    last = p.date("trade_date") or p.date("end_date") or sim.u.as_of
    return min(last, sim.u.as_of) >= AFTER_HOURS_FROM


def daily_basic(sim: SimData, p: Params) -> pd.DataFrame:
    span = day_range(sim, p, default_all=p.codes() is not None)
    if span is None:
        return frame("daily_basic", {}, 0)
    i, t = select(sim.u.trading, stock_positions(sim, p), *span)
    bars = sim.market.bars(i, t)
    cols = _bar_columns(sim, bars)
    cols.update(sim.market.basics(bars))
    return frame("daily_basic", cols, len(i))


def adj_factor(sim: SimData, p: Params) -> pd.DataFrame:
    span = day_range(sim, p, default_all=p.codes() is not None)
    if span is None:
        return frame("adj_factor", {}, 0)
    i, t = select(sim.u.alive, stock_positions(sim, p), *span)
    cols = {
        "ts_code": sim.u.codes[i].tolist(),
        "trade_date": sim.u.calendar.open_yyyymmdd[t].tolist(),
        "adj_factor": sim.market.factors(i, t),
    }
    return frame("adj_factor", cols, len(i))


def _week_key(day: dt.date) -> int:
    return day.toordinal() - day.weekday()


def _month_key(day: dt.date) -> int:
    return day.year * 12 + day.month


@dataclass(frozen=True)
class Periods:
    """Weeks or months over the calendar's open days."""

    of_day: np.ndarray  # period id of each open day
    last_day: dict[int, int]  # period id -> index of its last open day

    @classmethod
    def build(cls, open_days: list[dt.date], key: Callable[[dt.date], int]) -> "Periods":
        of_day = np.array([key(d) for d in open_days], dtype=np.int64)
        last_day = {int(k): t for t, k in enumerate(of_day)}
        return cls(of_day, last_day)


def _period_bars(api_name: str, key: Callable[[dt.date], int], pct_scale: float) -> Callable[[SimData, Params], pd.DataFrame]:
    """weekly / monthly: daily bars aggregated per period (open first, close last, high
    max, low min, vol and amount summed, pre_close from the first day), dated by the
    period's last open day. Only periods that have ended by as_of are served.
    pct_chg follows each API's documentation: weekly's is a fraction ("未*100"),
    monthly's is in percent."""

    def handler(sim: SimData, p: Params) -> pd.DataFrame:
        u = sim.u
        periods = sim.memo(api_name, lambda: Periods.build(u.calendar.open_days, key))
        span = _period_span(sim, p, periods, key)
        if span is None:
            return frame(api_name, {}, 0)
        i, t = select(u.trading, stock_positions(sim, p), *span)
        order = np.lexsort((t, i))  # by stock, then day: each period's days are contiguous
        i, t = i[order], t[order]
        if len(i) == 0:
            return frame(api_name, {}, 0)
        bars = sim.market.bars(i, t)
        pid = periods.of_day[t]
        starts = np.flatnonzero(np.r_[True, (np.diff(i) != 0) | (np.diff(pid) != 0)])
        ends = np.r_[starts[1:], len(i)] - 1
        end_t = np.array([periods.last_day[int(k)] for k in pid[starts]], dtype=np.int64)
        high = np.maximum.reduceat(bars["high"], starts)
        low = np.minimum.reduceat(bars["low"], starts)
        vol = np.add.reduceat(bars["vol"], starts)
        amount = np.round(np.add.reduceat(bars["amount"], starts), 3)
        keep = end_t < u.n_days  # the period has ended by as_of
        ordinals = u.calendar.open_ordinals[np.minimum(end_t, len(u.calendar.open_days) - 1)]
        start_d, end_d = p.date("start_date"), p.date("end_date")
        if start_d is not None:
            keep &= ordinals >= start_d.toordinal()
        if end_d is not None:
            keep &= ordinals <= end_d.toordinal()
        close, pre_close = bars["close"][ends][keep], bars["pre_close"][starts][keep]
        cols = {
            "ts_code": u.codes[i[starts][keep]].tolist(),
            "trade_date": u.calendar.open_yyyymmdd[end_t[keep]].tolist(),
            "open": bars["open"][starts][keep],
            "high": high[keep],
            "low": low[keep],
            "close": close,
            "pre_close": pre_close,
            "change": np.round(close - pre_close, 2),
            "pct_chg": np.round((close / pre_close - 1.0) * pct_scale, 6),
            "vol": vol[keep],
            "amount": amount[keep],
        }
        out = frame(api_name, cols, int(keep.sum()))
        return out.sort_values(["trade_date", "ts_code"], ascending=[False, True], kind="stable", ignore_index=True)

    return handler


def _period_span(sim: SimData, p: Params, periods: Periods, key: Callable[[dt.date], int]) -> tuple[int, int] | None:
    """Days to aggregate: one whole period when trade_date names its last day (Tushare
    answers nothing for any other day), else the whole history."""
    trade_date = p.date("trade_date")
    if trade_date is None:
        return (0, sim.u.n_days - 1)
    t_end = sim.u.day_index(trade_date)
    if t_end is None or periods.last_day.get(key(trade_date)) != t_end:
        return None
    return (int(np.searchsorted(periods.of_day, periods.of_day[t_end])), t_end)


# -- indexes -------------------------------------------------------------------------------
def _index_positions(sim: SimData, p: Params, param: str = "ts_code") -> list[int]:
    codes = p.codes(param)
    all_codes = sim.u.indexes["ts_code"].tolist()
    if codes is None:
        return list(range(len(all_codes)))
    return [all_codes.index(c) for c in codes if c in all_codes]


def _index_rows(sim: SimData, p: Params, api_name: str, fill: Callable) -> pd.DataFrame:
    span = day_range(sim, p, default_all=p.codes() is not None)
    if span is None:
        return frame(api_name, {}, 0)
    parts = []
    for j in _index_positions(sim, p):
        series = sim.index_market.series(j)
        keep = (series.t >= span[0]) & (series.t <= span[1])
        if keep.any():
            parts.append(fill(j, series, keep))
    if not parts:
        return frame(api_name, {}, 0)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["trade_date", "ts_code"], ascending=[False, True], kind="stable", ignore_index=True)


def index_daily(sim: SimData, p: Params) -> pd.DataFrame:
    def fill(j, s, keep):
        code = sim.u.indexes["ts_code"].iloc[j]
        close, pre = s.close[keep], s.pre_close[keep]
        cols = {
            "ts_code": [code] * int(keep.sum()), "trade_date": sim.u.calendar.open_yyyymmdd[s.t[keep]].tolist(),
            "close": close, "open": s.open[keep], "high": s.high[keep], "low": s.low[keep], "pre_close": pre,
            "change": np.round(close - pre, 3), "pct_chg": np.round((close / pre - 1) * 100, 4),
            "vol": s.vol[keep], "amount": s.amount[keep],
        }
        return frame("index_daily", cols, int(keep.sum()))

    return _index_rows(sim, p, "index_daily", fill)


def index_dailybasic(sim: SimData, p: Params) -> pd.DataFrame:
    def fill(j, s, keep):
        code = sim.u.indexes["ts_code"].iloc[j]
        basics = {k: v[keep] for k, v in sim.index_market.basics(j, s).items()}
        cols = {"ts_code": [code] * int(keep.sum()), "trade_date": sim.u.calendar.open_yyyymmdd[s.t[keep]].tolist(), **basics}
        return frame("index_dailybasic", cols, int(keep.sum()))

    return _index_rows(sim, p, "index_dailybasic", fill)


def index_weight(sim: SimData, p: Params) -> pd.DataFrame:
    span = day_range(sim, p, default_all=True)
    if span is None:
        return frame("index_weight", {}, 0)
    days = [t for t in sim.index_market.weight_days() if span[0] <= t <= span[1]]
    codes, cons, dates, weights = [], [], [], []
    for j in _index_positions(sim, p, "index_code"):
        code = sim.u.indexes["ts_code"].iloc[j]
        for t in reversed(days):
            members, w = sim.index_market.weights(j, t)
            codes += [code] * len(members)
            cons += sim.u.codes[members].tolist()
            dates += [sim.u.calendar.open_yyyymmdd[t]] * len(members)
            weights.append(w)
    cols = {"index_code": codes, "con_code": cons, "trade_date": dates,
            "weight": np.concatenate(weights) if weights else []}
    return frame("index_weight", cols, len(codes))


# -- financials ----------------------------------------------------------------------------
def _financial(api_name: str) -> Callable[[SimData, Params], pd.DataFrame]:
    def handler(sim: SimData, p: Params) -> pd.DataFrame:
        positions = stock_positions(sim, p)
        if positions is None:
            if p.text("period") is None and p.text("ann_date") is None:
                raise ApiError(ERR_PARAM, "必填参数：ts_code（或 period / ann_date）")
            positions = np.arange(len(sim.u.codes))
        parts = [sim.financials.tables(int(i))[api_name] for i in positions]
        parts = [x for x in parts if not x.empty]
        if not parts:
            return frame(api_name, {}, 0)
        out = pd.concat(parts, ignore_index=True)
        keep = np.ones(len(out), dtype=bool)
        for param in ("ann_date", "f_ann_date"):
            value = p.date(param)
            if value is not None and param in out:
                keep &= out[param].to_numpy() == ymd(value)
        start, end = p.date("start_date"), p.date("end_date")
        if start is not None:
            keep &= out["ann_date"].to_numpy().astype(str) >= ymd(start)
        if end is not None:
            keep &= out["ann_date"].to_numpy().astype(str) <= ymd(end)
        period = p.date("period")
        if period is not None:
            keep &= out["end_date"].to_numpy() == ymd(period)
        for param in ("report_type", "comp_type", "type"):
            value = p.text(param)
            if value is not None and param in out:
                keep &= out[param].to_numpy() == value
        return out[keep].reset_index(drop=True)

    return handler


HANDLERS: Mapping[str, Callable[[SimData, Params], pd.DataFrame]] = {
    "trade_cal": trade_cal,
    "stock_basic": stock_basic,
    "index_basic": index_basic,
    "daily": daily,
    "daily_basic": daily_basic,
    "adj_factor": adj_factor,
    "weekly": _period_bars("weekly", _week_key, pct_scale=1.0),
    "monthly": _period_bars("monthly", _month_key, pct_scale=100.0),
    "index_daily": index_daily,
    "index_dailybasic": index_dailybasic,
    "index_weight": index_weight,
    **{api: _financial(api) for api in ("income", "balancesheet", "cashflow", "fina_indicator", "forecast", "express")},
}
