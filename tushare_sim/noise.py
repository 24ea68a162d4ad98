"""Counter-based random numbers: the value for (seed, stream, i, t) is a pure function of
those numbers, so a cross-section of one day and a history of one stock draw the same
noise without generating anything in between."""

from __future__ import annotations

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection on uint64 with good avalanche."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def uniform(seed: int, stream: int, i: np.ndarray | int, t: np.ndarray | int) -> np.ndarray:
    """Uniform floats in [0, 1) keyed by (seed, stream, i, t); i and t broadcast."""
    with np.errstate(over="ignore"):
        i64 = np.asarray(i, dtype=np.int64).astype(np.uint64)
        t64 = np.asarray(t, dtype=np.int64).astype(np.uint64)
        key = np.uint64((seed * 1_000_003 + stream) & 0xFFFFFFFFFFFFFFFF)
        x = _mix(key * _GOLDEN + i64 * _M2 + t64 * _M1 + _GOLDEN)
        x = _mix(x ^ (t64 * _GOLDEN))
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)
