"""Link reactions to molecule-library transformations (``molecules/transformations.yaml``)."""

from __future__ import annotations

import re
from dataclasses import replace

from mechsim.network import Reaction

__all__ = ["annotate", "transformation_for"]

_PRODRUG = {"tro": "trofosfamide", "ifo": "ifosfamide", "cp": "cyclophosphamide"}
_ALDO = {"tro": "aldotrofosfamide", "ifo": "aldoifosfamide", "cp": "aldophosphamide"}
_MUSTARD = {"tm": "trofosfamide-mustard", "ipm": "isophosphoramide-mustard", "pm": "phosphoramide-mustard"}

_FIXED = {
    "tro_4_hydroxylation": "trofosfamide-4-hydroxylation",
    "ifo_4_hydroxylation": "ifosfamide-4-hydroxylation",
    "cp_4_hydroxylation": "cyclophosphamide-4-hydroxylation",
    "tro_n_dechloroethylation_to_ifo": "trofosfamide-to-ifosfamide",
    "tro_n_dechloroethylation_to_cp": "trofosfamide-to-cyclophosphamide",
    "ifo_n2_dechloroethylation": "ifosfamide-2-dechloroethylation",
    "ifo_n3_dechloroethylation": "ifosfamide-3-dechloroethylation",
    "cp_n_dechloroethylation": "cyclophosphamide-dechloroethylation",
}

#: (pattern on the reaction name, function of the match giving the transformation id)
_PATTERNS = (
    (r"(tro|ifo|cp)_ring_opening_\w+", lambda m: f"4-hydroxy{_PRODRUG[m[1]]}-ring-opening"),
    (r"(tro|ifo|cp)_beta_elimination_\w+", lambda m: f"{_ALDO[m[1]]}-beta-elimination"),
    (r"(tro|ifo|cp)_aldh_oxidation_\w+", lambda m: f"{_ALDO[m[1]]}-oxidation"),
    (r"(ifo|cp)_keto_formation_\w+", lambda m: f"4-hydroxy{_PRODRUG[m[1]]}-oxidation"),
    (r"(tm|ipm|pm)_cyclisation_\w+", lambda m: f"{_MUSTARD[m[1]]}-aziridinium-formation"),
    (r"ipm_aziridinium_deprotonation_\w+", lambda m: "isophosphoramide-mustard-aziridinium-deprotonation"),
    (r"(tm|ipm|pm)_aziridinium_hydrolysis_\w+", lambda m: f"{_MUSTARD[m[1]]}-aziridinium-hydrolysis"),
    (r"(tm|ipm|pm)_aziridinium_gsh_\w+", lambda m: f"{_MUSTARD[m[1]]}-aziridinium-glutathione"),
    (r"(tm|ipm|pm)_aziridinium_thiosulfate_\w+", lambda m: f"{_MUSTARD[m[1]]}-aziridinium-thiosulfate"),
    (r"(tm|ipm|pm)_aziridinium_guanine_\w+", lambda m: f"{_MUSTARD[m[1]]}-guanine-n7-alkylation"),
    (r"(tm|ipm|pm)_guanine_crosslink_\w+", lambda m: f"{_MUSTARD[m[1]]}-guanine-crosslink"),
    (r"(tm|ipm|pm)_guanine_arm2_hydrolysis_\w+", lambda m: f"{_MUSTARD[m[1]]}-guanine-n7-arm-hydrolysis"),
    (r"(tm|ipm|pm)_mono_depurination_\w+", lambda m: f"{_MUSTARD[m[1]]}-guanine-n7-depurination"),
    (r"acrolein_gsh_conjugation_\w+", lambda m: "acrolein-glutathione-conjugation"),
)


def transformation_for(reaction_name: str) -> str | None:
    """The library transformation id a reaction implements, or None (transport, lumped steps)."""
    if reaction_name in _FIXED:
        return _FIXED[reaction_name]
    for pattern, make in _PATTERNS:
        m = re.fullmatch(pattern, reaction_name)
        if m:
            return make(m)
    return None


def annotate(reactions: list[Reaction]) -> list[Reaction]:
    """Copies of ``reactions`` with ``transformation`` set where the library has one."""
    return [replace(r, transformation=transformation_for(r.name) or r.transformation) for r in reactions]
