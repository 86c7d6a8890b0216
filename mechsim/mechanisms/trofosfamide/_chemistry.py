"""Mustard chemistry: pKa-gated cyclisation, aziridinium fates and the second arm.

One builder serves plasma, tumour, the HCT116 cells of Hong 2019 and the in-vitro vial,
so the Shulman-Roskes 1998 calibration experiment runs through exactly the chemistry used
in vivo. Three mustards alkylate: trofosfamide mustard (TM, from aldotrofosfamide),
isophosphoramide mustard (IPM) and phosphoramide mustard (PM).

* ``M -> M-aziridinium`` is first order in the P-O(-) anion: ``PHDependent`` with the
  mustard's pKa (IPM 4.31, Millis 1995; PM 4.9, Gamcsik 1993; TM taken as PM). Outside
  cells (plasma, medium, buffer) the rate is the mustard's chemical one; inside cells
  (``cell=True``) IPM is lost at Hong, Wilson & Hicks 2019's fitted intracellular rate
  (0.015 1/s), far faster than in medium (6.67e-6 1/s); no intracellular value exists
  for PM or TM, which keep their chemical rates (assumed, stated in the parameters).
* TM cyclises through its N,N-bis(2-chloroethyl)amino group, the reactive group of PM,
  so its rates are PM's by stated analogy; its third (N'-chloroethyl) arm is not
  modelled.
* The IPM aziridinium's ring N has pKa 5.30 (Millis 1995): it is a rapid protonation
  equilibrium with the neutral aziridine, which dominates at pH 7.4 and is the form
  seen by NMR; only the aziridinium reacts.
* The aziridinium is attacked by water (``-hydroxy``), GSH, thiosulfate or guanine-N7,
  or its P-N bond cleaves (``-pn-cleavage-products``, Shulman-Roskes 1998).
* The second arm of a mono-alkylated product (water/GSH/thiosulfate) cyclises at the
  same gated rate; its aziridinium is taken in quasi-steady state, so it gives a
  bis-alkylated product with probability A / (A + k_PN), A the summed nucleophile
  rates, and P-N cleavage otherwise. Second arms of DNA adducts are in :mod:`._dna`.
"""

from __future__ import annotations

from mechsim.mechanisms.trofosfamide._common import Fragment
from mechsim.network import AssignmentRule, Expression, MassAction, PHDependent, Reaction

__all__ = ["MUSTARDS", "mustard_chemistry"]

#: key -> (mustard species, its pKa parameter, cyclisation rate outside cells, inside cells)
MUSTARDS: dict[str, tuple[str, str, str, str]] = {
    "TM": ("trofosfamide-mustard", "pKa_TM", "k_cyc_TM", "k_cyc_TM_cell"),
    "IPM": ("isophosphoramide-mustard", "pKa_IPM", "k_cyc_IPM", "k_cyc_IPM_cell"),
    "PM": ("phosphoramide-mustard", "pKa_PM", "k_cyc_PM", "k_cyc_PM_cell"),
}

RULES = (
    AssignmentRule("k_GSH_aziridinium", "k_thiosulfate_aziridinium * GSH_per_thiosulfate", "1/M/h"),
    AssignmentRule("k_deprotonation_aziridinium",
                   "kH_protonation_aziridine * c_molar * 10**(-pKa_IPM_aziridine)", "1/h"),
    AssignmentRule("k_cyc_TM", "k_cyc_PM", "1/h"),
    AssignmentRule("k_cyc_TM_cell", "k_cyc_PM", "1/h"),
    AssignmentRule("k_cyc_PM_cell", "k_cyc_PM", "1/h"),
)


