"""Analysis of results: PK summaries, solver-accurate peaks, sensitivity and figures.

Dose-response analysis of grids (curve summaries, Hill fits, heatmaps, the store summary)
is :mod:`mechsim.analysis.dose_response`; its main entry points are exported here too.
"""

from mechsim.analysis._figures import plot_species, save_figure
from mechsim.analysis._peaks import (
    dose_output_times,
    first_dose_interval_end,
    peak_table,
    refine_maxima,
    simulation_evaluator,
)
from mechsim.analysis._pk import SUMMARY_COLUMNS, auc, summarize_timecourse, terminal_half_life
from mechsim.analysis._sensitivity import (
    Arm,
    Headline,
    SensitivityCase,
    SensitivityResult,
    one_at_a_time,
    tornado_figure,
    write_sensitivity,
)
from mechsim.analysis.dose_response import (
    HillFit,
    fit_hill,
    fit_hill_curves,
    plot_dose_response,
    plot_heatmap,
    summarize_curves,
    summarize_store,
)

__all__ = [
    "SUMMARY_COLUMNS",
    "Arm",
    "Headline",
    "HillFit",
    "SensitivityCase",
    "SensitivityResult",
    "auc",
    "dose_output_times",
    "first_dose_interval_end",
    "fit_hill",
    "fit_hill_curves",
    "one_at_a_time",
    "peak_table",
    "plot_dose_response",
    "plot_heatmap",
    "plot_species",
    "refine_maxima",
    "save_figure",
    "simulation_evaluator",
    "summarize_curves",
    "summarize_store",
    "summarize_timecourse",
    "terminal_half_life",
    "tornado_figure",
    "write_sensitivity",
]
