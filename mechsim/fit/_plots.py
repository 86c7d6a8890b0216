"""Figures: waterfall of the starts, fit versus data, likelihood profiles."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from mechsim.fit._problem import Problem
from mechsim.fit._profile import ProfileResult
from mechsim.fit._result import FitResult
from mechsim.solver import solver_jit

__all__ = ["plot_fit", "plot_profiles", "plot_waterfall"]


def plot_waterfall(result: FitResult, ax=None):
    """Final objective of every start, sorted, relative to the best (log axis)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(5, 3.5))[1]
    f = result.fvals
    rel = f - f[0] + 1e-6
    ok = np.isfinite(rel)
    ax.semilogy(np.nonzero(ok)[0] + 1, rel[ok], "o-", ms=3, lw=0.8)
    ax.axhline(result.tol_best + 1e-6, color="grey", ls="--", lw=0.8,
               label=f"best + {result.tol_best:g}")  # fmt: skip
    ax.set_xlabel("start (sorted)")
    ax.set_ylabel("objective - best + 1e-6")
    ax.set_title(f"{result.n_converged_to_best}/{result.n_starts} starts reach the best "
                 f"({result.fval_best:.4f})", fontsize=9)  # fmt: skip
    ax.legend(fontsize=8)
    return ax


def plot_fit(problem: Problem, x, ax=None):
    """Data (points, +-sigma where numeric) and predictions (lines) at the fitted ``x``.

    One colour per (condition, observable). Needs a problem with ``predict_fn`` and
    ``data`` (network problems).
    """
    import matplotlib.pyplot as plt

    if problem.predict_fn is None or problem.data is None:
        raise ValueError("plot_fit needs a problem with predictions and a data table")
    x = np.asarray(getattr(x, "x_best", x), dtype=np.float64)
    df = problem.data.copy()
    df["prediction"] = np.asarray(solver_jit(problem.predict_fn)(x))
    ax = ax or plt.subplots(figsize=(6, 4))[1]
    for i, ((cond, obs), g) in enumerate(df.groupby(["condition", "observable"], sort=False)):
        g = g.sort_values("time")
        colour = f"C{i % 10}"
        sig = np.asarray(pd_numeric(g["sigma"]))
        ax.errorbar(g["time"], g["value"], yerr=np.where(np.isfinite(sig), sig, 0), fmt="o",
                    ms=3, color=colour, label=f"{cond}: {obs}")  # fmt: skip
        ax.plot(g["time"], g["prediction"], "-", color=colour, lw=1)
    ax.set_xlabel("time (h)")
    ax.set_ylabel("observable (declared unit)")
    ax.legend(fontsize=7, ncol=2)
    return ax


def pd_numeric(series):
    """Numeric values of a sigma column (NaN where it names a noise parameter)."""
    import pandas as pd

    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def plot_profiles(profiles: Mapping[str, ProfileResult], truth: Mapping[str, float] | None = None):
    """One panel per parameter: profile rise vs value, threshold and interval."""
    import matplotlib.pyplot as plt

    n = len(profiles)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.8 * rows), squeeze=False)
    for ax, (name, pr) in zip(axes.ravel(), profiles.items(), strict=False):
        ax.plot(pr.values, pr.fvals - pr.f_hat, "o-", ms=3)
        ax.axhline(pr.threshold, color="grey", ls="--", lw=0.8)
        for c, closed in zip(pr.ci, pr.closed, strict=True):
            ax.axvline(c, color="C1" if closed else "C3", lw=0.8)
        if truth and name in truth:
            ax.axvline(truth[name], color="k", ls=":", lw=1)
        ax.set_xlabel(f"{name} ({pr.scale})")
        ax.set_ylabel("Δ objective")
        ax.set_ylim(-0.2, max(3 * pr.threshold, 1))
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig
