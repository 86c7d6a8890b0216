"""Analysis of results: PK summaries, solver-accurate peaks, sensitivity and figures."""

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

__all__ = [
    "SUMMARY_COLUMNS",
    "Arm",
    "Headline",
    "SensitivityCase",
    "SensitivityResult",
    "auc",
    "dose_output_times",
    "first_dose_interval_end",
    "one_at_a_time",
    "peak_table",
    "plot_species",
    "refine_maxima",
    "save_figure",
    "simulation_evaluator",
    "summarize_timecourse",
    "terminal_half_life",
    "tornado_figure",
    "write_sensitivity",
]
