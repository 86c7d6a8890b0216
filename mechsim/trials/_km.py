"""Kaplan-Meier estimate with Greenwood variance, survival rates and the median with its interval.

The product-limit estimate itself comes from :func:`scipy.stats.ecdf` on
:class:`scipy.stats.CensoredData` (Kaplan & Meier 1958, J Am Stat Assoc 53:457). scipy does
not expose the Greenwood variance or a median interval, so this module adds:

* the risk table (number at risk, events) and Greenwood's variance
  ``Var S(t) = S(t)^2 sum_{t_i <= t} d_i / (n_i (n_i - d_i))`` (Greenwood 1926, Rep Public
  Health Med Subj 33; Klein & Moeschberger 2003, "Survival Analysis", 2nd ed., section 4.2);
* pointwise intervals, ``"linear"`` (``S +- z se``, clipped to [0, 1]) or ``"log-log"``
  (exponential Greenwood; S. Sawyer, "The Greenwood and exponential Greenwood confidence
  intervals in survival analysis", the reference of scipy), the same formulas as
  scipy's ``EmpiricalDistributionFunction.confidence_interval`` (checked in the tests),
  computed here from the variance because scipy's method warns and returns NaN where ``S`` is
  0 or 1: there the band is set to the point estimate;
* the median, the smallest time with ``S(t) <= 0.5``, and its interval by Brookmeyer &
  Crowley (1982, Biometrics 38:29): the times whose pointwise interval contains 0.5; the lower
  limit is the first time the lower band falls to <= 0.5, the upper limit the first time the
  upper band does (``inf``: not reached; R ``survival::survfit`` uses the same rule). With
  ``"linear"`` bands this is Brookmeyer and Crowley's original test inversion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special, stats

from mechsim.errors import InputError

__all__ = ["Estimate", "KaplanMeier", "KaplanMeierOptions", "kaplan_meier"]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its two-sided interval (``low``, ``high``) at ``confidence``."""

    value: float
    low: float
    high: float
    confidence: float


@dataclass(frozen=True)
class KaplanMeierOptions:
    """Options of :func:`kaplan_meier`.

    Attributes:
        confidence: two-sided confidence level of the pointwise and median intervals.
        method: ``"linear"`` (plain Greenwood, Brookmeyer & Crowley 1982) or ``"log-log"``
            (exponential Greenwood; better coverage in small samples and in the tails).
    """

    confidence: float = 0.95
    method: Literal["linear", "log-log"] = "linear"

    def __post_init__(self) -> None:
        if not (0.0 < self.confidence < 1.0):
            raise InputError(f"KaplanMeierOptions.confidence must be in (0, 1), got "
                             f"{self.confidence!r} — pass e.g. 0.95")
        if self.method not in ("linear", "log-log"):
            raise InputError(f"KaplanMeierOptions.method must be 'linear' or 'log-log', got "
                             f"{self.method!r} — pick one of the two")


@dataclass(frozen=True, eq=False)  # array fields: compare fields explicitly
class KaplanMeier:
    """A Kaplan-Meier survival curve (a right-continuous step function of time).

    Attributes:
        time: distinct observed times (events and censorings), ascending, in the unit of the
            input (months for PFS).
        survival: ``S(t)`` just after each time.
        n_at_risk: number at risk just before each time.
        n_events: number of events at each time.
        n_censored: number censored at each time.
        variance: Greenwood variance of ``S(t)`` (NaN where undefined: after ``S`` reaches 0).
        low, high: pointwise ``confidence`` band of ``S(t)`` by ``method``.
        options: the options used.
    """

    time: np.ndarray
    survival: np.ndarray
    n_at_risk: np.ndarray
    n_events: np.ndarray
    n_censored: np.ndarray
    variance: np.ndarray
    low: np.ndarray
    high: np.ndarray
    options: KaplanMeierOptions

    def _step(self, values: np.ndarray, t: np.ndarray, before: float) -> np.ndarray:
        idx = np.searchsorted(self.time, t, side="right") - 1
        return np.where(idx >= 0, values[np.maximum(idx, 0)], before)

    def survival_at(self, t: float | np.ndarray) -> np.ndarray:
        """``S(t)`` at the given time(s) (input unit); 1 before the first time.

        Beyond the last observed time ``S`` stays at its last value (undefined if the last
        time is a censoring; the caller decides whether to extrapolate).
        """
        return self._step(self.survival, np.asarray(t, dtype=np.float64), 1.0)

    def rate_at(self, t: float) -> Estimate:
        """``S(t)`` with its pointwise interval: e.g. the 6-month PFS rate at ``t = 6`` months.

        Returns NaN bounds where the Greenwood variance is undefined.
        """
        tt = np.asarray(float(t))
        return Estimate(value=float(self._step(self.survival, tt, 1.0)),
                        low=float(self._step(self.low, tt, 1.0)),
                        high=float(self._step(self.high, tt, 1.0)),
                        confidence=self.options.confidence)

    @staticmethod
    def _first_at_or_below(time: np.ndarray, curve: np.ndarray, level: float) -> float:
        hit = np.flatnonzero(curve <= level)
        return float(time[hit[0]]) if hit.size else math.inf

    def median(self) -> Estimate:
        """Median survival time with its Brookmeyer-Crowley interval (input unit).

        ``value`` is the smallest time with ``S(t) <= 0.5``; ``inf`` where the curve never
        reaches 0.5 ("not reached"), likewise for an interval limit. (Where ``S`` equals 0.5
        exactly over an interval, R's ``survfit`` reports the midpoint to the next event time;
        this returns the start of the interval.)
        """
        return Estimate(value=self._first_at_or_below(self.time, self.survival, 0.5),
                        low=self._first_at_or_below(self.time, self.low, 0.5),
                        high=self._first_at_or_below(self.time, self.high, 0.5),
                        confidence=self.options.confidence)


