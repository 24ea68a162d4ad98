"""The simulated market's cast: stocks (listed, delisted, paused; some suspended for a
while) and indexes, all drawn deterministically from the seed.

Every universe starts from two real stocks, 000001.SZ (平安银行) and 600000.SH (浦发银行),
listed on their real dates and never delisted or paused, so examples can name real codes
(a universe of one stock has only 000001.SZ). Their prices and reports are simulated like
everyone else's.

Every stock carries the open-day indexes of its first and last day of data, so the
market generator and the API handlers agree on when a stock exists without asking dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .calendar import TradingCalendar, is_open
from .config import SimulatorConfig

BOARD_SH_MAIN, BOARD_STAR, BOARD_SZ_MAIN, BOARD_CHINEXT = 0, 1, 2, 3
# (code range, suffix, market label, exchange, first possible listing date, share of universe)
_BOARDS = (
    ((600000, 605999), "SH", "主板", "SSE", dt.date(1990, 12, 19), 0.30),
    ((688000, 688999), "SH", "科创板", "SSE", dt.date(2019, 7, 22), 0.10),
    ((1, 3999), "SZ", "主板", "SZSE", dt.date(1991, 4, 3), 0.35),
    ((300001, 301999), "SZ", "创业板", "SZSE", dt.date(2009, 10, 30), 0.25),
)
CHINEXT_20PCT_FROM = dt.date(2020, 8, 24)

# (board, code number, list date, identity): the lowest code of each main board is real.
_REAL_STOCKS = (
    (BOARD_SZ_MAIN, 1, dt.date(1991, 4, 3), {
        "name": "平安银行", "area": "深圳", "industry": "银行", "fullname": "平安银行股份有限公司",
        "enname": "Ping An Bank Co., Ltd.", "cnspell": "PAYH",
    }),
    (BOARD_SH_MAIN, 600000, dt.date(1999, 11, 10), {
        "name": "浦发银行", "area": "上海", "industry": "银行", "fullname": "上海浦东发展银行股份有限公司",
        "enname": "Shanghai Pudong Development Bank Co.,Ltd.", "cnspell": "PFYH",
    }),
)

_SYLLABLES = (
    ("华", "hua"), ("东", "dong"), ("新", "xin"), ("海", "hai"), ("中", "zhong"), ("金", "jin"),
    ("天", "tian"), ("安", "an"), ("恒", "heng"), ("瑞", "rui"), ("鼎", "ding"), ("泰", "tai"),
    ("宏", "hong"), ("远", "yuan"), ("光", "guang"), ("信", "xin"), ("达", "da"), ("盛", "sheng"),
    ("通", "tong"), ("益", "yi"), ("嘉", "jia"), ("明", "ming"), ("星", "xing"), ("国", "guo"),
)
_TRADES = (
    ("科技", "keji", "Technology"), ("电子", "dianzi", "Electronics"), ("医药", "yiyao", "Pharma"),
    ("能源", "nengyuan", "Energy"), ("银行", "yinhang", "Bank"), ("化工", "huagong", "Chemical"),
    ("机械", "jixie", "Machinery"), ("食品", "shipin", "Food"), ("地产", "dichan", "Property"),
    ("材料", "cailiao", "Materials"), ("传媒", "chuanmei", "Media"), ("汽车", "qiche", "Auto"),
)
_INDUSTRIES = ("软件服务", "元器件", "化学制药", "电气设备", "银行", "化工原料", "专用机械",
               "食品", "全国地产", "小金属", "影视音像", "汽车配件")
_AREAS = ("北京", "上海", "深圳", "广东", "浙江", "江苏", "山东", "四川", "湖北", "福建", "安徽")
_OWNER_TYPES = ("民营企业", "地方国有企业", "中央国有企业", "外资企业")
_OWNERS = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "国务院国有资产监督管理委员会", "上海市国资委")

# Indexes drawn from first; past the list, synthetic CSI indexes are made up.
_INDEX_TEMPLATES = (
    ("000001.SH", "上证指数", "上证综合指数", "SSE", "中证公司", "综合指数", dt.date(1990, 12, 19), 100.0, "SH"),
    ("399001.SZ", "深证成指", "深证成份指数", "SZSE", "深交所", "成份指数", dt.date(1994, 7, 20), 1000.0, "SZ"),
    ("000300.SH", "沪深300", "沪深300指数", "CSI", "中证公司", "规模指数", dt.date(2004, 12, 31), 1000.0, "ALL"),
    ("801010.SI", "农林牧渔", "申万农林牧渔", "SW", "申万研究", "一级行业指数", dt.date(1999, 12, 30), 1000.0, "ALL"),
    ("399006.SZ", "创业板指", "创业板指数", "SZSE", "深交所", "规模指数", dt.date(2010, 5, 31), 1000.0, "CHINEXT"),
    ("000016.SH", "上证50", "上证50指数", "SSE", "中证公司", "规模指数", dt.date(2003, 12, 31), 1000.0, "SH"),
    ("000905.SH", "中证500", "中证小盘500指数", "CSI", "中证公司", "规模指数", dt.date(2004, 12, 31), 1000.0, "ALL"),
    ("CI005001.CI", "石油石化", "中信石油石化", "CICC", "中金公司", "行业指数", dt.date(2004, 12, 31), 1000.0, "ALL"),
    ("892400.MI", "MSCI中国A股", "MSCI中国A股指数", "MSCI", "MSCI", "规模指数", dt.date(2009, 5, 29), 1000.0, "ALL"),
    ("000688.SH", "科创50", "上证科创板50成份指数", "SSE", "中证公司", "规模指数", dt.date(2019, 12, 31), 1000.0, "STAR"),
    ("399300.SZ", "沪深300", "沪深300指数(深)", "SZSE", "中证公司", "规模指数", dt.date(2004, 12, 31), 1000.0, "ALL"),
    ("H30533.CSI", "中国互联网50", "中证海外中国互联网50指数", "OTH", "中证公司", "主题指数", dt.date(2007, 6, 29), 1000.0, "ALL"),
)


@dataclass(frozen=True)
class Universe:
    """Stocks and indexes of one configuration. Arrays are indexed by stock position."""

    config: SimulatorConfig
    as_of: dt.date

    # -- calendars ---------------------------------------------------------------------
    @cached_property
    def calendar(self) -> TradingCalendar:
        """What trade_cal serves: from `start` through the end of as_of's next year."""
        return TradingCalendar(self.config.start, dt.date(self.as_of.year + 1, 12, 31))

    @cached_property
    def market_days(self) -> list[dt.date]:
        """Open days that have market data: start .. as_of."""
        last = self.calendar.index_at_or_before(self.as_of)
        return self.calendar.open_days[: last + 1]

    @property
    def n_days(self) -> int:
        return len(self.market_days)

    @cached_property
    def market_ordinals(self) -> np.ndarray:
        return self.calendar.open_ordinals[: self.n_days]

    def day_index(self, day: dt.date) -> int | None:
        """Position of `day` among market days, or None if it is not one."""
        i = self.calendar.open_index.get(day)
        return i if i is not None and i < self.n_days else None

    # -- stocks -------------------------------------------------------------------------
    @cached_property
    def stocks(self) -> pd.DataFrame:
        """stock_basic's rows for every status, plus the generator's columns
        (board, first_idx, last_idx) that the API never shows."""
        return _make_stocks(self.config, self.as_of, self.calendar, self.n_days)

    @cached_property
    def codes(self) -> np.ndarray:
        return self.stocks["ts_code"].to_numpy(dtype=object)

    @cached_property
    def code_position(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.codes)}

    @cached_property
    def first_idx(self) -> np.ndarray:
        return self.stocks["first_idx"].to_numpy(dtype=np.int64)

    @cached_property
    def last_idx(self) -> np.ndarray:
        return self.stocks["last_idx"].to_numpy(dtype=np.int64)

    @cached_property
    def ipo_idx(self) -> np.ndarray:
        """The listing day's index for stocks that list inside the window, else -1."""
        listed_inside = np.array([d >= self.config.start for d in self.stocks["list_date"]])
        return np.where(listed_inside, self.first_idx, -1)

    @cached_property
    def board(self) -> np.ndarray:
        return self.stocks["board"].to_numpy(dtype=np.int64)

    @cached_property
    def suspensions(self) -> list[tuple[int, int, int]]:
        """(stock, first open-day index, last open-day index) of each suspension."""
        return _make_suspensions(self.config.seed, self.first_idx, self.last_idx)

    @cached_property
    def suspended(self) -> np.ndarray:
        """bool [stock, day]: True on days a listed stock did not trade."""
        mask = np.zeros((len(self.codes), self.n_days), dtype=bool)
        for i, a, b in self.suspensions:
            mask[i, a : b + 1] = True
        return mask

    @cached_property
    def alive(self) -> np.ndarray:
        """bool [stock, day]: listed (trading or suspended) on that day."""
        days = np.arange(self.n_days)
        return (days[None, :] >= self.first_idx[:, None]) & (days[None, :] <= self.last_idx[:, None])

    @cached_property
    def trading(self) -> np.ndarray:
        """bool [stock, day]: the stock has a daily bar that day."""
        return self.alive & ~self.suspended

    def suspended_codes_on(self, day: dt.date) -> list[str]:
        t = self.day_index(day)
        if t is None:
            return []
        return [str(c) for c in self.codes[self.alive[:, t] & self.suspended[:, t]]]

    # -- indexes ------------------------------------------------------------------------
    @cached_property
    def indexes(self) -> pd.DataFrame:
        return _make_indexes(self.config.n_indexes)