def mustard_chemistry(compartment: str, ph: str, *, gsh: bool = False, thiosulfate: bool = False,
                      dna: bool = False, cell: bool = False,
                      mustards: tuple[str, ...] = tuple(MUSTARDS)) -> Fragment:
    """Chemistry of the ``mustards`` (keys of :data:`MUSTARDS`) in ``compartment`` (pH ``ph``).

    ``gsh``, ``thiosulfate`` and ``dna`` switch on the aziridinium's reactions with
    ``glutathione``, ``thiosulfate`` and DNA guanine sites (``9-methylguanine``);
    ``cell`` selects the intracellular cyclisation rates (Hong 2019 for IPM).
    """
    f = Fragment()
    f.assignment_rules += list(RULES)
    nucleophile = "k_hyd_aziridinium"
    if gsh:
        nucleophile += " + k_GSH_aziridinium * {glutathione}"
        f.need(compartment, "glutathione")
    if thiosulfate:
        nucleophile += " + k_thiosulfate_aziridinium * {thiosulfate}"
        f.need(compartment, "thiosulfate")
    if dna:
        f.need(compartment, "9-methylguanine")
    for key in mustards:
        mustard, pka, k_medium, k_cell = MUSTARDS[key]
        k_cyc = k_cell if cell else k_medium
        az = f"{mustard}-aziridinium"
        k = key.lower()
        c = compartment
        f.need(c, mustard, az, f"{mustard}-hydroxy", f"{mustard}-pn-cleavage-products",
               f"{mustard}-bisalkylation-products")
        f.reactions += [
            Reaction(f"{k}_cyclisation_{c}", {mustard: 1}, {az: 1}, PHDependent(k_cyc, pKa=pka), c,
                     description="intramolecular N-alkylation by the P-O(-) anion (pKa-gated)"),
            Reaction(f"{k}_aziridinium_hydrolysis_{c}", {az: 1}, {f"{mustard}-hydroxy": 1},
                     MassAction("k_hyd_aziridinium"), c, description="first arm alkylates water"),
            Reaction(f"{k}_aziridinium_pn_cleavage_{c}", {az: 1}, {f"{mustard}-pn-cleavage-products": 1},
                     MassAction("k_PN_aziridinium"), c,
                     description="P-N bond hydrolysis via the aziridinium (Shulman-Roskes 1998)"),
        ]
        if key == "IPM":
            f.need(c, "isophosphoramide-mustard-aziridine")
            f.reactions += [
                Reaction(f"ipm_aziridinium_deprotonation_{c}", {az: 1},
                         {"isophosphoramide-mustard-aziridine": 1},
                         PHDependent("k_deprotonation_aziridinium"), c,
                         description="ring N pKa 5.30 (Millis 1995)"),
                Reaction(f"ipm_aziridine_protonation_{c}", {"isophosphoramide-mustard-aziridine": 1},
                         {az: 1},
                         Expression(f"kH_protonation_aziridine * c_molar * 10**(-{ph}) * "
                                    "{isophosphoramide-mustard-aziridine}"), c),
            ]
        mono = [f"{mustard}-hydroxy"]
        if gsh:
            mono.append(f"{mustard}-glutathione")
            f.need(c, mono[-1])
            f.reactions.append(Reaction(
                f"{k}_aziridinium_gsh_{c}", {az: 1, "glutathione": 1}, {mono[-1]: 1},
                MassAction("k_GSH_aziridinium"), c, description="first arm alkylates GSH"))
        if thiosulfate:
            mono.append(f"{mustard}-thiosulfate")
            f.need(c, mono[-1])
            f.reactions.append(Reaction(
                f"{k}_aziridinium_thiosulfate_{c}", {az: 1, "thiosulfate": 1}, {mono[-1]: 1},
                MassAction("k_thiosulfate_aziridinium"), c, description="first arm alkylates thiosulfate"))
        if dna:
            f.need(c, f"{mustard}-guanine-n7")
            f.reactions.append(Reaction(
                f"{k}_aziridinium_guanine_{c}", {az: 1, "9-methylguanine": 1}, {f"{mustard}-guanine-n7": 1},
                MassAction("k_guanine_aziridinium"), c, description="guanine-N7 monoadduct"))
        gate = f"{k_cyc} / (1 + 10**({pka} - {ph}))"
        share = f"({nucleophile}) / ({nucleophile} + k_PN_aziridinium)"
        for x in mono:
            tag = x.removeprefix(mustard + "-")
            f.reactions += [
                Reaction(f"{k}_{tag}_second_arm_alkylation_{c}", {x: 1},
                         {f"{mustard}-bisalkylation-products": 1},
                         Expression(f"{gate} * {share} * {{{x}}}"), c,
                         description="second arm cyclises and alkylates (aziridinium in QSS)"),
                Reaction(f"{k}_{tag}_second_arm_pn_cleavage_{c}", {x: 1},
                         {f"{mustard}-pn-cleavage-products": 1},
                         Expression(f"{gate} * (1 - {share}) * {{{x}}}"), c,
                         description="second arm cyclises, then P-N cleavage"),
            ]
    return f
