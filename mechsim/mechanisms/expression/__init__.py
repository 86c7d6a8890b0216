"""Oxidative stress (GSH, ROS, KEAP1-NRF2) and gene-expression read-outs (issue #23).

Composed onto copies of the calibrated mechanisms (the registered networks are
unchanged): :func:`build_cp_pbmc_network` (trofosfamide/cyclophosphamide whole body),
:func:`build_mdck_network` (ifosfamide on MDCK-like cells in vitro) and
:func:`build_doxorubicin_oxidative` (doxorubicin redox cycling). The scenarios
``cyclophosphamide-elserafi`` and ``ifosfamide-mdck`` (:data:`EXPRESSION_SCENARIOS`) give
log2 fold-change tables with the seed's directions (:func:`expression_table`).
"""

from mechsim.mechanisms.expression._networks import (
    build_cp_pbmc_network,
    build_doxorubicin_oxidative,
    build_mdck_network,
    compose,
)
from mechsim.mechanisms.expression._oxidative import oxidative_parts, oxidative_rows
from mechsim.mechanisms.expression._pbmc import MARKERS, pbmc_log2fc, population_fractions
from mechsim.mechanisms.expression._scenarios import (
    COLUMNS,
    EXPRESSION_SCENARIOS,
    ExpressionScenario,
    expression_table,
    get_expression_scenario,
    simulate_expression,
)
from mechsim.mechanisms.expression._transcription import GENES, Gene, transcription_parts

__all__ = [
    "COLUMNS",
    "EXPRESSION_SCENARIOS",
    "GENES",
    "MARKERS",
    "ExpressionScenario",
    "Gene",
    "build_cp_pbmc_network",
    "build_doxorubicin_oxidative",
    "build_mdck_network",
    "compose",
    "expression_table",
    "get_expression_scenario",
    "oxidative_parts",
    "oxidative_rows",
    "pbmc_log2fc",
    "population_fractions",
    "simulate_expression",
    "transcription_parts",
]
