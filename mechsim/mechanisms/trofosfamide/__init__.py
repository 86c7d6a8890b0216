"""Trofosfamide: oral prodrug -> ifosfamide/cyclophosphamide -> mustards -> tumour DNA damage.

Public surface: :func:`build_network` (the whole-body mechanism), the in-vitro
calibration networks, :func:`damage_formula` (ICLs per tumour cell, for the apoptosis
module), :func:`build_trofosfamide_apoptosis` (the mechanism driving the shared apoptosis
module, registered as ``trofosfamide-apoptosis``), the scenario registry entries
``SCENARIOS`` and ``MODELS``, and the calibration against the kinetics.md targets as
:mod:`mechsim.fit` problems (:func:`calibration_problem`, :class:`TargetModel`,
``STAGES``).
"""

from mechsim.mechanisms.trofosfamide._apoptosis import (
    COUPLED_MODEL,
    build_trofosfamide_apoptosis,
    coupling_formula,
)
from mechsim.mechanisms.trofosfamide._calibration import (
    STAGES,
    TargetModel,
    calibration_problem,
)
from mechsim.mechanisms.trofosfamide._dna import damage_formula
from mechsim.mechanisms.trofosfamide._network import (
    build_blood_network,
    build_network,
    build_vitro_network,
    phosphorus_formula,
)
from mechsim.mechanisms.trofosfamide._scenarios import MODELS, SCENARIOS

__all__ = [
    "COUPLED_MODEL",
    "MODELS",
    "SCENARIOS",
    "STAGES",
    "TargetModel",
    "build_blood_network",
    "build_network",
    "build_trofosfamide_apoptosis",
    "build_vitro_network",
    "calibration_problem",
    "coupling_formula",
    "damage_formula",
    "phosphorus_formula",
]
