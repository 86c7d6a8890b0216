"""Analysis of results: PK summaries and figures."""

from mechsim.analysis._figures import plot_species, save_figure
from mechsim.analysis._pk import auc, summarize_timecourse, terminal_half_life

__all__ = ["auc", "plot_species", "save_figure", "summarize_timecourse", "terminal_half_life"]
