"""Thiol redox, KEAP1 sensing and NRF2: the oxidative-stress arm (issue #23).

In the thiol compartment (uM; the tumour's or the cultured cells' intracellular space):

* H2O2 is made at a basal rate plus any drug term (doxorubicin redox cycling), removed by
  glutathione peroxidase (H2O2 + 2 GSH -> GSSG + 2 H2O) and catalase; glutathione
  reductase returns GSSG to 2 GSH (NADPH). The basal state is fixed by three numbers:
  intracellular H2O2 (Sies 2017), its removal rate and the GSH:GSSG ratio (Schafer &
  Buettner 2001); the rate constants follow from them, so GSH sits at its baseline.
* KEAP1's sensor cysteines are modified by H2O2 and by the electrophiles acrolein and
  chloroacetaldehyde (with the GSH rate constants: the same thiol chemistry) and restored
  in proportion to GSH (reduction / resynthesis of KEAP1). ``keap1_mod`` is the modified
  fraction. GSH depletion therefore stabilises NRF2 twice: less H2O2 removal and slower
  KEAP1 restoration.

In the signalling compartment (nM): NRF2 is made at a constant rate and degraded through
KEAP1-CUL3 (in proportion to unmodified KEAP1) and KEAP1-independently (beta-TrCP).
Its antioxidant-response-element (ARE) activity ``are_rel`` (1 at baseline) drives the
NRF2 target mRNAs (:mod:`._transcription`); GCL activity (``gcl_activity``, 1 at
baseline) follows the GCLC/GCLM mRNAs and multiplies GSH synthesis.
"""

from __future__ import annotations

import math

from mechsim.mechanisms.apoptosis._provenance import ParamRow, assumed, cited
from mechsim.network import (
    AssignmentRule,
    Expression,
    InitialAssignment,
    RateRule,
    Reaction,
    Species,
)

__all__ = ["oxidative_parts", "oxidative_rows"]


def oxidative_rows() -> list[ParamRow]:
    """Parameter table of the thiol-redox / KEAP1 / NRF2 / GCL layer."""
    return [
        ("H2O2_basal", 0.01, "uM", cited(
            "Sies 2017 (Redox Biol 11:613): intracellular H2O2 in the low nM range (~1-10 nM); "
            "upper end taken"), "basal intracellular H2O2"),
        ("k_H2O2_removal", 100.0, "1/s", assumed(
            "peroxidases (GPx, peroxiredoxins) and catalase clear cytosolic H2O2 within "
            "milliseconds; pseudo-first-order 100 1/s (t1/2 7 ms); NOT FOUND in kinetics.md; "
            "fittable"), "pseudo-first-order H2O2 removal at baseline GSH"),
        ("f_catalase", 0.2, "dimensionless", assumed(
            "share of H2O2 removal that does not use GSH (catalase is peroxisomal, a minor "
            "cytosolic route); fittable"), ""),
        ("GSH_GSSG_ratio", 100.0, "dimensionless", cited(
            "Schafer & Buettner 2001 (Free Radic Biol Med 30:1191): GSH:GSSG exceeds 100:1 in "
            "resting cells"), "baseline GSH:GSSG"),
        ("keap1_free_basal", 0.95, "dimensionless", assumed(
            "most KEAP1 sensor cysteines unmodified in resting cells (5 % modified); only "
            "the modified share's ratio to 1 matters for the induction; fittable"), ""),
        ("k_keap1_restore", math.log(2) / 0.5, "1/h", assumed(
            "modified KEAP1 restored (thiol reduction by GSH/thioredoxin, or replacement) "
            "with t1/2 30 min at baseline GSH; fittable"), ""),
        ("t_half_nrf2", 20.0, "min", cited(
            "McMahon et al. 2003 (J Biol Chem 278:21592) / Kobayashi et al. 2004 (Mol Cell "
            "Biol 24:7130): NRF2 protein t1/2 ~10-30 min in unstressed cells"), ""),
        ("f_nrf2_keap1", 0.9, "dimensionless", assumed(
            "share of basal NRF2 degradation through KEAP1-CUL3; the rest (beta-TrCP) gives "
            "a fully stabilised t1/2 of ~3 h, the order reported after electrophile "
            "treatment (McMahon 2003); fittable"), ""),
        ("ksyn_nrf2", 20.0, "nM/h", assumed(
            "NRF2 translation; sets the nM scale only (basal NRF2 ~10 nM)"), ""),
        ("K_ARE", 30.0, "nM", assumed(
            "NRF2 for half-maximal ARE occupancy, 3x the basal level so that stabilised NRF2 "
            "can raise ARE activity; fittable"), ""),
        ("t_half_gcl", 12.0, "h", assumed(
            "GCL holoenzyme turnover of about half a day (protein turnover of hours to a "
            "day); fittable"), ""),
    ]


