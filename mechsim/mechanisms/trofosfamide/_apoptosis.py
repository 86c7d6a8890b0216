"""Trofosfamide interstrand cross-links driving the shared DNA-damage -> apoptosis module.

The apoptosis module (:mod:`mechsim.mechanisms.apoptosis`) reads DNA lesions per cell
on one scale for both drugs: ATM is activated at ``k_atm_act`` = 1e-4 1/s per lesion
(Proctor & Gray 2008). Doxorubicin feeds it its topoisomerase II double-strand breaks
per cell (``dsb_per_cell``). Trofosfamide's cytotoxic lesion is the interstrand
cross-link (ICL); an ICL turns into a DSB when a replication fork reaches it and the
cross-link is unhooked, so the coupling counts each ICL as ``dsb_per_icl``
DSB-equivalents::

    dna_lesions = dsb_per_icl * ICLs per tumour cell

The coupling is one-way: the trofosfamide part (PK, metabolism, chemistry, DNA) is the
registered ``trofosfamide`` network unchanged, so its cross-link curves are the same
with or without the apoptosis module.
"""

from __future__ import annotations

from mechsim.mechanisms.trofosfamide._dna import damage_formula
from mechsim.mechanisms.trofosfamide._provenance import assumed, param
from mechsim.network import Network, Parameter

__all__ = ["COUPLED_MODEL", "build_trofosfamide_apoptosis", "coupling_formula", "coupling_parameters"]

#: Registered name of the coupled network (see :func:`mechsim.scenarios.get_model`).
COUPLED_MODEL = "trofosfamide-apoptosis"


def coupling_parameters() -> list[Parameter]:
    """The scale between cross-links and the apoptosis module's lesion count."""
    return [
        param("dsb_per_icl", 1.0, "dimensionless", assumed(
            "one DSB-equivalent per interstrand cross-link, so that trofosfamide and doxorubicin "
            "feed the apoptosis module on one scale (lesions per cell, ATM activated at k_atm_act "
            "= 1e-4 1/s per lesion; doxorubicin feeds DSBs per cell one to one). Unhooking of an "
            "ICL at a replication fork makes a DSB (review: Rahn, Adair & Nairn 2010, Environ "
            "Mol Mutagen 51(6)); the lethality of an ICL relative to a DSB is NOT FOUND in "
            "kinetics.md. Plausibility check against Hong, Wilson & Hicks 2019 (10 % survival of "
            "HCT116 at an intracellular IPM AUC of 0.771 uM*h) in "
            "tests/trofosfamide/test_apoptosis_coupling.py; fittable"), (0.01, 10.0),
            description="DSB-equivalent lesions per ICL handed to ATM/ATR"),
    ]


def coupling_formula() -> str:
    """The ``dna_lesions`` formula: ``dsb_per_icl`` times ICLs per tumour cell (``1/cell``)."""
    return f"dsb_per_icl * ({damage_formula()})"


def build_trofosfamide_apoptosis() -> Network:
    """The trofosfamide mechanism with the shared apoptosis module in ``tumor_cell``.

    Species and units as :func:`~mechsim.mechanisms.trofosfamide.build_network` (uM in
    plasma and tumour, umol in gut and urine, h); the signalling species are nM in the
    added compartment ``tumor_cell``. The module's ``dna_damage`` observable is
    ``dsb_per_icl`` x ICLs per tumour cell (``1/cell``); ``surviving_fraction`` is the
    fraction of tumour cells not committed to apoptosis (dimensionless).
    """
    from mechsim.mechanisms.apoptosis import apoptosis_module
    from mechsim.mechanisms.trofosfamide._network import build_network

    return apoptosis_module(
        coupling_formula(), "tumor_cell", damage_unit="1/cell", upstream=build_network(),
        extra_parameters=coupling_parameters(), name=COUPLED_MODEL,
    )