def _open_on_or_after(day: dt.date) -> dt.date:
    while not is_open(day):
        day += dt.timedelta(days=1)
    return day


def _make_stocks(config: SimulatorConfig, as_of: dt.date, cal: TradingCalendar, n_days: int) -> pd.DataFrame:
    rng = np.random.default_rng([config.seed, 1])
    n = config.n_stocks
    boards, numbers = _board_codes(rng, n, as_of)
    real = _place_real_stocks(boards, numbers)
    statuses = _statuses(rng, n, keep_listed=set(real))
    rows = []
    for i in range(n):
        b = int(boards[i])
        (_, suffix, market, exchange, board_open, _) = _BOARDS[b]
        list_date = _list_date(rng, board_open, config.start, as_of)
        if i in real:
            list_date = _open_on_or_after(real[i][0])
        list_date = min(list_date, cal.open_days[n_days - 1])
        first_idx = cal.index_at_or_after(max(list_date, config.start))
        status, last_idx, delist_date = _exit(rng, statuses[i], first_idx, n_days, cal)
        symbol = f"{numbers[i]:06d}"
        identity = _identity(rng, status)
        if i in real:
            identity.update(real[i][1])
        rows.append({
            "ts_code": f"{symbol}.{suffix}", "symbol": symbol, **identity,
            "market": market, "exchange": exchange, "curr_type": "CNY", "list_status": status,
            "list_date": list_date, "delist_date": delist_date,
            "is_hs": ("N", "H", "S")[int(rng.integers(0, 3))],
            "act_name": _OWNERS[int(rng.integers(0, len(_OWNERS)))],
            "act_ent_type": _OWNER_TYPES[int(rng.integers(0, len(_OWNER_TYPES)))],
            "board": b, "first_idx": first_idx, "last_idx": last_idx,
        })
    return pd.DataFrame(rows).sort_values("ts_code", ignore_index=True)


