"""Non-compartmental summaries of simulated time courses."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["auc", "summarize_timecourse", "terminal_half_life"]


def auc(t: np.ndarray, c: np.ndarray) -> float:
    """Area under the curve by the linear trapezoidal rule (unit: c-unit * t-unit)."""
    t = np.asarray(t, dtype=float)
    c = np.asarray(c, dtype=float)
    return float(np.sum(0.5 * (c[1:] + c[:-1]) * np.diff(t)))


def terminal_half_life(t: np.ndarray, c: np.ndarray, n_points: int = 6) -> float:
    """Terminal half-life (time unit of ``t``) from a log-linear fit of the last points.

    Uses the last ``n_points`` strictly positive samples after the maximum; returns NaN
    if the curve is not declining there (no terminal phase within the window).
    """
    t = np.asarray(t, dtype=float)
    c = np.asarray(c, dtype=float)
    if c.size < 3 or not np.any(c > 0):
        return float("nan")
    after = np.arange(c.size) > int(np.argmax(c))
    mask = after & (c > 1e-12 * np.max(c))
    idx = np.nonzero(mask)[0][-n_points:]
    if idx.size < 3:
        return float("nan")
    slope = np.polyfit(t[idx], np.log(c[idx]), 1)[0]
    if not slope < 0:
        return float("nan")
    return float(np.log(2) / -slope)


def summarize_timecourse(df: pd.DataFrame) -> pd.DataFrame:
    """Per compartment and species: ``cmax, tmax_h, auc, auc_unit, terminal_half_life_h``.

    ``df`` is the long form ``scenario,time_h,compartment,species,value,unit`` written by
    ``mechsim simulate``.
    """
    rows = []
    for (comp, sp), g in df.groupby(["compartment", "species"], sort=False):
        g = g.sort_values("time_h")
        t, c = g["time_h"].to_numpy(), g["value"].to_numpy()
        i = int(np.argmax(c))
        unit = str(g["unit"].iloc[0])
        rows.append({
            "compartment": comp,
            "species": sp,
            "cmax": float(c[i]),
            "tmax_h": float(t[i]),
            "auc": auc(t, c),
            "auc_unit": f"{unit}*h",
            "terminal_half_life_h": terminal_half_life(t, c),
        })
    return pd.DataFrame(rows, columns=["compartment", "species", "cmax", "tmax_h", "auc", "auc_unit", "terminal_half_life_h"])
