"""Aldoxorubicin: albumin coupling, albumin-bound PK, EPR, endosomal trafficking, release.

Aldoxorubicin's maleimide adds to the Cys34 thiol of circulating albumin within minutes
(Kratz 2002; Mita 2015); the thiol is the library's ``cysteine-model`` (Ac-Cys-NHMe) and
the conjugate ``aldoxorubicin-albumin`` is modelled chemically by the library's
``aldoxorubicin-cysteine-adduct``. The conjugate is cleared with albumin-like PK (Mita
2015), extravasates into the tumour by EPR, is endocytosed and carried from the early
endosome (pH ~6.5) through the late endosome to the lysosome (pH ~4.75). In every
compartment its acid-labile EMCH hydrazone hydrolyses with the two-regime law of Cordes &
Jencks 1962, ``k(pH) = k_hyd0 + k_hyd_H [H+] / (1 + [H+]/Ka)`` with ``Ka = 10^-pKa_hyd``
(:class:`~mechsim.network.PHDependent` with ``pKa_H``), releasing doxorubicin and leaving
the linker on albumin (``albumin-emch``, chemically the library's
``emch-cysteine-adduct``).

Elimination of the conjugate from plasma (L/h): hydrazone hydrolysis at plasma pH, EPR
into the tumour, albumin catabolism (``k_albumin_turnover``) and the other,
non-hydrolytic routes lumped in ``CL_conjugate_other`` (derived so that the total is
Mita 2015's clearance; see ``_parameters.albumin_rows``). A fraction ``f_other_release``
of the last returns free doxorubicin to plasma.
"""

from __future__ import annotations

import numpy as np

from mechsim.network import Expression, MassAction, PHDependent, Reaction, Species, Transport

__all__ = ["ACIDIC", "albumin_parts", "hydrazone_rate", "release_half_life"]

#: Compartments the conjugate passes through, in trafficking order.
ACIDIC = ("early_endosome", "late_endosome", "lysosome")
_CONJ = "aldoxorubicin-albumin"
_LINKER = "albumin-emch"


def hydrazone_rate(ph, k_hyd0: float, k_hyd_H: float, pKa_hyd: float):
    """First-order hydrazone hydrolysis rate constant (1/h) at ``ph``.

    Closed form of the network's law (Cordes & Jencks 1962 two-regime form):
    ``k = k_hyd0 + k_hyd_H [H+] / (1 + [H+]/Ka)``, [H+] = 10^-pH M, Ka = 10^-pKa_hyd M;
    ``k_hyd0`` in 1/h, ``k_hyd_H`` in 1/M/h. Below pH ~ pKa_hyd the acid term levels off
    at ``k_hyd_H * Ka``.
    """
    h = 10.0 ** (-np.asarray(ph, dtype=np.float64))
    return k_hyd0 + k_hyd_H * h / (1.0 + h * 10.0**pKa_hyd)


def release_half_life(ph, k_hyd0: float, k_hyd_H: float, pKa_hyd: float):
    """Hydrazone release half-life (h) at ``ph``: ln2 / :func:`hydrazone_rate`."""
    return np.log(2.0) / hydrazone_rate(ph, k_hyd0, k_hyd_H, pKa_hyd)


