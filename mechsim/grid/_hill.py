"""Hill / Emax fits of dose-response curves: EC50 (IC50), slope and confidence intervals.

Model: ``y = bottom + (top - bottom) * d**n / (EC50**n + d**n)`` with ``bottom`` the
response at zero dose and ``top`` at saturating dose (``top < bottom`` for an inhibitory
curve, whose EC50 is then the IC50). Fitted by nonlinear least squares
(:func:`scipy.optimize.curve_fit`) in ``log10 EC50``; Wald confidence intervals from the
covariance with Student-t quantiles (residual degrees of freedom), so the EC50 interval
is asymmetric (exact in log10). Units: EC50 in the dose axis' unit, slope dimensionless.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, stats

__all__ = ["HillFit", "fit_hill", "fit_hill_curves", "hill"]


def hill(dose: np.ndarray, bottom: float, top: float, ec50: float, n: float) -> np.ndarray:
    """The Hill/Emax curve at ``dose`` (same unit as ``ec50``)."""
    d = np.asarray(dose, dtype=float)
    return bottom + (top - bottom) / (1.0 + (ec50 / np.maximum(d, 1e-300)) ** n)


@dataclass(frozen=True)
class HillFit:
    """One curve's fit. CIs are ``(low, high)``; ``ok`` False (with ``message``) if it failed."""

    ec50: float
    ec50_ci: tuple[float, float]
    slope: float
    slope_ci: tuple[float, float]
    bottom: float
    top: float
    ok: bool
    message: str = ""


_FAILED = HillFit(np.nan, (np.nan, np.nan), np.nan, (np.nan, np.nan), np.nan, np.nan, False)


def fit_hill(
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


def fit_hill_curves(da: Any, dim: str = "dose", **kwargs: Any) -> Any:
    """:func:`fit_hill` along ``dim`` for every curve of ``da`` (an xarray DataArray).

    Returns an :class:`xarray.Dataset` over the other dims with ``ec50``, ``ec50_lo``,
    ``ec50_hi``, ``slope``, ``slope_lo``, ``slope_hi``, ``bottom``, ``top``, ``fit_ok``
    (bool; failed fits are NaN and listed in ``attrs['failed']``) and ``ec50_in_range``
    (bool: the EC50 lies within the tested doses; outside, e.g. for a response still linear
    in dose, it is an extrapolation of the fitted curve, not a measured midpoint).
    """
    import xarray as xr

    moved = da.transpose(..., dim)
    other = [d for d in moved.dims if d != dim]
    shape = tuple(moved.sizes[d] for d in other)
    dose = moved[dim].values
    flat = moved.values.reshape(-1, dose.size)
    fields = ("ec50", "ec50_lo", "ec50_hi", "slope", "slope_lo", "slope_hi", "bottom", "top")
    res = {f: np.full(flat.shape[0], np.nan) for f in fields}
    ok = np.zeros(flat.shape[0], bool)
    failed: list[str] = []
    for i, y in enumerate(flat):
        fit = fit_hill(dose, y, **kwargs)
        row = (fit.ec50, *fit.ec50_ci, fit.slope, *fit.slope_ci, fit.bottom, fit.top)
        for f, v in zip(fields, row, strict=True):
            res[f][i] = v
        ok[i] = fit.ok
        if not fit.ok:
            failed.append(f"{np.unravel_index(i, shape) if shape else ()}: {fit.message}")
    coords = {k: v for k, v in moved.coords.items() if dim not in v.dims}
    data = {f: (other, v.reshape(shape)) for f, v in res.items()}
    data["fit_ok"] = (other, ok.reshape(shape))
    ec50 = res["ec50"]
    in_range = ok & (ec50 >= np.nanmin(dose)) & (ec50 <= np.nanmax(dose))
    data["ec50_in_range"] = (other, in_range.reshape(shape))
    out = xr.Dataset(data, coords=coords, attrs={"failed": failed, "dose_dim": dim})
    for f in ("ec50", "ec50_lo", "ec50_hi"):
        out[f].attrs["units"] = da[dim].attrs.get("units", "dose unit")
    return out
