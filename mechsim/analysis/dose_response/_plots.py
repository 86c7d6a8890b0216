"""Figures of grid results: heatmaps (dose x pH, dose x parameter) and dose-response bands."""

from __future__ import annotations

from typing import Any

import numpy as np

from mechsim.analysis.dose_response._hill import hill

__all__ = ["plot_dose_response", "plot_heatmap"]


def _edges(c: np.ndarray, log: bool) -> np.ndarray:
    x = np.log10(c) if log else np.asarray(c, float)
    if x.size == 1:
        e = np.array([x[0] - 0.5, x[0] + 0.5])
    else:
        mid = 0.5 * (x[1:] + x[:-1])
        e = np.concatenate([[2 * x[0] - mid[0]], mid, [2 * x[-1] - mid[-1]]])
    return 10**e if log else e


def plot_heatmap(da: Any, x: str = "dose", y: str = "ph", *, ax: Any = None, log_x: bool = True,
                 log_y: bool = False, cmap: str = "viridis", title: str | None = None) -> Any:
    """Heatmap of a 2-D DataArray over ``x`` (default dose, log axis) and ``y`` (pH or a parameter).

    Reduce other dims first (``.sel``/``.median``). NaN cells (failed points) are drawn
    grey, never interpolated. Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    if set(da.dims) != {x, y}:
        raise ValueError(f"plot_heatmap needs a 2-D array over ({x!r}, {y!r}); got dims {da.dims}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4))
    z = da.transpose(y, x).values
    cmap_obj = plt.get_cmap(cmap).with_extremes(bad="0.7")
    mesh = ax.pcolormesh(_edges(da[x].values, log_x), _edges(da[y].values, log_y),
                         np.ma.masked_invalid(z), cmap=cmap_obj, shading="flat")
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(_label(da, x))
    ax.set_ylabel(_label(da, y))
    cb = ax.figure.colorbar(mesh, ax=ax)
    cb.set_label(f"{da.name or ''} [{da.attrs.get('units', '')}]")
    if title:
        ax.set_title(title)
    return ax


def plot_dose_response(da: Any, dim: str = "dose", *, band_dim: str | None = "sample",
                       hue: str | None = None, quantiles: tuple[float, float, float] = (0.05, 0.5, 0.95),
                       fits: Any = None, ax: Any = None, title: str | None = None) -> Any:
    """Dose-response curves: the median over ``band_dim`` with a quantile band.

    Parameters
    ----------
    da:
        A summary (no ``time`` dim) over ``dim``, ``band_dim`` (e.g. virtual patients or
        Latin-hypercube samples) and optionally ``hue`` (one curve per value).
    quantiles:
        (low, middle, high) quantiles over ``band_dim``: the band and the line.
    fits:
        Optional :func:`fit_hill_curves` result over ``hue`` (or scalar): the fitted
        curve is dashed and the EC50 with its CI is marked on the curve.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4))
    groups = [None] if hue is None else list(da[hue].values)
    dense = np.logspace(*np.log10(da[dim].values[[0, -1]]), 200)
    for g in groups:
        cur = da if g is None else da.sel({hue: g})
        label = None if g is None else f"{hue}={g:.3g}" if isinstance(g, float) else f"{hue}={g}"
        if band_dim and band_dim in cur.dims:
            lo, mid, hi = (cur.quantile(q, dim=band_dim, skipna=True).values for q in quantiles)
            line = ax.plot(cur[dim].values, mid, "o-", ms=3, label=label)[0]
            ax.fill_between(cur[dim].values, lo, hi, color=line.get_color(), alpha=0.25, lw=0)
        else:
            line = ax.plot(cur[dim].values, cur.values, "o-", ms=3, label=label)[0]
        if fits is not None:
            f = fits if g is None else fits.sel({hue: g})
            if bool(f["fit_ok"]):
                y = hill(dense, float(f.bottom), float(f.top), float(f.ec50), float(f.slope))
                ax.plot(dense, y, "--", color=line.get_color(), lw=1)
                ymid = 0.5 * (float(f.bottom) + float(f.top))
                ax.errorbar([float(f.ec50)], [ymid], color=line.get_color(), fmt="s", capsize=3,
                            xerr=[[float(f.ec50 - f.ec50_lo)], [float(f.ec50_hi - f.ec50)]])
    ax.set_xscale("log")
    ax.set_xlabel(_label(da, dim))
    ax.set_ylabel(f"{da.name or 'response'} [{da.attrs.get('units', '')}]")
    if hue is not None:
        ax.legend(fontsize=7)
    if band_dim:
        ax.text(0.01, 0.01, f"band: {quantiles[0]:.0%}-{quantiles[2]:.0%} over {band_dim}",
                transform=ax.transAxes, fontsize=7, va="bottom")
    if title:
        ax.set_title(title)
    return ax


def _label(da: Any, dim: str) -> str:
    units = da[dim].attrs.get("units")
    return f"{dim} [{units}]" if units else dim
