"""Doxorubicin in tumour cells: uptake, nuclear accumulation, intercalation, DSBs.

Passive exchange interstitium <-> cytoplasm <-> nucleus; in the nucleus doxorubicin
intercalates at DNA sites (K = 7.0e5 1/M, site size 3.1 bp; Chaires 1982, Barcelo 1988),
written as ``k_off (K c S - B)`` so that K stays the fitted quantity. Topoisomerase II
poisoning by nuclear doxorubicin makes DSBs at ``dsb_yield`` per uM per hour (NOT FOUND
in the literature: assumed, fittable); DSBs are repaired first-order. The DSB count per
cell (``dsb_per_cell``) drives the shared apoptosis module.
"""

from __future__ import annotations

from mechsim.mechanisms.aldoxorubicin._parameters import DNA_SITES_UM
from mechsim.network import Expression, RateRule, Reaction, Species, Transport

__all__ = ["cell_parts"]


def cell_parts(vesicles: bool = True) -> dict:
    """Species, reactions and the DSB rate rule of the tumour-cell layer.

    ``vesicles``: also declare doxorubicin in the endosomes and lysosome (where the
    conjugate releases it); not needed for free doxorubicin alone.
    """
    comps = ("tumor_cell", "tumor_nucleus")
    if vesicles:
        comps += ("early_endosome", "late_endosome", "lysosome")
    species = [Species("doxorubicin", c, 0.0, "uM", molecule="doxorubicin") for c in comps]
    species += [
        Species("dna-site", "tumor_nucleus", DNA_SITES_UM, "uM", description=(
            "free intercalation sites (6.4e9 bp / 3.1 bp per site per nucleus; see "
            "_parameters.DNA_SITES_UM)")),
        Species("doxorubicin-dna", "tumor_nucleus", 0.0, "uM",
                description="intercalated doxorubicin"),
    ]
    reactions = (
        Reaction("cell_uptake", {"doxorubicin@tumor": 1}, {"doxorubicin@tumor_cell": 1},
                 Transport("CL_cell_uptake", reversible=True), "tumor"),
        Reaction("nuclear_entry", {"doxorubicin@tumor_cell": 1},
                 {"doxorubicin@tumor_nucleus": 1}, Transport("CL_nuclear", reversible=True),
                 "tumor_cell"),
        Reaction("intercalation", {"doxorubicin": 1, "dna-site": 1}, {"doxorubicin-dna": 1},
                 Expression("k_off_dna * (K_dna * {doxorubicin} * {dna-site} - {doxorubicin-dna})"),
                 "tumor_nucleus"),
    )
    rate_rules = (
        RateRule("dsb_per_cell",
                 "dsb_yield * {doxorubicin@tumor_nucleus} - k_dsb_repair * dsb_per_cell",
                 0.0, "dimensionless",
                 description="topo II-mediated DNA double-strand breaks per tumour cell"),
    )
    return {"species": tuple(species), "reactions": reactions, "rate_rules": rate_rules}
