"""A Tushare-compatible simulator: the 17 APIs the warehouse uses, deterministic
synthetic data that obeys the invariants of real data, Tushare's protocol (token,
fields, paging, quotas) and injectable faults. Used by tests, the demo and
`twilight simulator serve`."""

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
