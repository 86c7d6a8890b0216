"""Per-curve summaries of grid time courses (every function reduces over ``time``).

Units follow the output: AUC in ``unit * h``, Cmax in ``unit``, tmax and time above a
threshold in h; a surviving fraction is dimensionless. NaN time courses (failed points)
give NaN summaries; they stay flagged by the grid's ``status``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["auc", "cmax", "summarize_curves", "surviving_fraction", "time_above", "tmax", "value_at"]


def _time_axis(da: Any) -> int:
    if "time" not in da.dims:
        raise ValueError(f"summary needs a 'time' dimension, got dims {da.dims}")
    return da.dims.index("time")


def auc(da: Any) -> Any:
    """Area under the curve over the output times by the trapezoid rule (unit * h)."""
    out = da.integrate("time")
    out.attrs["units"] = f"{da.attrs.get('units', '')}*h"
    return out


def cmax(da: Any) -> Any:
    """Maximum over time (the output's unit), e.g. peak cross-links."""
    out = da.max("time", skipna=False)
    out.attrs["units"] = da.attrs.get("units", "")
    return out


def tmax(da: Any) -> Any:
    """Time (h) of the maximum; NaN where the curve has NaN."""
    t = da["time"].values
    vals = np.moveaxis(da.values, _time_axis(da), -1)
    bad = np.isnan(vals).any(axis=-1)
    arg = np.argmax(np.where(np.isnan(vals), -np.inf, vals), axis=-1)
    res = np.where(bad, np.nan, t[arg])
    return _like(da, res, "h")


def time_above(da: Any, threshold: float) -> Any:
    """Time (h) the curve spends above ``threshold``, with linear interpolation between outputs."""
    t = da["time"].values
    d = np.moveaxis(da.values, _time_axis(da), -1) - threshold
    a, b = d[..., :-1], d[..., 1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where((a > 0) & (b > 0), 1.0,
                        np.where((a <= 0) & (b <= 0), 0.0, np.maximum(a, b) / np.abs(a - b)))
    frac = np.where(np.isnan(a) | np.isnan(b), np.nan, frac)
    return _like(da, np.sum(frac * np.diff(t), axis=-1), "h")


def value_at(da: Any, t: float) -> Any:
    """The curve at time ``t`` (h), linearly interpolated between outputs."""
    times = da["time"].values
    if not times[0] <= t <= times[-1]:
        raise ValueError(f"value_at: t={t} h is outside the output times [{times[0]}, {times[-1]}] h")
    out = da.interp(time=t).drop_vars("time")
    out.attrs["units"] = da.attrs.get("units", "")
    return out


def surviving_fraction(da: Any, t: float | None = None) -> Any:
    """Value at ``t`` (default: the last output time) relative to the value at the first time."""
    at = float(da["time"].values[-1]) if t is None else t
    out = value_at(da, at) / da.isel(time=0, drop=True)
    out.attrs["units"] = "dimensionless"
    return out


def _like(da: Any, values: np.ndarray, units: str) -> Any:
    import xarray as xr

    dims = [d for d in da.dims if d != "time"]
    coords = {k: v for k, v in da.coords.items() if "time" not in v.dims}
    return xr.DataArray(values, dims=dims, coords=coords, attrs={"units": units})


def summarize_curves(
    ds: Any,
    *,
    outputs: tuple[str, ...] | None = None,
    thresholds: Mapping[str, float] | None = None,
    survival: str | None = None,
    at: float | None = None,
) -> Any:
    """Summaries of every curve of a grid dataset (from :func:`mechsim.grid.open_grid`).

    Parameters
    ----------
    outputs:
        Outputs to summarise (default: every variable with a ``time`` dimension).
    thresholds:
        ``{output: threshold}`` (output unit): adds ``<output>_time_above`` (h).
    survival:
        Output holding a surviving fraction / viable population: adds
        ``surviving_fraction`` at time ``at`` (h, default the last output time).

    Returns
    -------
    xarray.Dataset
        ``<output>_auc``, ``_cmax``, ``_tmax`` per output (and the optional extras), with
        the grid's dims (no ``time``) and ``status`` carried over.
    """
    import xarray as xr

    names = outputs or tuple(str(k) for k, v in ds.data_vars.items() if "time" in v.dims)
    out: dict[str, Any] = {}
    for name in names:
        da = ds[name]
        out[f"{name}_auc"] = auc(da)
        out[f"{name}_cmax"] = cmax(da)
        out[f"{name}_tmax"] = tmax(da)
    for name, thr in (thresholds or {}).items():
        out[f"{name}_time_above"] = time_above(ds[name], thr)
        out[f"{name}_time_above"].attrs["threshold"] = thr
    if survival is not None:
        out["surviving_fraction"] = surviving_fraction(ds[survival], at)
    res = xr.Dataset(out)
    if "status" in ds:
        res["status"] = ds["status"]
    res.attrs.update({k: v for k, v in ds.attrs.items() if k in ("grid", "model", "mechsim_version")})
    return res
