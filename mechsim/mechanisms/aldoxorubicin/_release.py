"""The hydrazone release experiment in a buffer vial, with the mechanism's own law.

In vitro, the albumin conjugate releases doxorubicin by the same acid-catalysed
hydrolysis as in the whole-body network (Cordes & Jencks 1962 two-regime law,
``k(pH) = k_hyd0 + k_hyd_H [H+] / (1 + [H+]/Ka)``, ``Ka = 10^-pKa_hyd``; parameters
``k_hyd0``, ``k_hyd_H`` and ``pKa_hyd`` from
:func:`~mechsim.mechanisms.aldoxorubicin._parameters.albumin_rows`, all assumed and
fittable). This small network is what release curves measured at
several pH values (the experiments that would pin the EMCH constants down) are fitted
with; the fitted values carry straight over to :func:`build_aldoxorubicin`.
"""

from __future__ import annotations

from dataclasses import replace

from mechsim.mechanisms.aldoxorubicin._parameters import albumin_rows, aldoxorubicin_parameters
from mechsim.network import (
    Compartment,
    Network,
    Observable,
    Parameter,
    PHDependent,
    Provenance,
    Reaction,
    Species,
)

__all__ = ["build_release_vial"]


def build_release_vial(conjugate_um: float = 1.0) -> Network:
    """Buffer vial (1 L, pH ``pH_vial``) holding ``conjugate_um`` uM of the conjugate.

    Species: ``aldoxorubicin-albumin`` -> ``doxorubicin`` + ``albumin-emch`` (uM).
    Observable ``released``: fraction of the conjugate released as doxorubicin
    (dimensionless). ``k_hyd0`` (1/h) and ``k_hyd_H`` (1/M/h) are the mechanism's
    values with bounds 1e-3x..1e3x (log10 scale) for fitting; ``pKa_hyd``
    (dimensionless) is the mechanism's, with its plausible range as bounds; ``pH_vial``
    is set per experiment (``params={"pH_vial": 5.0}``).
    """
    rows = aldoxorubicin_parameters(albumin_rows())
    law = [replace(p, bounds=(p.value * 1e-3, p.value * 1e3), scale="log10")
           for p in rows if p.name in ("k_hyd0", "k_hyd_H")]
    law += [p for p in rows if p.name == "pKa_hyd"]
    setup = Provenance("assumed", "in-vitro release experiment: 1 L buffer vial")
    params = [
        *law,
        Parameter("V_vial", 1.0, "L", setup, fixed=True),
        Parameter("pH_vial", 7.4, "dimensionless", setup, bounds=(0.0, 14.0), scale="lin",
                  fixed=True),
        Parameter("C0_conjugate", conjugate_um, "uM", setup, fixed=True),
    ]
    return Network(
        "aldoxorubicin-release-vial",
        compartments=[Compartment("vial", "V_vial", ph="pH_vial")],
        species=[Species("aldoxorubicin-albumin", "vial", conjugate_um),
                 Species("doxorubicin", "vial", 0.0), Species("albumin-emch", "vial", 0.0)],
        parameters=params,
        reactions=[Reaction("hydrazone_hydrolysis", {"aldoxorubicin-albumin": 1},
                            {"doxorubicin": 1, "albumin-emch": 1},
                            PHDependent("k_hyd0", kH="k_hyd_H", pKa_H="pKa_hyd"),
                            "vial")],
        observables=[Observable("released", "{doxorubicin} / C0_conjugate", "dimensionless",
                                "vial")],
    )  # fmt: skip