def _board_codes(rng: np.random.Generator, n: int, as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Each stock's board and code number, boards in fixed proportions (largest
    remainder) so that even a tiny universe mixes them."""
    # Boards that did not exist by as_of get no stocks (STAR opened in 2019, ChiNext in 2009).
    shares = np.array([b[5] if b[4] <= as_of else 0.0 for b in _BOARDS])
    shares = shares / shares.sum()
    counts = np.floor(shares * n).astype(int)
    for k in np.argsort(-(shares * n - counts))[: n - counts.sum()]:
        counts[k] += 1
    boards = np.concatenate([np.full(c, b) for b, c in enumerate(counts)])
    boards = boards[rng.permutation(n)]
    numbers = np.empty(n, dtype=np.int64)
    for b, ((lo, hi), *_rest) in enumerate(_BOARDS):
        where = np.flatnonzero(boards == b)
        numbers[where] = np.sort(rng.choice(np.arange(lo, hi + 1), size=len(where), replace=False))
    return boards, numbers


def _place_real_stocks(boards: np.ndarray, numbers: np.ndarray) -> dict[int, tuple[dt.date, dict[str, str]]]:
    """Give each main board's first stock its real code (numbers are sorted within a board,
    so the smallest stays unique); returns position -> (list date, identity)."""
    placed = {}
    for board, number, list_date, identity in _REAL_STOCKS:
        where = np.flatnonzero(boards == board)
        if len(where):
            numbers[where[0]] = number
            placed[int(where[0])] = (list_date, identity)
    return placed


def _statuses(rng: np.random.Generator, n: int, keep_listed: set[int]) -> np.ndarray:
    """A few delisted (D) and paused (P) stocks, even in a tiny universe; never those in
    `keep_listed`."""
    n_delisted = max(1, round(0.07 * n)) if n >= 6 else 0
    n_paused = max(1, round(0.03 * n)) if n >= 12 else 0
    order = np.array([k for k in rng.permutation(n) if k not in keep_listed], dtype=np.int64)
    status = np.full(n, "L", dtype=object)
    status[order[:n_delisted]] = "D"
    status[order[n_delisted : n_delisted + n_paused]] = "P"
    return status


def _list_date(rng: np.random.Generator, board_open: dt.date, start: dt.date, as_of: dt.date) -> dt.date:
    """About a third of stocks list inside the served window, the rest before it."""
    if rng.random() < 0.35 or board_open > start:
        lo = max(start, board_open)
        window = max((as_of - lo).days - 20, 1)
        return _open_on_or_after(lo + dt.timedelta(days=int(rng.integers(0, window))))
    window = max((start - board_open).days, 1)
    return _open_on_or_after(board_open + dt.timedelta(days=int(rng.integers(0, window))))


def _exit(rng: np.random.Generator, status: str, first_idx: int, n_days: int,
          cal: TradingCalendar) -> tuple[str, int, dt.date | None]:
    """(status, last day index with data, delist date). A stock that would have no
    history left before it stops stays listed."""
    if status == "L":
        return status, n_days - 1, None
    if first_idx >= n_days - 3:
        return "L", n_days - 1, None
    lo_idx = first_idx + max(2, (n_days - first_idx) // 5)
    stop_idx = int(rng.integers(lo_idx, n_days - 1)) if lo_idx < n_days - 1 else n_days - 2
    return status, stop_idx, cal.open_days[stop_idx + 1] if status == "D" else None


def _identity(rng: np.random.Generator, status: str) -> dict[str, str]:
    s1, s2 = (int(x) for x in rng.integers(0, len(_SYLLABLES), 2))
    trade = int(rng.integers(0, len(_TRADES)))
    name = _SYLLABLES[s1][0] + _SYLLABLES[s2][0] + _TRADES[trade][0]
    cnspell = (_SYLLABLES[s1][1][0] + _SYLLABLES[s2][1][0] + _TRADES[trade][1][0] + _TRADES[trade][1][2]).upper()
    # Exchanges rename a stock on its way out: paused ones trade as *ST, delisted ones
    # carry 退 (stock_basic shows the latest name); the company's full name stays.
    short = {"D": f"{name}退", "P": f"*ST{name[:2]}"}.get(status, name)
    return {
        "name": short,
        "area": _AREAS[int(rng.integers(0, len(_AREAS)))],
        "industry": _INDUSTRIES[trade],
        "fullname": f"{name}股份有限公司",
        "enname": f"{_SYLLABLES[s1][1].title()}{_SYLLABLES[s2][1]} {_TRADES[trade][2]} Co.,Ltd.",
        "cnspell": cnspell,
    }


def _make_suspensions(seed: int, first_idx: np.ndarray, last_idx: np.ndarray) -> list[tuple[int, int, int]]:
    """About a third of stocks are suspended for a while (a day to a few weeks);
    never on their first or last day, so listing and delisting stay unambiguous."""
    rng = np.random.default_rng([seed, 2])
    spans: list[tuple[int, int, int]] = []
    for i, (a, b) in enumerate(zip(first_idx, last_idx)):
        life = int(b) - int(a)
        if life < 30 or rng.random() > 0.4:
            continue
        n_spans = 1 + int(rng.poisson(life / 1500))
        for _ in range(n_spans):
            length = int(rng.choice([1, 1, 2, 3, 5, 10, 20]))
            begin = int(rng.integers(a + 1, max(a + 2, b - length)))
            end = min(begin + length - 1, int(b) - 1)
            if end >= begin:
                spans.append((i, begin, end))
    return _merge(spans)


def _merge(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Overlapping or touching spans of one stock become one."""
    merged: list[tuple[int, int, int]] = []
    for i, a, b in sorted(spans):
        if merged and merged[-1][0] == i and a <= merged[-1][2] + 1:
            merged[-1] = (i, merged[-1][1], max(b, merged[-1][2]))
        else:
            merged.append((i, a, b))
    return merged


