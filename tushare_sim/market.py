"""Stock prices: one close per stock and market day, generated once for the whole
universe by a day-by-day loop vectorised across stocks (the daily price limit makes
each close depend on the one before). Everything else about a bar (open, high, low,
volume, amount) and about a day's valuation is derived on demand from that close, the
corporate-action events and counter-based noise, so a cross-section of one day and the
history of one stock cost the same and agree exactly.

Conventions (Tushare's): prices in yuan with 2 decimals (held here as integer fen),
vol in lots of 100 shares, amount in thousand yuan, shares in ten thousand shares,
market value in ten thousand yuan. `adj_factor` is cumulative and steps up on ex-dividend
and bonus-share days; on those days pre_close = round(prev close * old / new factor) and
on every other day pre_close is exactly the previous close. Suspended days have no daily
or daily_basic row; adj_factor keeps its (unchanged) row, as Tushare's does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .noise import uniform
from .universe import BOARD_CHINEXT, BOARD_STAR, CHINEXT_20PCT_FROM, Universe

FIRST_DAY_LIMIT = 0.44
"""A new listing's first day allows +44% (the main-board IPO rule), used for all boards."""

_NOISE_OPEN, _NOISE_HIGH, _NOISE_LOW, _NOISE_VOL, _NOISE_VWAP, _NOISE_VR, _NOISE_AH = range(10, 17)
AFTER_HOURS_SHARE = 0.004
"""At most this share of a day's volume trades after hours, at the close."""


