"""Aldoxorubicin (albumin-binding doxorubicin prodrug) and free doxorubicin.

Networks: :func:`build_aldoxorubicin` (conjugation to albumin Cys34, albumin-bound PK,
EPR, endosomal trafficking, pH-dependent hydrazone release, free doxorubicin PK, heart,
tumour-cell DNA intercalation, topo II DSBs, and the shared apoptosis module) and
:func:`build_doxorubicin` (the comparator without the conjugate), and
:func:`build_release_vial` (the in-vitro hydrazone release experiment with the same law). ``SCENARIOS`` and
``MODELS`` are read by :mod:`mechsim.scenarios`; ``SENSITIVITY`` (headline outputs and
claims by scenario) by ``mechsim sensitivity``.
"""

from collections.abc import Callable

from mechsim.mechanisms.aldoxorubicin._albumin import hydrazone_rate, release_half_life
from mechsim.mechanisms.aldoxorubicin._headlines import (
    SENSITIVITY,
    conjugate_half_life,
    sensitivity_case,
)
from mechsim.mechanisms.aldoxorubicin._network import (
    DAMAGE_FORMULA,
    build_aldoxorubicin,
    build_doxorubicin,
)
from mechsim.mechanisms.aldoxorubicin._release import build_release_vial
from mechsim.mechanisms.aldoxorubicin._scenarios import (
    SCENARIOS,
    aldoxorubicin_regimen,
    doxorubicin_regimen,
)
from mechsim.network import Network

__all__ = [
    "DAMAGE_FORMULA",
    "MODELS",
    "SCENARIOS",
    "SENSITIVITY",
    "aldoxorubicin_regimen",
    "build_aldoxorubicin",
    "build_doxorubicin",
    "build_release_vial",
    "conjugate_half_life",
    "doxorubicin_regimen",
    "hydrazone_rate",
    "release_half_life",
    "sensitivity_case",
]

MODELS: dict[str, Callable[[], Network]] = {
    "aldoxorubicin": build_aldoxorubicin,
    "doxorubicin": build_doxorubicin,
}