def oxidative_parts(thiol: str, cell: str, gsh0: str, *, ros: str = "0",
                    electrophiles: tuple[str, ...] = ()) -> dict:
    """Species, reactions and rules of the oxidative layer.

    Parameters
    ----------
    thiol:
        Compartment of the GSH pool (uM), e.g. ``"tumor"``; its ``glutathione`` species
        must exist in the upstream network.
    cell:
        Signalling compartment (nM) for NRF2, e.g. ``"tumor_cell"``.
    gsh0:
        Parameter name of the baseline GSH of ``thiol`` (uM).
    ros:
        Formula of extra H2O2 production in ``thiol`` (uM/h), e.g. doxorubicin redox
        cycling; ``"0"`` for none.
    electrophiles:
        Library ids in ``thiol`` that modify KEAP1 with their GSH rate constant:
        ``"acrolein"`` (``k_acrolein_GSH``) and/or ``"chloroacetaldehyde"`` (``k_CAA_GSH``).
    """
    g = f"{{glutathione@{thiol}}}"
    h = f"{{hydrogen-peroxide@{thiol}}}"
    rate = {"acrolein": "k_acrolein_GSH", "chloroacetaldehyde": "k_CAA_GSH"}
    alkylation = "".join(f" + {rate[e]} * {{{e}@{thiol}}}" for e in electrophiles)
    species = (
        Species("hydrogen-peroxide", thiol, 0.0, "uM", molecule="hydrogen-peroxide",
                description="intracellular H2O2 (ROS)"),
        Species("glutathione-disulfide", thiol, 0.0, "uM", molecule="glutathione-disulfide"),
        Species("NRF2", cell, 0.0, "nM", description="NRF2 (NFE2L2) protein"),
    )
    initial = (
        InitialAssignment(f"{thiol}.hydrogen-peroxide", "H2O2_basal", "uM"),
        InitialAssignment(f"{thiol}.glutathione-disulfide", f"{gsh0} / GSH_GSSG_ratio", "uM"),
        InitialAssignment(f"{cell}.NRF2", "ksyn_nrf2 * t_half_nrf2 / log(2)", "nM"),
        InitialAssignment("keap1_mod", "1 - keap1_free_basal"),
    )
    rules = (
        AssignmentRule("ros_basal_rate", "H2O2_basal * k_H2O2_removal", "uM/h"),
        AssignmentRule("k_gpx", f"(1 - f_catalase) * k_H2O2_removal / {gsh0}", "1/uM/h"),
        AssignmentRule("k_gr", f"(1 - f_catalase) * k_H2O2_removal * H2O2_basal * GSH_GSSG_ratio / {gsh0}",
                       "1/h"),
        AssignmentRule("k_keap1_ox", "(1 - keap1_free_basal) * k_keap1_restore / (keap1_free_basal * H2O2_basal)",
                       "1/uM/h"),
        AssignmentRule("nrf2_baseline", "ksyn_nrf2 * t_half_nrf2 / log(2)", "nM"),
        AssignmentRule("are_rel", f"{{NRF2@{cell}}} / (K_ARE + {{NRF2@{cell}}}) * "
                       "(K_ARE + nrf2_baseline) / nrf2_baseline"),
    )
    reactions = (
        Reaction("ros_production", {}, {"hydrogen-peroxide": 1},
                 Expression(f"ros_basal_rate + {ros}"), thiol,
                 description="mitochondrial/NOX H2O2 plus drug redox cycling"),
        Reaction("glutathione_peroxidase", {"hydrogen-peroxide": 1, "glutathione": 2},
                 {"glutathione-disulfide": 1}, Expression(f"k_gpx * {h} * {g}"), thiol,
                 enzyme="GPX1", description="H2O2 + 2 GSH -> GSSG + 2 H2O"),
        Reaction("catalase", {"hydrogen-peroxide": 1}, {},
                 Expression(f"f_catalase * k_H2O2_removal * {h}"), thiol, enzyme="CAT"),
        Reaction("glutathione_reductase", {"glutathione-disulfide": 1}, {"glutathione": 2},
                 Expression(f"k_gr * {{glutathione-disulfide@{thiol}}}"), thiol, enzyme="GSR",
                 description="GSSG + NADPH + H+ -> 2 GSH + NADP+"),
        Reaction("nrf2_synthesis", {}, {"NRF2": 1}, Expression("ksyn_nrf2"), cell),
        Reaction("nrf2_degradation", {"NRF2": 1}, {}, Expression(
            "log(2) / t_half_nrf2 * (f_nrf2_keap1 * (1 - keap1_mod) / keap1_free_basal + "
            f"1 - f_nrf2_keap1) * {{NRF2@{cell}}}"), cell, description="KEAP1-CUL3 and beta-TrCP"),
    )
    rate_rules = (
        RateRule("keap1_mod", f"(k_keap1_ox * {h}{alkylation}) * (1 - keap1_mod) - "
                 f"k_keap1_restore * {g} / {gsh0} * keap1_mod", 0.0, "dimensionless",
                 description="fraction of KEAP1 with modified sensor cysteines"),
        RateRule("gcl_activity", "log(2) / t_half_gcl * (0.5 * (mrna_GCLC + mrna_GCLM) - gcl_activity)",
                 1.0, "dimensionless", description="GCL activity relative to baseline"),
    )
    return {"species": species, "reactions": reactions, "assignment_rules": rules,
            "rate_rules": rate_rules, "initial_assignments": initial}