_INDEX_COLUMNS = ("ts_code", "name", "fullname", "market", "publisher", "index_type", "category", "base_date",
                  "base_point", "list_date", "weight_rule", "desc", "exp_date", "members")


def _make_indexes(n: int) -> pd.DataFrame:
    rows = []
    for j in range(n):
        if j < len(_INDEX_TEMPLATES):
            code, name, fullname, market, publisher, category, base_date, base_point, members = _INDEX_TEMPLATES[j]
        else:
            k = j - len(_INDEX_TEMPLATES)
            code, name, fullname = f"{930000 + k:06d}.CSI", f"中证主题{k}", f"中证主题指数{k}"
            market, publisher, category = "CSI", "中证公司", "主题指数"
            base_date, base_point, members = dt.date(2012, 12, 31), 1000.0, "ALL"
        rows.append(
            {
                "ts_code": code,
                "name": name,
                "fullname": fullname,
                "market": market,
                "publisher": publisher,
                "index_type": "成份指数" if members != "ALL" else "规模指数",
                "category": category,
                "base_date": base_date,
                "base_point": base_point,
                "list_date": base_date + dt.timedelta(days=1),
                "weight_rule": "自由流通市值加权",
                "desc": f"{fullname}由{publisher}编制，反映相关股票的整体表现。",
                "exp_date": None,
                "members": members,
            }
        )
    return pd.DataFrame(rows, columns=list(_INDEX_COLUMNS))