def kaplan_meier(
    time: np.ndarray,
    event: np.ndarray,
    *,
    options: KaplanMeierOptions | None = None,
) -> KaplanMeier:
    """Kaplan-Meier estimate of the survival function from right-censored data.

    Args:
        time: time to event or censoring per subject (any unit, e.g. months), finite, >= 0.
        event: True where the event was observed, False where censored; same shape.
        options: confidence level and band method (default :class:`KaplanMeierOptions()`).

    Returns:
        :class:`KaplanMeier`.

    Raises:
        InputError: empty input, mismatched shapes, NaN or negative times, non-boolean events.
    """
    opt = options if options is not None else KaplanMeierOptions()
    t = np.asarray(time, dtype=np.float64)
    e = np.asarray(event)
    if t.ndim != 1 or t.size == 0:
        raise InputError(f"time must be a non-empty 1-D array, got shape {t.shape} — pass one "
                         f"time per subject")
    if e.shape != t.shape:
        raise InputError(f"event must have the shape of time {t.shape}, got {e.shape} — pass one "
                         f"event flag per subject")
    if e.dtype != bool:
        if not np.isin(e, (0, 1)).all():
            raise InputError("event must be boolean (True = event, False = censored), got values "
                             f"{np.unique(e)[:5].tolist()} — pass a boolean array")
        e = e.astype(bool)
    if not np.isfinite(t).all():
        raise InputError(f"time must be finite, got {t[~np.isfinite(t)][:3].tolist()} — censor "
                         f"subjects without event at their last follow-up time")
    if (t < 0).any():
        raise InputError(f"time must be >= 0, got {t[t < 0][:3].tolist()} — measure times from "
                         f"the start of treatment")

    uniq, inverse = np.unique(t, return_inverse=True)
    n_events = np.bincount(inverse, weights=e.astype(np.float64), minlength=uniq.size)
    n_events = n_events.astype(np.int64)
    n_total = np.bincount(inverse, minlength=uniq.size).astype(np.int64)
    n_at_risk = t.size - np.concatenate(([0], np.cumsum(n_total)[:-1]))

    if e.any():
        sample = stats.CensoredData.right_censored(t, ~e)
        sf = stats.ecdf(sample).sf
        surv = np.asarray(sf.evaluate(uniq), dtype=np.float64)
    else:  # scipy needs at least one event; the estimate is then 1 throughout
        surv = np.ones(uniq.size)

    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(n_events > 0, n_events / (n_at_risk * (n_at_risk - n_events)), 0.0)
        cum = np.cumsum(terms)
        variance = surv**2 * cum
        variance = np.where(surv > 0, variance, np.nan)
        z = float(special.ndtri(0.5 + opt.confidence / 2.0))
        if opt.method == "linear":
            se = np.sqrt(variance)
            low, high = surv - z * se, surv + z * se
        else:
            se_loglog = np.sqrt(cum) / np.abs(np.log(surv))
            centre = np.log(-np.log(surv))
            low = np.exp(-np.exp(centre + z * se_loglog))
            high = np.exp(-np.exp(centre - z * se_loglog))
            # S = 1 (no event yet): the band degenerates to the point
            low = np.where(surv == 1.0, 1.0, low)
            high = np.where(surv == 1.0, 1.0, high)
    # after S reaches 0 (last subject had the event) the band is the point 0
    low = np.where(surv == 0.0, 0.0, np.clip(low, 0.0, 1.0))
    high = np.where(surv == 0.0, 0.0, np.clip(high, 0.0, 1.0))
    return KaplanMeier(time=uniq, survival=surv, n_at_risk=n_at_risk, n_events=n_events,
                       n_censored=n_total - n_events, variance=variance, low=low, high=high,
                       options=opt)
