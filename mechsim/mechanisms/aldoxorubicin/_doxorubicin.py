"""Free doxorubicin: three-compartment PK, doxorubicinol, heart and tumour exchange.

Kontny et al. 2013 (JCO): CL 53.3 L/h, Vc 17.7 L, Q2 58.7 L/h to Vp 1830 L, Q3 21.8 L/h
to Vp2 71.6 L. Kontny's central compartment is ``plasma`` (the albumin space, also the
conjugate's) plus ``central_tissue`` in fast exchange. A fraction 0.22 of the clearance
forms doxorubicinol by carbonyl reduction (CBR1/AKR, NADPH; Perez-Blanco 2016). Unbound
doxorubicin (25 %, label) in the heart and tumour interstitium equilibrates with plasma
by flow-limited exchange: ``Q (c_plasma - c_tissue,unbound / fu)``.
"""

from __future__ import annotations

from mechsim.network import Expression, MassAction, Reaction, Species, Transport

__all__ = ["doxorubicin_parts"]

_DOX_COMPARTMENTS = ("plasma", "central_tissue", "peripheral", "peripheral2", "heart", "tumor")


def doxorubicin_parts() -> dict:
    """Species and reactions of free doxorubicin PK (amounts in umol, conc. in uM)."""
    species = [
        Species("doxorubicin", c, 0.0, "uM", molecule="doxorubicin",
                description="unbound doxorubicin" if c in ("heart", "tumor") else "doxorubicin")
        for c in _DOX_COMPARTMENTS
    ]
    species.append(Species("doxorubicinol", "plasma", 0.0, "uM", molecule="doxorubicinol"))
    reactions = (
        Reaction("central_mixing", {"doxorubicin@plasma": 1}, {"doxorubicin@central_tissue": 1},
                 Transport("CL_mix", reversible=True), "plasma"),
        Reaction("distribution_peripheral", {"doxorubicin@plasma": 1},
                 {"doxorubicin@peripheral": 1}, Transport("Q_peripheral", reversible=True),
                 "plasma"),
        Reaction("distribution_peripheral2", {"doxorubicin@plasma": 1},
                 {"doxorubicin@peripheral2": 1}, Transport("Q_peripheral2", reversible=True),
                 "plasma"),
        Reaction("carbonyl_reduction", {"doxorubicin": 1}, {"doxorubicinol": 1},
                 Expression("f_doxorubicinol * CL_dox * {doxorubicin}"), "plasma",
                 enzyme="CBR1", description="doxorubicin + NADPH + H+ -> doxorubicinol + NADP+"),
        Reaction("doxorubicin_elimination", {"doxorubicin": 1}, {},
                 Expression("(1 - f_doxorubicinol) * CL_dox * {doxorubicin}"), "plasma"),
        Reaction("doxorubicinol_elimination", {"doxorubicinol": 1}, {},
                 MassAction("k_doxorubicinol_elim"), "plasma"),
        Reaction("heart_exchange", {"doxorubicin@plasma": 1}, {"doxorubicin@heart": 1},
                 Expression("Q_heart * ({doxorubicin@plasma} - {doxorubicin@heart} / fu_dox)"), "plasma"),
        Reaction("tumor_exchange", {"doxorubicin@plasma": 1}, {"doxorubicin@tumor": 1},
                 Expression("Q_tumor * ({doxorubicin@plasma} - {doxorubicin@tumor} / fu_dox)"), "plasma"),
    )
    return {"species": tuple(species), "reactions": reactions}
