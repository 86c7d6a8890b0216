"""Tiny networks and grids for the grid tests (fast to compile, known solutions)."""

from __future__ import annotations

import numpy as np

from mechsim.dosing import Dose
from mechsim.grid import DoseAxis, GridSpec, LatinHypercube, PHAxis, RegimenSpec
from mechsim.network import (
    Compartment,
    MassAction,
    Network,
    Observable,
    Parameter,
    PHDependent,
    Provenance,
    Reaction,
    Species,
)

_A = Provenance("assumed", "test value")


def pk_ph() -> Network:
    """Bolus into ``c`` (1 L): A -(pH-gated k_act)-> B -(k_el)-> . ; linear, closed form.

    ``k_act(pH) = k_act / (1 + 10**(pKa - pH))``; A(t) = A0 exp(-k_act(pH) t).
    """
    return Network(
        "pk_ph",
        compartments=[Compartment("c", "V", ph="pH")],
        parameters=[
            Parameter("V", 1.0, "L", _A), Parameter("pH", 7.0, "dimensionless", _A, scale="lin"),
            Parameter("pKa", 7.0, "dimensionless", _A, scale="lin"),
            Parameter("k_act", 0.8, "1/h", _A), Parameter("k_el", 0.3, "1/h", _A),
        ],
        species=[Species("A", "c"), Species("B", "c")],
        reactions=[
            Reaction("act", {"A": 1}, {"B": 1}, PHDependent("k_act", pKa="pKa"), "c"),
            Reaction("el", {"B": 1}, {}, MassAction("k_el"), "c"),
        ],
        observables=[Observable("A_conc", "{A}", "uM", "c"), Observable("B_conc", "{B}", "uM", "c")],
    )


def small_spec(n_dose: int = 4, n_ph: int = 2, n_samples: int = 3, model: str = "pk_ph") -> GridSpec:
    """A 1 x n_dose x n_ph x n_samples grid on :func:`pk_ph` (doses in umol).

    ``model`` is what the spec names (a network file path for runs without a Network).
    """
    return GridSpec(
        model=model,
        regimens=(RegimenSpec("bolus", (Dose("A", "c", 10.0, "umol"),)),),
        dose=DoseAxis(1.0, 100.0, n_dose, "A"),
        times=tuple(np.linspace(0.0, 6.0, 7)),
        ph=PHAxis("c", tuple(np.linspace(6.5, 7.5, n_ph))),
        samples=LatinHypercube(n_samples, {"k_el": (0.1, 1.0)}, seed=1) if n_samples else None,
    )
