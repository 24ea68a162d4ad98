"""Index levels, valuations and monthly constituent weights.

Levels are a per-index random walk (generated lazily, one index at a time); weights come
from the stock market's own closes and share counts, so they move with the constituents.
Weights are percent with 2 decimals and every (index, date) sums to exactly 100.00.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .market import Market
from .noise import uniform

# How many constituents each template index holds at most; indexes past the templates hold 100.
_CAPS = {"000001.SH": 2000, "399001.SZ": 500, "000300.SH": 300, "801010.SI": 100, "399006.SZ": 100,
         "000016.SH": 50, "000905.SH": 500, "000688.SH": 50, "399300.SZ": 300}
_BOARD_FILTERS = {"SH": (0, 1), "SZ": (2, 3), "CHINEXT": (3,), "STAR": (1,), "ALL": (0, 1, 2, 3)}
_STREAM_OPEN, _STREAM_HIGH, _STREAM_LOW, _STREAM_VOL, _STREAM_TURN = range(20, 25)


@dataclass(frozen=True)
class IndexSeries:
    t: np.ndarray  # market-day positions
    close: np.ndarray
    pre_close: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    vol: np.ndarray
    amount: np.ndarray
    divisor: float  # total market value per point, yuan


class IndexMarket:
    def __init__(self, market: Market) -> None:
        self.market = market
        self.u = market.u
        self.seed = market.seed
        self._cache: dict[int, IndexSeries] = {}
        self._weights: OrderedDict[int, dict[int, tuple[np.ndarray, np.ndarray]]] = OrderedDict()
        self._lock = threading.Lock()

    def position(self, ts_code: str) -> int | None:
        hits = np.flatnonzero(self.u.indexes["ts_code"].to_numpy() == ts_code)
        return int(hits[0]) if len(hits) else None

    def series(self, j: int) -> IndexSeries:
        with self._lock:
            if j not in self._cache:
                self._cache[j] = self._generate(j)
            return self._cache[j]

    def _generate(self, j: int) -> IndexSeries:
        row = self.u.indexes.iloc[j]
        rng = np.random.default_rng([self.seed, 6, j])
        first = max(self.u.calendar.index_at_or_after(row["list_date"]), 0)
        t = np.arange(first, self.u.n_days, dtype=np.int64)
        n = len(t)
        level0 = float(np.exp(rng.uniform(np.log(800.0), np.log(12_000.0))))
        log_level = np.log(level0) + np.cumsum(0.012 * rng.standard_normal(n + 1))
        close = np.round(np.exp(log_level[1:]), 3)
        pre_close = np.concatenate([[np.round(np.exp(log_level[0]), 3)], close[:-1]])
        s = self.seed + 1000 * (j + 1)
        open_ = np.round(pre_close * np.exp(0.004 * (2 * uniform(s, _STREAM_OPEN, 0, t) - 1)), 3)
        high = np.round(np.maximum(open_, close) * (1 + 0.008 * uniform(s, _STREAM_HIGH, 0, t)), 3)
        low = np.round(np.minimum(open_, close) * (1 - 0.008 * uniform(s, _STREAM_LOW, 0, t)), 3)
        high = np.maximum(high, np.maximum(open_, close))
        low = np.minimum(low, np.minimum(open_, close))
        base_vol = float(np.exp(rng.uniform(np.log(5e6), np.log(4e8))))
        vol = np.round(base_vol * np.exp(0.5 * (2 * uniform(s, _STREAM_VOL, 0, t) - 1)), 0)
        # thousand yuan = lots * 100 shares * average price / 1000
        amount = np.round(vol * rng.uniform(8.0, 25.0) / 10.0, 3)
        divisor = float(np.exp(rng.uniform(np.log(5e9), np.log(5e10))))
        return IndexSeries(t, close, pre_close, open_, high, low, vol, amount, divisor)

    def basics(self, j: int, series: IndexSeries) -> dict[str, np.ndarray]:
        s = self.seed + 1000 * (j + 1)
        total_mv = np.round(series.close * series.divisor, 2)
        float_mv = np.round(total_mv * 0.62, 2)
        share_base = series.divisor * 0.12
        turnover = 0.3 + 2.5 * uniform(s, _STREAM_TURN, 0, series.t)
        return {
            "total_mv": total_mv,
            "float_mv": float_mv,
            "total_share": np.full(len(series.t), np.round(share_base, 2)),
            "float_share": np.full(len(series.t), np.round(share_base * 0.62, 2)),
            "free_share": np.full(len(series.t), np.round(share_base * 0.4, 2)),
            "turnover_rate": np.round(turnover, 4),
            "turnover_rate_f": np.round(turnover * 1.6, 4),
            "pe": np.round(series.close / series.close[0] * 14.0, 2),
            "pe_ttm": np.round(series.close / series.close[0] * 13.2, 2),
            "pb": np.round(series.close / series.close[0] * 1.5, 2),
        }

    # -- weights ------------------------------------------------------------------------
    def weight_days(self) -> list[int]:
        """The last market day of each month that has ended by as_of (or ends on it)."""
        cal, days = self.u.calendar, self.u.market_days
        out = []
        for t, d in enumerate(days):
            nxt = cal.open_days[t + 1] if t + 1 < len(cal.open_days) else None
            if nxt is None or (nxt.year, nxt.month) != (d.year, d.month):
                out.append(t)
        return out

    def weights(self, j: int, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(stock positions, weights in percent) of index j on market day t. The last
        few indexes' weights stay cached: a client pages through one index at a time."""
        with self._lock:
            cached = self._weights.get(j)
            if cached is not None:
                self._weights.move_to_end(j)
                if t in cached:
                    return cached[t]
        result = self._compute_weights(j, t)
        with self._lock:
            self._weights.setdefault(j, {})[t] = result
            while len(self._weights) > 2:
                self._weights.popitem(last=False)
        return result

    def _compute_weights(self, j: int, t: int) -> tuple[np.ndarray, np.ndarray]:
        row = self.u.indexes.iloc[j]
        boards = _BOARD_FILTERS[row["members"]]
        eligible = self.u.alive[:, t] & np.isin(self.u.board, boards)
        candidates = np.flatnonzero(eligible)
        if len(candidates) == 0:
            return candidates, np.empty(0)
        cap = _CAPS.get(row["ts_code"], 100)
        # A stable pseudo-random preference keeps membership steady from month to month.
        rank = uniform(self.seed, 30 + j, candidates, 0)
        members = np.sort(candidates[np.argsort(rank, kind="stable")[:cap]])
        mv = self.market.close[members, t].astype(np.float64) * self.market.params.base_share[members]
        pos, _ = self.market.events.lookup(members, np.full(len(members), t, dtype=np.int64))
        mv *= np.where(pos >= 0, self.market.events.shares_after[np.maximum(pos, 0)], 1.0)
        return members, hundredths_summing_to_100(mv) / 100.0


def hundredths_summing_to_100(values: np.ndarray) -> np.ndarray:
    """Proportional shares of 10,000 hundredths, each at least 1, summing exactly
    (largest remainder), so weights with 2 decimals add up to 100.00."""
    n = len(values)
    spare = 10_000 - n
    raw = values / values.sum() * spare
    base = np.floor(raw).astype(np.int64)
    short = spare - int(base.sum())
    if short > 0:
        base[np.argsort(-(raw - base), kind="stable")[:short]] += 1
    return base + 1

