"""Headline outputs of the aldoxorubicin seed and their sensitivity case.

The seed's claims, compared on one network (``build_aldoxorubicin(apoptosis=False)``:
the apoptosis module sits downstream of the DSB count and feeds nothing back, so the
headlines below do not depend on it): aldoxorubicin at the scenario's dose against
doxorubicin 75 mg/m2, both IV over 30 min on day 1 of two 21-day cycles.

- ``tumor_auc_ratio``: tumour doxorubicin AUC (0-42 d), aldoxorubicin / doxorubicin;
  claim: > 1 (more doxorubicin reaches the tumour).
- ``heart_peak_ratio`` and ``heart_auc_ratio``: unbound heart doxorubicin peak and AUC,
  aldoxorubicin / doxorubicin; claim: < 1 (less free doxorubicin in the heart).
- ``conjugate_half_life_h``: the conjugate's plasma half-life (h) from a log-linear fit
  over :data:`HALF_LIFE_WINDOW_H` after the first dose; claim: Mita 2015's 20.1-21.1 h.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import numpy as np

from mechsim.analysis._sensitivity import Arm, Headline, SensitivityCase
from mechsim.mechanisms.aldoxorubicin._network import build_aldoxorubicin
from mechsim.mechanisms.aldoxorubicin._parameters import MITA_T_HALF_H
from mechsim.mechanisms.aldoxorubicin._scenarios import (
    CYCLE_H,
    N_CYCLES,
    aldoxorubicin_regimen,
    doxorubicin_regimen,
)

__all__ = [
    "HALF_LIFE_WINDOW_H",
    "SENSITIVITY",
    "conjugate_half_life",
    "sensitivity_case",
    "sensitivity_times",
]

#: Fitting window (h after the start of the first infusion) of the conjugate half-life:
#: from 12 h (past the infusion, conjugation and tumour-uptake transients) to 120 h
#: (about six half-lives, the conjugate still > 1 % of its peak).
HALF_LIFE_WINDOW_H = (12.0, 120.0)
COMPARATOR_MG_M2 = 75.0


def conjugate_half_life(
    times: np.ndarray, conc: np.ndarray, window: tuple[float, float] = HALF_LIFE_WINDOW_H
) -> np.ndarray:
    """Half-life (h) of ``conc`` (any unit; time on the last axis) over ``window`` (h).

    Least-squares slope of ln(conc) against time over the samples inside ``window``;
    vectorised over leading axes. NaN where the curve is not positive and declining.
    """
    t = np.asarray(times, dtype=np.float64)
    c = np.asarray(conc, dtype=np.float64)
    sel = (t >= window[0]) & (t <= window[1])
    if sel.sum() < 3:
        raise ValueError(f"conjugate_half_life: fewer than 3 samples in window {window} h")
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(np.where(c[..., sel] > 0, c[..., sel], np.nan))
        tt = t[sel] - t[sel].mean()
        slope = np.sum(tt * (y - y.mean(axis=-1, keepdims=True)), axis=-1) / np.sum(tt * tt)
        return np.where(slope < 0, np.log(2.0) / -slope, np.nan)


def sensitivity_times(n_cycles: int = N_CYCLES) -> np.ndarray:
    """Output times (h): hourly over the cycles, every 3 min for 6 h after each dose.

    The fine part resolves the end-of-infusion peaks (heart doxorubicin peaks within
    minutes of the 30-min infusion's end).
    """
    total = n_cycles * CYCLE_H
    fine = [k * CYCLE_H + np.linspace(0.0, 6.0, 121) for k in range(n_cycles)]
    return np.unique(np.concatenate([np.linspace(0.0, total, int(total) + 1), *fine]))


def _ratio(obs: str, stat: Callable[[np.ndarray, np.ndarray], np.ndarray]):
    def compute(t: np.ndarray, out: Mapping[str, Mapping[str, np.ndarray]]) -> np.ndarray:
        return stat(t, out["aldoxorubicin"][obs]) / stat(t, out["doxorubicin"][obs])

    return compute


def _auc(t: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.trapezoid(c, t, axis=-1)


def _peak(t: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.max(c, axis=-1)


def _half_life(t: np.ndarray, out: Mapping[str, Mapping[str, np.ndarray]]) -> np.ndarray:
    return conjugate_half_life(t, out["aldoxorubicin"]["plasma_conjugate"])


def headlines(dose_mg_m2: float) -> tuple[Headline, ...]:
    """The four headline outputs of aldoxorubicin ``dose_mg_m2`` vs doxorubicin 75."""
    vs = f"aldoxorubicin {dose_mg_m2:g} / doxorubicin {COMPARATOR_MG_M2:g} mg/m2"
    inf = float("inf")
    return (
        Headline("tumor_auc_ratio", "dimensionless", _ratio("tumor_doxorubicin", _auc),
                 (1.0, inf), "more tumour doxorubicin (ratio > 1)",
                 f"tumour doxorubicin AUC over 42 d, {vs}"),
        Headline("heart_peak_ratio", "dimensionless", _ratio("heart_doxorubicin", _peak),
                 (-inf, 1.0), "lower free heart doxorubicin peak (ratio < 1)",
                 f"peak unbound heart doxorubicin, {vs}"),
        Headline("heart_auc_ratio", "dimensionless", _ratio("heart_doxorubicin", _auc),
                 (-inf, 1.0), "less free heart doxorubicin exposure (ratio < 1)",
                 f"unbound heart doxorubicin AUC over 42 d, {vs}"),
        Headline("conjugate_half_life_h", "h", _half_life, MITA_T_HALF_H,
                 "conjugate t1/2 20.1-21.1 h (Mita 2015)",
                 f"plasma conjugate t1/2, fit over {HALF_LIFE_WINDOW_H} h after dose 1"),
    )  # fmt: skip


def sensitivity_case(dose_mg_m2: float = 350.0, n_cycles: int = N_CYCLES) -> SensitivityCase:
    """Aldoxorubicin ``dose_mg_m2`` vs doxorubicin 75 mg/m2 on the PK network."""
    return SensitivityCase(
        name=f"aldoxorubicin-{dose_mg_m2:g} vs doxorubicin-{COMPARATOR_MG_M2:g}",
        network=build_aldoxorubicin(apoptosis=False),
        arms=(Arm("aldoxorubicin", aldoxorubicin_regimen(dose_mg_m2, n_cycles)),
              Arm("doxorubicin", doxorubicin_regimen(COMPARATOR_MG_M2, n_cycles))),
        times=sensitivity_times(n_cycles),
        observables=("tumor_doxorubicin", "heart_doxorubicin", "plasma_conjugate"),
        headlines=headlines(dose_mg_m2),
    )  # fmt: skip


#: Sensitivity cases by scenario name (read by ``mechsim sensitivity``).
SENSITIVITY: dict[str, Callable[[], SensitivityCase]] = {
    f"aldoxorubicin-{d}": partial(sensitivity_case, float(d)) for d in (230, 350, 450)
}
