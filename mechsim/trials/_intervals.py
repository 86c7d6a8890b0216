"""Response-rate endpoints with binomial intervals, and the agreement rules of issue #18.

Rates (ORR, DCR, CR, PR, SD, PD) use every patient as denominator (intention to treat: a
not-evaluable patient is a non-responder), as RECIST 1.1 and the seeds' trials
report them. Intervals are Clopper-Pearson ("exact", Clopper & Pearson 1934, Biometrika 26:404)
by default, or Wilson score (Wilson 1927, J Am Stat Assoc 22:209), both from scipy:
``scipy.stats.binomtest(count, n).proportion_ci(method=...)``.

Agreement (issue #18, item 5): a simulated rate agrees with a reported one when it lies in the
reported arm's 95 % binomial interval (from the reported count and n) widened by 0.05 on both
sides; a simulated median agrees when it lies within a factor 1.5 of the reported median. Both
bounds are inclusive.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from mechsim.errors import InputError
from mechsim.trials._recist import Response

__all__ = [
    "Agreement",
    "Rate",
    "binomial_interval",
    "median_agreement",
    "rate_agreement",
    "response_rates",
]

BinomialMethod = Literal["exact", "wilson"]

#: Endpoint name -> best responses it counts.
_RATE_CATEGORIES: dict[str, tuple[Response, ...]] = {
    "orr": (Response.CR, Response.PR),
    "dcr": (Response.CR, Response.PR, Response.SD),
    "cr": (Response.CR,),
    "pr": (Response.PR,),
    "sd": (Response.SD,),
    "pd": (Response.PD,),
    "ne": (Response.NE,),
}


@dataclass(frozen=True)
class Rate:
    """A proportion ``count / n`` with its binomial interval [``low``, ``high``]."""

    count: int
    n: int
    value: float
    low: float
    high: float
    confidence: float
    method: str


@dataclass(frozen=True)
class Agreement:
    """Outcome of an agreement check: ``agrees`` iff ``low <= simulated <= high``."""

    simulated: float
    reported: float
    low: float
    high: float
    agrees: bool


def _check_count(count: object, n: object) -> tuple[int, int]:
    for arg, v in (("count", count), ("n", n)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise InputError(f"{arg} must be an integer, got {v!r} — pass a number of patients "
                             f"(round a reported percentage times n)")
    k, m = int(count), int(n)  # type: ignore[call-overload]
    if m < 1:
        raise InputError(f"n must be >= 1, got {m} — pass the number of patients in the arm")
    if not 0 <= k <= m:
        raise InputError(f"count must be in [0, n={m}], got {k} — pass the number of patients "
                         f"with the outcome")
    return k, m


def binomial_interval(
    count: int, n: int, *, confidence: float = 0.95, method: BinomialMethod = "exact"
) -> Rate:
    """Binomial proportion ``count / n`` with its two-sided interval.

    Args:
        count: number of patients with the outcome, ``0 <= count <= n``.
        n: number of patients, >= 1.
        confidence: two-sided confidence level.
        method: ``"exact"`` (Clopper-Pearson) or ``"wilson"`` (score interval).

    Returns:
        :class:`Rate` (fractions in [0, 1]).
    """
    k, m = _check_count(count, n)
    if not 0.0 < confidence < 1.0:
        raise InputError(f"confidence must be in (0, 1), got {confidence!r} — pass e.g. 0.95")
    if method not in ("exact", "wilson"):
        raise InputError(f"method must be 'exact' or 'wilson', got {method!r} — pick one")
    ci = stats.binomtest(k, m).proportion_ci(confidence_level=confidence, method=method)
    return Rate(count=k, n=m, value=k / m, low=float(ci.low), high=float(ci.high),
                confidence=confidence, method=method)


def response_rates(
    best: np.ndarray, *, confidence: float = 0.95, method: BinomialMethod = "exact"
) -> dict[str, Rate]:
    """ORR, DCR and the CR/PR/SD/PD/NE fractions of a batch of best responses.

    Args:
        best: best overall responses (:class:`Response` codes), shape ``(n_patients,)``.
        confidence, method: as in :func:`binomial_interval`.

    Returns:
        ``{"orr", "dcr", "cr", "pr", "sd", "pd", "ne"}`` -> :class:`Rate`; ORR = CR + PR,
        DCR = CR + PR + SD, denominator all patients.
    """
    b = np.asarray(best)
    if b.ndim != 1 or b.size == 0:
        raise InputError(f"best must be a non-empty 1-D array of Response codes, got shape "
                         f"{b.shape} — pass RecistResult.best")
    valid = np.isin(b, [int(r) for r in Response])
    if not valid.all():
        raise InputError(f"best holds values that are not Response codes: "
                         f"{np.unique(b[~valid])[:5].tolist()} — pass RecistResult.best")
    return {name: binomial_interval(int(np.isin(b, [int(c) for c in cats]).sum()), b.size,
                                    confidence=confidence, method=method)
            for name, cats in _RATE_CATEGORIES.items()}


def rate_agreement(
    simulated: float,
    reported_count: int,
    reported_n: int,
    *,
    widen: float = 0.05,
    confidence: float = 0.95,
    method: BinomialMethod = "exact",
) -> Agreement:
    """Does a simulated rate agree with a reported one (issue #18)?

    Agrees when ``simulated`` lies in the reported arm's binomial interval (``reported_count``
    of ``reported_n``, at ``confidence`` by ``method``) widened by ``widen`` on each side
    (bounds inclusive; the widened interval is not clipped to [0, 1], which changes nothing
    for a rate).

    Args:
        simulated: simulated rate, a fraction in [0, 1].
        reported_count, reported_n: the reported arm's count and number of patients.
        widen: absolute widening of each bound (fraction; issue #18: 0.05).
    """
    if isinstance(simulated, bool) or not (
            isinstance(simulated, numbers.Real) and 0.0 <= simulated <= 1.0):
        raise InputError(f"simulated must be a rate in [0, 1], got {simulated!r} — pass a "
                         f"fraction, not a percentage")
    if not (math.isfinite(widen) and widen >= 0):
        raise InputError(f"widen must be finite and >= 0, got {widen!r} — pass e.g. 0.05")
    rate = binomial_interval(reported_count, reported_n, confidence=confidence, method=method)
    low, high = rate.low - widen, rate.high + widen
    s = float(simulated)
    return Agreement(simulated=s, reported=rate.value, low=low, high=high,
                     agrees=bool(low <= s <= high))


def median_agreement(simulated: float, reported: float, *, factor: float = 1.5) -> Agreement:
    """Does a simulated median (e.g. PFS, months) agree with a reported one (issue #18)?

    Agrees when ``reported / factor <= simulated <= reported * factor`` (inclusive). A
    simulated median that was not reached (``inf``) does not agree with a finite report.

    Args:
        simulated: simulated median, >= 0 (``inf``: not reached).
        reported: reported median, finite and > 0 (same unit).
        factor: multiplicative tolerance, > 1 (issue #18: 1.5).
    """
    if not (math.isfinite(reported) and reported > 0):
        raise InputError(f"reported must be a finite median > 0, got {reported!r} — an arm "
                         f"whose median was not reached cannot be checked by this rule")
    if math.isnan(simulated) or simulated < 0:
        raise InputError(f"simulated must be a median >= 0 (inf if not reached), got "
                         f"{simulated!r} — pass KaplanMeier.median().value")
    if not (math.isfinite(factor) and factor > 1.0):
        raise InputError(f"factor must be finite and > 1, got {factor!r} — pass e.g. 1.5")
    low, high = reported / factor, reported * factor
    return Agreement(simulated=float(simulated), reported=float(reported), low=low, high=high,
                     agrees=bool(low <= simulated <= high))
