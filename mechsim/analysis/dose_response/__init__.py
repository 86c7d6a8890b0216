"""Dose-response analysis of grid results: curve summaries -> Hill fits -> figures -> report.

Data flow: a grid dataset (:func:`mechsim.grid.open_grid`, dims such as dose, pH, sample
and ``time``) -> :func:`summarize_curves` (per-curve AUC, Cmax, tmax, time above a
threshold, surviving fraction; reduces ``time``) -> :func:`fit_hill_curves` (EC50/IC50 and
slope with confidence intervals along ``dose``) -> :func:`plot_heatmap`,
:func:`plot_dose_response`; :func:`summarize_store` writes all of them for a grid store.

These moved here from :mod:`mechsim.grid`, which keeps running grids and storing them
(#21 item 6); :mod:`mechsim.grid` still re-exports the same names for existing code. The
curve summaries work on labelled xarray curves; :func:`mechsim.analysis.auc` is the
plain-array AUC of one time course.
"""

from mechsim.analysis.dose_response._hill import HillFit, fit_hill, fit_hill_curves, hill
from mechsim.analysis.dose_response._plots import plot_dose_response, plot_heatmap
from mechsim.analysis.dose_response._report import STAGES, default_response, summarize_store
from mechsim.analysis.dose_response._summaries import (
    auc,
    cmax,
    summarize_curves,
    surviving_fraction,
    time_above,
    tmax,
    value_at,
)

__all__ = [
    "STAGES",
    "HillFit",
    "auc",
    "cmax",
    "default_response",
    "fit_hill",
    "fit_hill_curves",
    "hill",
    "plot_dose_response",
    "plot_heatmap",
    "summarize_curves",
    "summarize_store",
    "surviving_fraction",
    "time_above",
    "tmax",
    "value_at",
]
