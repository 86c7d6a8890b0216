"""Registered trofosfamide scenarios (regimens from kinetics.md section 5 and the seeds)."""

from __future__ import annotations

import numpy as np

from mechsim.dosing import Dose, Patient, Regimen
from mechsim.mechanisms.trofosfamide._hong2019 import hong_times
from mechsim.scenarios import Scenario

__all__ = ["MODELS", "MW_TROFOSFAMIDE", "SCENARIOS", "oral_dose"]

#: g/mol, average molecular weight of C9H18Cl3N2O2P (structures.csv row TRO; the
#: molecule library recomputes the same value from the SMILES).
MW_TROFOSFAMIDE = 323.59

PLASMA = (
    "trofosfamide", "ifosfamide", "cyclophosphamide", "4-hydroxytrofosfamide",
    "4-hydroxyifosfamide", "4-hydroxycyclophosphamide", "trofosfamide-mustard",
    "isophosphoramide-mustard", "phosphoramide-mustard", "2-dechloroethylifosfamide", "3-dechloroethylifosfamide",
    "acrolein", "chloroacetaldehyde",
)
TUMOR = (
    "trofosfamide-mustard", "isophosphoramide-mustard", "phosphoramide-mustard",
    "trofosfamide-mustard-aziridinium", "isophosphoramide-mustard-aziridine",
    "phosphoramide-mustard-aziridinium", "glutathione", "trofosfamide-mustard-guanine-n7",
    "isophosphoramide-mustard-guanine-n7", "phosphoramide-mustard-guanine-n7",
    "trofosfamide-mustard-guanine-crosslink", "isophosphoramide-mustard-guanine-crosslink",
    "phosphoramide-mustard-guanine-crosslink",
)


def oral_dose(amount: float, unit: str = "mg", time: float = 0.0) -> Dose:
    """An oral trofosfamide dose into ``gut`` (complete absorption; first pass is hepatic)."""
    return Dose("trofosfamide", "gut", amount, unit, time=time, molar_mass=MW_TROFOSFAMIDE)


def _preiss() -> Regimen:
    return Regimen.single(oral_dose(600.0, "mg/m**2"), name="600 mg/m2 single oral dose")


def _jost() -> Regimen:
    return Regimen.piecewise([(oral_dose(300.0), 24.0, 7), (oral_dose(150.0), 24.0, 21)],
                             name="300 mg/day x 7 d, then 150 mg/day to day 28")


def _wist() -> Regimen:
    return Regimen.repeated(oral_dose(50.0), interval=8.0, n=42, name="50 mg tid x 14 d")


def _build():
    from mechsim.mechanisms.trofosfamide._network import build_network

    return build_network()


def _build_coupled():
    from mechsim.mechanisms.trofosfamide._apoptosis import build_trofosfamide_apoptosis

    return build_trofosfamide_apoptosis()


#: The scenarios run on ``trofosfamide``; ``trofosfamide-apoptosis`` adds the shared
#: apoptosis module (run a scenario on it with ``run_scenario(name, model=...)``).
def _build_hct116():
    from mechsim.mechanisms.trofosfamide._hong2019 import build_hct116_apoptosis

    return build_hct116_apoptosis()


def _hong() -> Regimen:
    from mechsim.mechanisms.trofosfamide._hong2019 import HONG_IPM_UM, hong_regimen

    return hong_regimen(HONG_IPM_UM)


MODELS = {"trofosfamide": _build, "trofosfamide-apoptosis": _build_coupled,
          "ipm-hct116": _build_hct116}

SCENARIOS = (
    Scenario(
        "trofosfamide-preiss2004", "600 mg/m2 single oral trofosfamide dose, 24 h (PK study)",
        "trofosfamide", _preiss, np.round(np.arange(0.0, 24.0 + 1e-9, 0.1), 10), Patient(),
        PLASMA, TUMOR, "Preiss et al. 2004, PMID 15138712 (kinetics.md sections 1 and 5)",
        rtol=1e-7, atol=1e-13,
    ),
    Scenario(
        "trofosfamide-jost2014", "300 mg/day oral for 7 days, then 150 mg/day, 28 days",
        "trofosfamide", _jost, np.arange(0.0, 28 * 24.0 + 1e-9, 0.5), Patient(),
        PLASMA, TUMOR, "Jost et al. 2014, pretreated metastatic STS (seeds/trofosfamide-clinical-trials.txt)",
        rtol=1e-7, atol=1e-13,
    ),
    Scenario(
        "trofosfamide-wist1991", "50 mg oral three times daily for 14 days",
        "trofosfamide", _wist, np.arange(0.0, 14 * 24.0 + 1e-9, 0.25), Patient(),
        PLASMA, TUMOR, "Wist & Risberg 1991, NHL (seeds/trofosfamide-clinical-trials.txt)",
        rtol=1e-7, atol=1e-13,
    ),
    Scenario(
        "ipm-hong2019-hct116", "HCT116 cells in medium with IPM at the 10 %-survival exposure, 72 h",
        "ipm-hct116", _hong,
        hong_times(),
        Patient(), (), (), "Hong, Wilson & Hicks 2019, Neoplasia 21:159 (kinetics.md section 2)", rtol=1e-7, atol=1e-15,
    ),
)
