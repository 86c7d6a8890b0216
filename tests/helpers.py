"""The tolerance-aware comparison every test uses."""

from __future__ import annotations

import numpy as np


def assert_close(actual, expected, *, rtol: float = 1e-6, atol: float = 0.0, what: str = "") -> None:
    """Assert ``|actual - expected| <= atol + rtol * |expected|`` elementwise.

    On failure the message reports the worst element, its index, both values and the
    relative error, prefixed by ``what``.
    """
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    a, e = np.broadcast_arrays(a, e)
    if not np.all(np.isfinite(a)):
        raise AssertionError(f"{what}: non-finite values in actual at {np.argwhere(~np.isfinite(a))[:5].tolist()}")
    err = np.abs(a - e)
    bound = atol + rtol * np.abs(e)
    bad = err > bound
    if np.any(bad):
        excess = np.where(bad, err / np.maximum(bound, 1e-300), 0.0)
        idx = np.unravel_index(np.argmax(excess), a.shape)
        rel = err[idx] / max(abs(e[idx]), 1e-300)
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {a.size} elements outside atol={atol}, rtol={rtol}; "
            f"worst at {tuple(int(i) for i in idx)}: actual={a[idx]!r}, expected={e[idx]!r}, "
            f"rel err={rel:.3e}"
        )


def rel_err(actual, expected, floor: float = 1e-12) -> float:
    """Maximum relative error ``|a - e| / max(|e|, floor)``."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(a - e) / np.maximum(np.abs(e), floor)))
