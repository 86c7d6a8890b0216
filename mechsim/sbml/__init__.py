"""SBML interoperability: import (L2V4-L3V2), simulation with events, export, Test Suite.

* :func:`import_sbml` maps an SBML model onto a :class:`~mechsim.network.Network`
  (``check_units=False``) and keeps the SBML-id mapping (:class:`SbmlImport`);
  hierarchical (comp) models are flattened by libSBML's CompFlatteningConverter first,
  and ``rateOf`` is replaced by the right-hand side it names.
* :func:`simulate_sbml` simulates an import with SBML event semantics (delays included).
* :func:`export_sbml` writes any network as SBML L3V2 (units, annotations, dosing
  events); :func:`scenario_to_sbml` exports a named scenario with its regimen.
* :func:`run_cases` judges SBML Test Suite cases (each in a worker process killed at a
  per-case time limit); :func:`sbml_info` summarises a file.
"""

from mechsim.sbml._driver import SbmlTimeCourse, simulate_sbml
from mechsim.sbml._export import export_sbml, network_to_sbml, scenario_to_sbml
from mechsim.sbml._import import SbmlImport, SbmlQuantity, import_sbml
from mechsim.sbml._info import SbmlInfo, sbml_info
from mechsim.sbml._settings import CaseSettings, read_results, read_settings, write_results
from mechsim.sbml._testsuite import (
    CaseResult,
    report_markdown,
    run_case,
    run_cases,
    simulate_case,
    summarize,
)

__all__ = [
    "CaseResult",
    "CaseSettings",
    "SbmlImport",
    "SbmlInfo",
    "SbmlQuantity",
    "SbmlTimeCourse",
    "export_sbml",
    "import_sbml",
    "network_to_sbml",
    "read_results",
    "read_settings",
    "report_markdown",
    "run_case",
    "run_cases",
    "sbml_info",
    "scenario_to_sbml",
    "simulate_case",
    "simulate_sbml",
    "summarize",
    "write_results",
]
