"""Hill / Emax fits of dose-response curves: EC50 (IC50), slope and confidence intervals.

Model: ``y = bottom + (top - bottom) * d**n / (EC50**n + d**n)`` with ``bottom`` the
response at zero dose and ``top`` at saturating dose (``top < bottom`` for an inhibitory
curve, whose EC50 is then the IC50). Fitted by nonlinear least squares in ``log10 EC50``
(bounded within 3 decades of the doses, ``0.05 <= n <= 20``), all curves of a grid at once
(:func:`mechsim.analysis.dose_response._hill_batch.fit_hill_batch`: a shared global start grid, then batched
Levenberg-Marquardt); Wald confidence intervals from the covariance computed as
:func:`scipy.optimize.curve_fit` does, with Student-t quantiles (residual degrees of
freedom), so the EC50 interval is asymmetric (exact in log10). Units: EC50 in the dose
axis' unit, slope dimensionless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mechsim.analysis.dose_response._hill_batch import fit_hill_batch

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
    d, y = np.asarray(dose, float).ravel(), np.asarray(response, float).ravel()
    keep = np.isfinite(d) & (d > 0)
    fit = fit_hill_batch(d[keep], y[keep][None, :], bottom=bottom, top=top, level=level)
    return HillFit(
        ec50=float(fit.ec50[0]), ec50_ci=(float(fit.ec50_ci[0, 0]), float(fit.ec50_ci[0, 1])),
        slope=float(fit.slope[0]), slope_ci=(float(fit.slope_ci[0, 0]), float(fit.slope_ci[0, 1])),
        bottom=float(fit.bottom[0]), top=float(fit.top[0]), ok=bool(fit.ok[0]), message=fit.message[0],
    )


def fit_hill_curves(
    da: Any,
    dim: str = "dose",
    *,
    bottom: float | None = None,
    top: float | None = None,
    level: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """:func:`fit_hill` along ``dim`` for every curve of ``da`` (an xarray DataArray), batched.

    Returns an :class:`xarray.Dataset` over the other dims with ``ec50``, ``ec50_lo``,
    ``ec50_hi``, ``slope``, ``slope_lo``, ``slope_hi``, ``bottom``, ``top``, ``fit_ok``
    (bool; failed fits are NaN and listed in ``attrs['failed']``) and ``ec50_in_range``
    (bool: the EC50 lies within the tested doses; outside, e.g. for a response still linear
    in dose, it is an extrapolation of the fitted curve, not a measured midpoint).
    ``progress(done, total)`` (curves) is called as blocks of curves finish.
    """
    import xarray as xr

    moved = da.transpose(..., dim)
    other = [d for d in moved.dims if d != dim]
    shape = tuple(moved.sizes[d] for d in other)
    dose = np.asarray(moved[dim].values, float)
    flat = np.asarray(moved.values, float).reshape(-1, dose.size)
    fit = fit_hill_batch(dose, flat, bottom=bottom, top=top, level=level, progress=progress)
    res = {"ec50": fit.ec50, "ec50_lo": fit.ec50_ci[:, 0], "ec50_hi": fit.ec50_ci[:, 1],
           "slope": fit.slope, "slope_lo": fit.slope_ci[:, 0], "slope_hi": fit.slope_ci[:, 1],
           "bottom": fit.bottom, "top": fit.top}
    ok = fit.ok
    failed = [f"{np.unravel_index(i, shape) if shape else ()}: {fit.message[i]}" for i in np.flatnonzero(~ok)]
    coords = {k: v for k, v in moved.coords.items() if dim not in v.dims}
    data = {f: (other, v.reshape(shape)) for f, v in res.items()}
    data["fit_ok"] = (other, ok.reshape(shape))
    with np.errstate(invalid="ignore"):
        in_range = ok & (fit.ec50 >= np.nanmin(dose)) & (fit.ec50 <= np.nanmax(dose))
    data["ec50_in_range"] = (other, in_range.reshape(shape))
    out = xr.Dataset(data, coords=coords, attrs={"failed": failed, "dose_dim": dim})
    for f in ("ec50", "ec50_lo", "ec50_hi"):
        out[f].attrs["units"] = da[dim].attrs.get("units", "dose unit")
    return out
