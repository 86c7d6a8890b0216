"""Reports: parameter tables with provenance and the ``mechsim demo`` report."""

from mechsim.report._demo import comparison_table, write_demo
from mechsim.report._params import parameter_table

__all__ = ["comparison_table", "parameter_table", "write_demo"]