@dataclass(frozen=True)
class Events:
    """Corporate actions, sorted by (stock, day). Factors are in thousandths."""

    stock: np.ndarray
    day: np.ndarray
    factor_before: np.ndarray
    factor_after: np.ndarray
    shares_after: np.ndarray
    """Cumulative multiplier of the stock's share count after the event."""

    @cached_property
    def keys(self) -> np.ndarray:
        return self.stock * np.int64(1 << 24) + self.day

    def lookup(self, i: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each (stock, day): the position of its latest event on or before that day
        (-1 if none) and whether an event falls on that very day."""
        q = i.astype(np.int64) * np.int64(1 << 24) + t
        pos = np.searchsorted(self.keys, q, side="right") - 1
        ok = pos >= 0
        ok[ok] &= self.stock[pos[ok]] == i[ok]
        pos = np.where(ok, pos, -1)
        today = np.zeros(len(q), dtype=bool)
        today[ok] = self.day[pos[ok]] == t[ok]
        return pos, today


@dataclass(frozen=True)
class StockParams:
    base_factor: np.ndarray  # thousandths, before the first event in the window
    p0: np.ndarray  # fen: the close before the first served day (or the issue price)
    base_share: np.ndarray  # ten thousand shares, before any bonus shares
    float_ratio: np.ndarray
    free_ratio: np.ndarray
    base_vol: np.ndarray  # lots
    eps_ttm: np.ndarray  # yuan per share (can be negative: pe is then null)
    eps_lyr: np.ndarray
    bps: np.ndarray
    sps: np.ndarray  # revenue per share
    dv: np.ndarray  # dividend yield percent


def limit_pct(board: np.ndarray, t: np.ndarray, ipo_idx: np.ndarray, ordinals: np.ndarray) -> np.ndarray:
    """The daily price limit as a fraction for each (stock, day); ipo_idx is the day a
    stock listed inside the window (-1 for stocks listed before it)."""
    wide = (board == BOARD_STAR) | ((board == BOARD_CHINEXT) & (ordinals[t] >= CHINEXT_20PCT_FROM.toordinal()))
    pct = np.where(wide, 0.20, 0.10)
    return np.where(t == ipo_idx, FIRST_DAY_LIMIT, pct)


def limit_band(pre_c: np.ndarray, pct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(down, up) limit prices in fen, rounded half up as the exchanges do."""
    up = np.floor(pre_c * (1.0 + pct) + 0.5).astype(np.int64)
    down = np.maximum(np.floor(pre_c * (1.0 - pct) + 0.5).astype(np.int64), 1)
    return down, up


class Market:
    def __init__(self, universe: Universe) -> None:
        self.u = universe
        self.seed = universe.config.seed

    # -- generation ---------------------------------------------------------------------
    @cached_property
    def params(self) -> StockParams:
        u, n = self.u, len(self.u.codes)
        rng = np.random.default_rng([self.seed, 3])
        listed_in_window = np.array([d >= u.config.start for d in u.stocks["list_date"]])
        base_factor = np.where(listed_in_window, 1000, rng.integers(1000, 4000, n))
        p0 = np.round(np.exp(rng.uniform(np.log(4.0), np.log(80.0), n)) * 100).astype(np.int64)
        base_share = np.round(np.exp(rng.uniform(np.log(8_000), np.log(2_000_000), n)), 4)
        eps_ttm = np.round(p0 / 100 / rng.uniform(8, 60, n) * np.where(rng.random(n) < 0.12, -0.5, 1), 4)
        float_ratio = np.round(rng.uniform(0.3, 1.0, n), 4)
        # A typical day turns over 0.3% to 4% of the float (vol in lots / float in 10k shares = %).
        base_vol = base_share * float_ratio * np.exp(rng.uniform(np.log(0.3), np.log(4.0), n))
        return StockParams(
            base_factor=base_factor.astype(np.int64),
            p0=p0,
            base_share=base_share,
            float_ratio=float_ratio,
            free_ratio=np.round(rng.uniform(0.5, 0.95, n), 4),
            base_vol=base_vol,
            eps_ttm=eps_ttm,
            eps_lyr=np.round(eps_ttm * rng.uniform(0.8, 1.2, n), 4),
            bps=np.round(p0 / 100 / rng.uniform(0.8, 6, n), 4),
            sps=np.round(p0 / 100 / rng.uniform(0.5, 8, n), 4),
            dv=np.where(rng.random(n) < 0.3, np.nan, np.round(rng.uniform(0.2, 4.0, n), 4)),
        )

    @cached_property
    def events(self) -> Events:
        """About one cash dividend a year per stock, and now and then bonus shares,
        each on a day the stock trades (never its first)."""
        u, p = self.u, self.params
        rng = np.random.default_rng([self.seed, 4])
        years = np.array([d.year for d in u.market_days])
        trading = u.trading
        stocks, days, before, after, shares = [], [], [], [], []
        for i in range(len(u.codes)):
            a, b = int(u.first_idx[i]), int(u.last_idx[i])
            if a >= b:
                continue
            factor, mult = int(p.base_factor[i]), 1.0
            for year in range(int(years[a]), int(years[b]) + 1):
                if rng.random() > 0.8:
                    continue
                lo, hi = np.searchsorted(years, [year, year + 1])
                candidates = np.flatnonzero(trading[i, max(lo, a + 1) : min(hi, b + 1)]) + max(lo, a + 1)
                if len(candidates) == 0:
                    continue
                t = int(candidates[rng.integers(0, len(candidates))])
                bonus = rng.random() < 0.12
                ratio = rng.uniform(1.2, 1.5) if bonus else rng.uniform(1.006, 1.04)
                new = int(round(factor * ratio))
                stocks.append(i)
                days.append(t)
                before.append(factor)
                after.append(new)
                mult = mult * (new / factor) if bonus else mult
                shares.append(mult)
                factor = new
        as_int = lambda xs: np.asarray(xs, dtype=np.int64)  # noqa: E731
        return Events(as_int(stocks), as_int(days), as_int(before), as_int(after), np.asarray(shares, dtype=np.float64))

    @cached_property
    def close(self) -> np.ndarray:
        """int32 [stock, day]: the close in fen, carried through suspensions; 0 before
        listing and after the last day."""
        u, p, ev = self.u, self.params, self.events
        n, T = len(u.codes), u.n_days
        rng = np.random.default_rng([self.seed, 5])
        out = np.zeros((n, T), dtype=np.int32)
        prev = p.p0.astype(np.float64).copy()
        target = np.log(p.p0 * rng.uniform(0.8, 1.25, n))
        sigma = rng.uniform(0.015, 0.035, n)
        drift_pull = 0.004
        ev_by_day: dict[int, list[int]] = {}
        for k, t in enumerate(ev.day):
            ev_by_day.setdefault(int(t), []).append(k)
        alive, suspended = u.alive, u.suspended
        ordinals = u.market_ordinals
        for t in range(T):
            live = alive[:, t]
            if not live.any():
                continue
            pre = prev.copy()
            for k in ev_by_day.get(t, ()):
                i = ev.stock[k]
                pre[i] = np.floor(prev[i] * ev.factor_before[k] / ev.factor_after[k] + 0.5)
                target[i] -= np.log(ev.factor_after[k] / ev.factor_before[k])
            pct = limit_pct(u.board, np.full(n, t), u.ipo_idx, ordinals)
            down, up = limit_band(pre, pct)
            r = drift_pull * (target - np.log(pre)) + sigma * rng.standard_normal(n)
            new = np.clip(np.floor(pre * np.exp(r) + 0.5), down, up)
            moving = live & ~suspended[:, t]
            prev = np.where(moving, new, prev)
            out[:, t] = np.where(live, prev, 0)
        return out

    # -- bars ---------------------------------------------------------------------------
    def bars(self, i: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Daily bars for paired (stock, day) positions, all of which must be trading."""
        u, p, ev = self.u, self.params, self.events
        i = np.asarray(i, dtype=np.int64)
        t = np.asarray(t, dtype=np.int64)
        close = self.close[i, t].astype(np.int64)
        first = t == u.first_idx[i]
        prev_close = np.where(first, p.p0[i], self.close[i, np.maximum(t - 1, 0)])
        pos, today = ev.lookup(i, t)
        pre = prev_close.astype(np.float64)
        if today.any():
            k = pos[today]
            pre[today] = np.floor(prev_close[today] * ev.factor_before[k] / ev.factor_after[k] + 0.5)
        pre_c = pre.astype(np.int64)
        pct = limit_pct(u.board[i], t, u.ipo_idx[i], u.market_ordinals)
        down, up = limit_band(pre_c, pct)
        s = self.seed
        open_c = np.clip(np.floor(pre_c * np.exp(0.015 * (2 * uniform(s, _NOISE_OPEN, i, t) - 1)) + 0.5), down, up).astype(np.int64)
        high_c = np.minimum(np.maximum(open_c, close) + np.floor(pre_c * 0.02 * uniform(s, _NOISE_HIGH, i, t)), up).astype(np.int64)
        low_c = np.maximum(np.minimum(open_c, close) - np.floor(pre_c * 0.02 * uniform(s, _NOISE_LOW, i, t)), down).astype(np.int64)
        move = np.abs(close / pre_c - 1.0)
        vol = np.maximum(np.round(p.base_vol[i] * np.exp(0.6 * (2 * uniform(s, _NOISE_VOL, i, t) - 1)) * (1 + 10 * move)), 1.0)
        vwap = (low_c + (0.25 + 0.5 * uniform(s, _NOISE_VWAP, i, t)) * (high_c - low_c)) / 100.0
        factor = np.where(pos >= 0, ev.factor_after[np.maximum(pos, 0)], p.base_factor[i])
        share_mult = np.where(pos >= 0, ev.shares_after[np.maximum(pos, 0)], 1.0)
        return {
            "i": i,
            "t": t,
            "open": open_c / 100.0,
            "high": high_c / 100.0,
            "low": low_c / 100.0,
            "close": close / 100.0,
            "pre_close": pre_c / 100.0,
            "change": (close - pre_c) / 100.0,
            "pct_chg": np.round((close / pre_c - 1.0) * 100.0, 4),
            "vol": vol,
            "amount": np.round(vwap * vol / 10.0, 3),
            "up_limit": up / 100.0,
            "down_limit": down / 100.0,
            "adj_factor": factor / 1000.0,
            "share_mult": share_mult,
        }

    def after_hours(self, bars: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """ah_vol (lots) and ah_amount (thousand yuan) for the rows of `bars`: STAR and
        ChiNext stocks trade a little after hours at the close; other boards have no
        after-hours session and report 0."""
        i, t = bars["i"], bars["t"]
        board = self.u.board[i]
        eligible = (board == BOARD_STAR) | (board == BOARD_CHINEXT)
        share = AFTER_HOURS_SHARE * uniform(self.seed, _NOISE_AH, i, t)
        vol = np.where(eligible, np.round(bars["vol"] * share), 0.0)
        return {"ah_vol": vol, "ah_amount": np.round(vol * bars["close"] / 10.0, 3)}

    def basics(self, bars: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """daily_basic for the same rows as `bars`: same close, shares and market value
        consistent with it (total_mv = close * total_share)."""
        p, i, t = self.params, bars["i"], bars["t"]
        close = bars["close"]
        total_share = np.round(p.base_share[i] * bars["share_mult"], 4)
        float_share = np.round(total_share * p.float_ratio[i], 4)
        free_share = np.round(float_share * p.free_ratio[i], 4)
        mult = bars["share_mult"]
        eps_ttm, eps_lyr = p.eps_ttm[i] / mult, p.eps_lyr[i] / mult
        limit_status = np.where(close >= bars["up_limit"], 1, np.where(close <= bars["down_limit"], -1, 0))
        return {
            "close": close,
            "turnover_rate": np.round(bars["vol"] / float_share, 4),
            "turnover_rate_f": np.round(bars["vol"] / free_share, 4),
            "volume_ratio": np.round(0.4 + 2.0 * uniform(self.seed, _NOISE_VR, i, t), 2),
            "pe": np.where(eps_lyr > 0, np.round(close / np.abs(eps_lyr), 4), np.nan),
            "pe_ttm": np.where(eps_ttm > 0, np.round(close / np.abs(eps_ttm), 4), np.nan),
            "pb": np.round(close / (p.bps[i] / mult), 4),
            "ps": np.round(close / (p.sps[i] / mult), 4),
            "ps_ttm": np.round(close / (p.sps[i] * 1.03 / mult), 4),
            "dv_ratio": p.dv[i],
            "dv_ttm": np.round(p.dv[i] * 1.05, 4),
            "total_share": total_share,
            "float_share": float_share,
            "free_share": free_share,
            "total_mv": np.round(close * total_share, 4),
            "circ_mv": np.round(close * float_share, 4),
            "limit_status": limit_status,
        }

    # -- selections ---------------------------------------------------------------------
    def day_rows(self, t: int, mask: np.ndarray | None = None) -> np.ndarray:
        """Stocks with a bar on day t (optionally only those in `mask`)."""
        rows = self.u.trading[:, t]
        if mask is not None:
            rows = rows & mask
        return np.flatnonzero(rows)

    def stock_days(self, i: int, t0: int, t1: int) -> np.ndarray:
        """Days in [t0, t1] on which stock i has a bar."""
        t0, t1 = max(t0, 0), min(t1, self.u.n_days - 1)
        if t1 < t0:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(self.u.trading[i, t0 : t1 + 1]) + t0

    def factor_days(self, i: int, t0: int, t1: int) -> np.ndarray:
        """Days in [t0, t1] on which stock i has an adj_factor row: listed, suspended or not."""
        t0, t1 = max(t0, int(self.u.first_idx[i]), 0), min(t1, int(self.u.last_idx[i]), self.u.n_days - 1)
        return np.arange(t0, t1 + 1, dtype=np.int64)

    def shares_on(self, i: int, day: dt.date) -> float:
        """Stock i's total shares (股, not 万股) on the last market day on or before `day`
        (clamped to the days it has data), for the financial statements."""
        t = min(max(self.u.calendar.index_at_or_before(day), int(self.u.first_idx[i])), self.u.n_days - 1)
        pos, _ = self.events.lookup(np.array([i], dtype=np.int64), np.array([max(t, 0)], dtype=np.int64))
        mult = self.events.shares_after[pos[0]] if pos[0] >= 0 else 1.0
        return float(round(self.params.base_share[i] * mult * 1e4))

    def factors(self, i: np.ndarray, t: np.ndarray) -> np.ndarray:
        pos, _ = self.events.lookup(np.asarray(i, dtype=np.int64), np.asarray(t, dtype=np.int64))
        return np.where(pos >= 0, self.events.factor_after[np.maximum(pos, 0)], self.params.base_factor[i]) / 1000.0

