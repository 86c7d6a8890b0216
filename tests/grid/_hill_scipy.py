"""The Hill fit as it was before the batched fit: one :func:`scipy.optimize.curve_fit` per curve.

Kept only as the reference the batched Levenberg-Marquardt fit (``mechsim.analysis.dose_response._hill_batch``)
is tested against; not part of the package.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import optimize, stats

from mechsim.analysis.dose_response import HillFit, hill

_FAILED = HillFit(np.nan, (np.nan, np.nan), np.nan, (np.nan, np.nan), np.nan, np.nan, False)


def fit_hill_scipy(
    dose: np.ndarray,
    response: np.ndarray,
    *,
    bottom: float | None = None,
    top: float | None = None,
    level: float = 0.95,
) -> HillFit:
    """Fit a Hill curve to one dose-response curve.

    Parameters
    ----------
    dose, response:
        1-D arrays (dose > 0 in any unit; NaN pairs are dropped).
    bottom, top:
        Fix the zero-dose / saturating response (e.g. 1 and 0 for a surviving fraction);
        None fits them.
    level:
        Confidence level of the intervals.
    """
    d, y = np.asarray(dose, float), np.asarray(response, float)
    keep = np.isfinite(d) & np.isfinite(y) & (d > 0)
    d, y = d[keep], y[keep]
    free = [name for name, v in (("bottom", bottom), ("top", top)) if v is None]
    k = len(free) + 2
    if d.size < k + 1:
        return _failed(f"need at least {k + 1} finite points for {k} parameters, got {d.size}")
    b0 = y[np.argmin(d)] if bottom is None else bottom
    t0 = y[np.argmax(d)] if top is None else top
    if np.isclose(b0, t0, rtol=1e-9, atol=1e-14 * max(1.0, abs(b0))):
        return _failed("flat response: no dose dependence to fit")
    order = np.argsort(d)
    frac = (y[order] - b0) / (t0 - b0)
    above = np.flatnonzero(frac >= 0.5)
    guess_ec50 = d[order][above[0]] if above.size else np.sqrt(d.min() * d.max())

    def model(x: np.ndarray, *theta: float) -> np.ndarray:
        vals = dict(zip(free, theta[: len(free)], strict=True))
        return hill(x, vals.get("bottom", bottom), vals.get("top", top), 10 ** theta[-2], theta[-1])

    p0 = [*(b0 if n == "bottom" else t0 for n in free), np.log10(guess_ec50), 1.0]
    lo = [-np.inf] * len(free) + [np.log10(d.min()) - 3, 0.05]
    hi = [np.inf] * len(free) + [np.log10(d.max()) + 3, 20.0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optimize.OptimizeWarning)
            theta, cov = optimize.curve_fit(model, d, y, p0=p0, bounds=(lo, hi), maxfev=20_000)
    except (RuntimeError, ValueError) as exc:
        return _failed(f"curve_fit failed: {exc}")
    se = np.sqrt(np.diag(cov)) if np.all(np.isfinite(cov)) else np.full(len(theta), np.inf)
    q = stats.t.ppf(0.5 + level / 2, max(d.size - k, 1))
    vals = dict(zip(free, theta[: len(free)], strict=True))
    lg, n = theta[-2], theta[-1]
    ok = bool(np.all(np.isfinite(se)))
    return HillFit(
        ec50=float(10**lg), ec50_ci=(float(10 ** (lg - q * se[-2])), float(10 ** (lg + q * se[-2]))),
        slope=float(n), slope_ci=(float(n - q * se[-1]), float(n + q * se[-1])),
        bottom=float(vals.get("bottom", bottom)), top=float(vals.get("top", top)), ok=ok,
        message="" if ok else "covariance not estimable (parameters unidentifiable from these doses)",
    )


def _failed(message: str) -> HillFit:
    return HillFit(**{**_FAILED.__dict__, "message": message})
