"""Curated BioModels (apoptosis, p53) against libRoadRunner reference time courses.

Each model is simulated as its settings file says and must match the reference within
the stated tolerances (relative 1e-4, absolute 1e-6 of the largest reference value).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mechsim.sbml import run_case

MODELS = [
    "BIOMD0000000102",  # Legewie 2006, caspase-3/9, 13 species
    "BIOMD0000000159",  # Geva-Zatorsky 2006, p53/Mdm2 oscillator
    "BIOMD0000000188",  # Proctor & Gray 2008, p53/Mdm2 with ATM (events)
    "BIOMD0000000220",  # Albeck 2008, extrinsic apoptosis, 58 species
    "BIOMD0000000256",  # Rehm 2006, caspase activation after MOMP (rules, event)
]


@pytest.mark.slow
@pytest.mark.parametrize("model", MODELS)
def test_biomodel_matches_reference(biomodels_dir: Path, model: str) -> None:
    result = run_case(biomodels_dir / model)
    assert result.status == "pass", f"{model}: {result.status}: {result.message}"
    assert result.worst <= 1.0
