"""A Tushare-compatible simulator: the 17 APIs the warehouse uses, deterministic
synthetic data that obeys the invariants of real data, Tushare's protocol (token,
fields, paging, quotas) and injectable faults. Used by tests, the demo and
`twilight simulator serve`.

Choices where Tushare leaves room (each module's docstring says more):
- as_of (the last day with market data) defaults to today in Shanghai once it is past
  15:30 there, else yesterday; it is fixed when the server is built.
- History starts at `start` for everything: trade_cal runs from `start` to the end of
  as_of's next year; bars and financial periods begin at max(start, list date).
- Suspended stocks have no daily or daily_basic row but keep their adj_factor row (as
  Tushare does); adj_factor only changes on days the stock trades.
- weekly/monthly serve completed periods only, dated by the period's last open day.
- An unrevised report has one row with update_flag '1'; a revised one has the original
  ('0') and the revision ('1', later f_ann_date; in fina_indicator a later ann_date).
- A stock's first day after listing may move +-44%; main boards +-10%, ChiNext (from
  2020-08-24) and STAR +-20%.
- Errors: 40101 bad token; 40203 for quotas and for missing entitlement, told apart by
  message; -2001 for an unknown API or a malformed parameter.

    with SimulatorServer(SimulatorConfig(n_stocks=50, as_of=date(2024, 6, 28))) as sim:
        api = tushare.pro.client.DataApi(sim.token)
        api._DataApi__http_url = sim.url
        sim.add_fault("http_500", api_name="daily", times=1)
"""

from .config import SimulatorConfig
from .faults import ALL_KINDS as FAULT_KINDS
from .faults import DATA_KINDS, SCHEMA_KINDS, TRANSPORT_KINDS, Fault
from .server import SimulatorServer, entitlement_message, throttle_message
from .universe import Universe

__all__ = [
    "DATA_KINDS",
    "FAULT_KINDS",
    "SCHEMA_KINDS",
    "TRANSPORT_KINDS",
    "Fault",
    "SimulatorConfig",
    "SimulatorServer",
    "Universe",
    "entitlement_message",
    "throttle_message",
]