def albumin_parts(albumin_thiol_um: float = 601.0) -> dict:
    """Species and reactions of the albumin-conjugate part (amounts in umol, conc. in uM)."""
    species = [
        Species("aldoxorubicin", "plasma", 0.0, "uM", molecule="aldoxorubicin",
                description="unbound aldoxorubicin during and just after the infusion"),
        Species("cysteine-model", "plasma", albumin_thiol_um, "uM", molecule="cysteine-model",
                description="albumin Cys34 thiol (Ac-Cys-NHMe model in the library)"),
    ]
    for comp in ("plasma", "tumor", *ACIDIC):
        species.append(Species(_CONJ, comp, 0.0, "uM", description=(
            "aldoxorubicin-albumin conjugate (thiosuccinimide at Cys34), modelled by the "
            "library's aldoxorubicin-cysteine-adduct")))
        species.append(Species(_LINKER, comp, 0.0, "uM", description=(
            "linker-albumin left after hydrazone hydrolysis, modelled by the library's "
            "emch-cysteine-adduct")))
    reactions = [
        Reaction("maleimide_cys34_addition", {"aldoxorubicin": 1, "cysteine-model": 1},
                 {_CONJ: 1}, MassAction("k_conjugation"), "plasma",
                 description="Michael addition of the maleimide to albumin Cys34 (Kratz 2002)"),
        Reaction("albumin_synthesis", {}, {"cysteine-model": 1},
                 Expression("k_albumin_turnover * albumin_thiol_0"), "plasma"),
        Reaction("albumin_catabolism", {"cysteine-model": 1}, {},
                 MassAction("k_albumin_turnover"), "plasma"),
        Reaction("conjugate_albumin_catabolism", {_CONJ: 1}, {},
                 MassAction("k_albumin_turnover"), "plasma",
                 description="catabolism of the conjugate's albumin (t1/2 19 d)"),
        Reaction("conjugate_clearance", {_CONJ: 1}, {},
                 Expression("(1 - f_other_release) * CL_conjugate_other * "
                            "{aldoxorubicin-albumin}"), "plasma",
                 description="other non-hydrolytic routes, drug leaving with the conjugate"),
        Reaction("conjugate_other_release", {_CONJ: 1}, {"doxorubicin": 1, _LINKER: 1},
                 Expression("f_other_release * CL_conjugate_other * "
                            "{aldoxorubicin-albumin}"), "plasma",
                 description="other routes returning free doxorubicin to plasma"),
        Reaction("linker_albumin_catabolism", {_LINKER: 1}, {},
                 MassAction("k_albumin_turnover"), "plasma"),
        Reaction("linker_clearance", {_LINKER: 1}, {},
                 Expression("CL_conjugate_other * {albumin-emch}"), "plasma"),
    ]
    for sp in (_CONJ, _LINKER):
        tag = "conjugate" if sp == _CONJ else "linker"
        reactions += [
            Reaction(f"{tag}_epr", {f"{sp}@plasma": 1}, {f"{sp}@tumor": 1},
                     Transport("CL_epr"), "plasma", description="EPR extravasation"),
            Reaction(f"{tag}_lymph", {f"{sp}@tumor": 1}, {f"{sp}@plasma": 1},
                     Transport("CL_lymph"), "tumor"),
            Reaction(f"{tag}_endocytosis", {f"{sp}@tumor": 1}, {f"{sp}@early_endosome": 1},
                     Transport("k_endocytosis"), "tumor"),
            Reaction(f"{tag}_endosome_maturation", {f"{sp}@early_endosome": 1},
                     {f"{sp}@late_endosome": 1}, Transport("k_early_to_late"), "early_endosome"),
            Reaction(f"{tag}_lysosome_fusion", {f"{sp}@late_endosome": 1},
                     {f"{sp}@lysosome": 1}, Transport("k_late_to_lysosome"), "late_endosome"),
        ]
    reactions.append(Reaction("linker_proteolysis", {_LINKER: 1}, {},
                              MassAction("k_lysosomal_proteolysis"), "lysosome"))
    for comp in ("plasma", "tumor", *ACIDIC):
        reactions.append(Reaction(
            f"hydrazone_hydrolysis_{comp}", {_CONJ: 1}, {"doxorubicin": 1, _LINKER: 1},
            PHDependent("k_hyd0", kH="k_hyd_H", pKa_H="pKa_hyd"), comp,
            description="acid-catalysed EMCH hydrazone hydrolysis releasing doxorubicin",
        ))
    for comp in ACIDIC:
        reactions.append(Reaction(
            f"doxorubicin_escape_{comp}", {f"doxorubicin@{comp}": 1},
            {"doxorubicin@tumor_cell": 1}, Transport("k_vesicle_escape"), comp,
        ))
    return {"species": tuple(species), "reactions": tuple(reactions)}
