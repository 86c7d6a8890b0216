"""Non-compartmental summaries of simulated time courses."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SUMMARY_COLUMNS", "auc", "summarize_timecourse", "terminal_half_life"]


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


#: Columns of :func:`summarize_timecourse`: the output contract of ``summary.csv`` (the
#: first seven, fixed), then the first-dose-interval peak.
SUMMARY_COLUMNS = ("compartment", "species", "cmax", "tmax_h", "auc", "auc_unit",
                   "terminal_half_life_h", "cmax_first_dose", "tmax_first_dose_h")


def summarize_timecourse(
    df: pd.DataFrame,
    *,
    peaks: pd.DataFrame | None = None,
    first_dose_end: float = float("inf"),
) -> pd.DataFrame:
    """Per compartment and species: PK summary of a long-form time-course table.

    ``df`` is the long form ``scenario,time_h,compartment,species,value,unit`` written by
    ``mechsim simulate``. Columns (:data:`SUMMARY_COLUMNS`): ``cmax`` (the time course's
    unit) and ``tmax_h`` (h) over the whole table; ``auc`` (linear trapezoid on the
    table's times, unit ``auc_unit`` = unit*h); ``terminal_half_life_h`` (h, see
    :func:`terminal_half_life`); ``cmax_first_dose`` and ``tmax_first_dose_h``, the peak
    before ``first_dose_end`` (h; the start of the second dose, see
    :func:`~mechsim.analysis.first_dose_interval_end`; ``inf``: the whole table).

    Without ``peaks`` the maxima are read off the table's times. ``peaks`` (e.g.
    :func:`~mechsim.analysis.peak_table`, columns ``compartment, species, cmax, tmax_h,
    cmax_first_dose, tmax_first_dose_h``) supplies solver-refined maxima instead; rows of
    ``df`` it does not cover keep the grid values.
    """
    given = {}
    if peaks is not None:
        for row in peaks.itertuples(index=False):
            given[(row.compartment, row.species)] = row
    rows = []
    for (comp, sp), g in df.groupby(["compartment", "species"], sort=False):
        g = g.sort_values("time_h")
        t, c = g["time_h"].to_numpy(), g["value"].to_numpy()
        i = int(np.argmax(c))
        first = np.flatnonzero(t < first_dose_end)
        i1 = int(first[np.argmax(c[first])]) if first.size else i
        unit = str(g["unit"].iloc[0])
        row = {
            "compartment": comp,
            "species": sp,
            "cmax": float(c[i]),
            "tmax_h": float(t[i]),
            "auc": auc(t, c),
            "auc_unit": f"{unit}*h",
            "terminal_half_life_h": terminal_half_life(t, c),
            "cmax_first_dose": float(c[i1]),
            "tmax_first_dose_h": float(t[i1]),
        }
        if (comp, sp) in given:
            p = given[(comp, sp)]
            row.update(cmax=float(p.cmax), tmax_h=float(p.tmax_h),
                       cmax_first_dose=float(p.cmax_first_dose),
                       tmax_first_dose_h=float(p.tmax_first_dose_h))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
