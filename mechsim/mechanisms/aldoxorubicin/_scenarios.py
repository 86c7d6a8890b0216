"""Scenarios of the sarcoma trials in the aldoxorubicin seed (kinetics.md section 5)."""

from __future__ import annotations

from functools import partial

import numpy as np

from mechsim.dosing import Dose, Regimen
from mechsim.mechanisms.aldoxorubicin._parameters import MW_ALDOXORUBICIN, MW_DOXORUBICIN
from mechsim.scenarios import Scenario

__all__ = ["CYCLE_H", "INFUSION_H", "SCENARIOS", "aldoxorubicin_regimen", "doxorubicin_regimen"]

#: 21-day cycle (h) and number of cycles simulated (2 cycles = 42 days).
CYCLE_H = 21 * 24.0
N_CYCLES = 2
#: Infusion duration (h): 30 min for both drugs (assumed; the seeds give no duration).
INFUSION_H = 0.5
TIMES = np.linspace(0.0, N_CYCLES * CYCLE_H, int(N_CYCLES * CYCLE_H) + 1)
_SOURCE_ALDOX = ("Phase Ib/II dose escalation, 230/350/450 mg/m2 IV day 1 of 21-day cycles "
                 "(aldoxorubicin seed; kinetics.md section 5)")
_SOURCE_DOX = ("Phase IIb comparator arm, doxorubicin 75 mg/m2 IV every 3 weeks (aldoxorubicin "
               "seed; kinetics.md section 5)")


def aldoxorubicin_regimen(mg_m2: float, n_cycles: int = N_CYCLES) -> Regimen:
    """``mg_m2`` aldoxorubicin IV over 30 min on day 1 of each 21-day cycle."""
    dose = Dose("aldoxorubicin", "plasma", mg_m2, "mg/m**2", duration=INFUSION_H,
                molar_mass=MW_ALDOXORUBICIN)
    return Regimen.repeated(dose, CYCLE_H, n_cycles, name=f"aldoxorubicin-{mg_m2:g}")


def doxorubicin_regimen(mg_m2: float, n_cycles: int = N_CYCLES) -> Regimen:
    """``mg_m2`` doxorubicin IV over 30 min every 3 weeks."""
    dose = Dose("doxorubicin", "plasma", mg_m2, "mg/m**2", duration=INFUSION_H,
                molar_mass=MW_DOXORUBICIN)
    return Regimen.repeated(dose, CYCLE_H, n_cycles, name=f"doxorubicin-{mg_m2:g}")


_PLASMA = ("aldoxorubicin-albumin", "doxorubicin", "doxorubicinol")
_TUMOR = ("aldoxorubicin-albumin", "doxorubicin")

_ALDOX_SCENARIOS = tuple(
    Scenario(
        name=f"aldoxorubicin-{dose}",
        description=f"aldoxorubicin {dose} mg/m2 IV day 1 q21d x2, tumour apoptosis and heart",
        model="aldoxorubicin",
        regimen=partial(aldoxorubicin_regimen, float(dose)),
        times=TIMES,
        plasma_species=_PLASMA,
        tumor_species=_TUMOR,
        source=_SOURCE_ALDOX,
    )
    for dose in (230, 350, 450)
)

SCENARIOS: tuple[Scenario, ...] = (
    *_ALDOX_SCENARIOS,
    Scenario(
        name="doxorubicin-75",
        description="doxorubicin 75 mg/m2 IV q3w x2 (comparator), tumour apoptosis and heart",
        model="doxorubicin",
        regimen=partial(doxorubicin_regimen, 75.0),
        times=TIMES,
        plasma_species=("doxorubicin", "doxorubicinol"),
        tumor_species=("doxorubicin",),
        source=_SOURCE_DOX,
    ),
)
