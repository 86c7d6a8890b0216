"""p53 -> BCL-2 family -> MOMP (all-or-none) -> cytochrome c; population MOMP fraction.

p53 induces the BH3-only activators PUMA and NOXA and the effector BAX and represses the
anti-apoptotic MCL1 and BCL2A1 (the genes the ifosfamide expression data of the
trofosfamide seed show falling). BH3 proteins and anti-apoptotic proteins sequester each
other tightly (quasi-steady state: free BH3 = max(0, BH3 - anti), smoothed), so free
activator appears only when BH3 exceeds the anti-apoptotic pool. Free BH3 activates BAX;
active BAX activates more BAX (positive feedback, as the Bax auto-activation and pore
assembly of Albeck et al. 2008 EARM, BIOMD0000000220) and is inhibited by free
anti-apoptotic protein. The feedback makes MOMP a delayed, all-or-none switch: active
BAX crosses the pore threshold and cytochrome c leaves the mitochondria with the half-time
of Rehm et al. 2006 (1.5 min; complete within about 5 min, Goldstein et al. 2000).

Cell-to-cell variability: cells differ in their anti-apoptotic capacity. A cell commits
to MOMP once the BH3:anti ratio R of the representative cell has exceeded its own
threshold; thresholds are log-logistically distributed (median R50 = 1, the ratio at
which free BH3 appears in the representative cell; shape n_momp, equivalent to a
log-normal of sigma = pi / (n sqrt 3)). Commitment is irreversible, so the population
fraction uses the running maximum of R: ``momp_fraction = R_max^n / (R50^n + R_max^n)``.
"""

from __future__ import annotations

from mechsim.mechanisms.apoptosis._provenance import ParamRow, assumed, cited
from mechsim.network import AssignmentRule, Expression, RateRule, Reaction, Species

__all__ = ["bcl2_parts", "bcl2_rows"]

#: BAX pore order: EARM assembles tetrameric pores (Albeck 2008). An integer literal, not a
#: parameter, so the symbolic Jacobian stays finite at zero active BAX.
_PORE_ORDER = 4

_REG = "assumed: transcriptional gain of a p53 target; no value in kinetics.md; fittable"


def bcl2_rows() -> list[ParamRow]:
    """Parameter table of the BCL-2 / MOMP layer."""
    return [
        ("ksyn_puma_basal", 2.0, "nM/h", assumed("basal PUMA expression"), ""),
        ("ksyn_puma", 60.0, "nM/h", assumed(_REG), "maximal p53-induced PUMA synthesis"),
        ("ksyn_noxa_basal", 2.0, "nM/h", assumed("basal NOXA expression"), ""),
        ("ksyn_noxa", 30.0, "nM/h", assumed(_REG), "maximal p53-induced NOXA synthesis"),
        ("ksyn_bax_basal", 20.0, "nM/h", assumed("basal BAX expression"), ""),
        ("ksyn_bax", 20.0, "nM/h", assumed(_REG), "maximal p53-induced BAX synthesis"),
        ("kdeg_bh3", 0.2, "1/h", assumed(
            "PUMA/NOXA/BAX turnover (t1/2 ~3.5 h): slow, so BH3 protein integrates the p53 "
            "signal over pulses; fittable"), ""),
        ("K_p53_apo", 60.0, "nM", assumed(
            "p53 for half-maximal induction of pro-apoptotic targets; above the pulse "
            "amplitude at low damage so sustained p53 is needed (Purvis 2012); fittable"), ""),
        ("n_p53_apo", 4.0, "dimensionless", assumed("cooperativity of p53 tetramer binding"), ""),
        ("ksyn_mcl1", 80.0, "nM/h", assumed("MCL1 synthesis without damage"), ""),
        ("ksyn_bcl2a1", 40.0, "nM/h", assumed("BCL2A1 synthesis without damage"), ""),
        ("kdeg_anti", 0.4, "1/h", assumed(
            "MCL1/BCL2A1 turnover (short-lived proteins, t1/2 ~1.7 h); fittable"), ""),
        ("K_p53_rep", 40.0, "nM", assumed("p53 for half repression of MCL1/BCL2A1"), ""),
        ("eps_bh3", 1.0, "nM", assumed(
            "smoothing width of the tight-binding max(0, BH3 - anti); numerical, << pools"), ""),
        ("k_bax_act", 0.5, "1/nM/h", assumed("BAX activation by free BH3 activator"), ""),
        ("k_bax_fb", 20.0, "1/h", assumed(
            "maximal BAX auto-activation (EARM-like positive feedback); fittable"), ""),
        ("K_bax_fb", 20.0, "nM", assumed("active BAX for half-maximal auto-activation"), ""),
        ("k_bax_inact", 1.0, "1/h", assumed("spontaneous return of active BAX"), ""),
        ("k_bax_inhib", 0.5, "1/nM/h", assumed("inhibition of active BAX by free MCL1/BCL2A1"), ""),
        ("K_pore", 40.0, "nM", assumed("active BAX for half-maximal pore formation"), ""),
        ("t_half_cytc", 1.5, "min", cited(
            "Rehm et al. 2006 BIOMD0000000256 th_CytC = 1.5 min (cytochrome c release "
            "half-time; complete within ~5 min, Goldstein 2000)"), ""),
        ("R50_momp", 1.0, "dimensionless", assumed(
            "median MOMP threshold placed at BH3:anti-apoptotic ratio = 1, where free "
            "activator first appears under 1:1 tight binding in the representative cell (a "
            "stoichiometric argument, not a measured threshold; none in kinetics.md); "
            "fittable"), ""),
        ("n_momp", 3.6, "dimensionless", assumed(
            "shape of the log-logistic threshold distribution (log-normal sigma ~0.5, "
            "cell-to-cell variability of Bcl-2 family levels); fittable"), ""),
        ("k_track", 60.0, "1/h", assumed(
            "numerical rate at which R_max follows R from below (1-min lag)"), ""),
    ]


def bcl2_parts(comp: str, init: dict[str, float]) -> dict:
    """Species, reactions and rules of the BCL-2 / MOMP layer in ``comp`` (nM, h)."""
    names = (
        ("PUMA", "BH3-only activator, p53 target (BBC3)"),
        ("NOXA", "BH3-only sensitiser, p53 target (PMAIP1)"),
        ("MCL1", "anti-apoptotic, falls after damage"),
        ("BCL2A1", "anti-apoptotic, falls after damage"),
        ("BAX", "inactive BAX"),
        ("BAX-active", "active, membrane-inserted BAX"),
        ("cytochrome-c-mitochondrial", "cytochrome c in the intermembrane space"),
        ("cytochrome-c-cytosolic", "released cytochrome c"),
    )
    species = tuple(Species(n, comp, init[n], "nM", description=d) for n, d in names)
    act = "{p53}**n_p53_apo / (K_p53_apo**n_p53_apo + {p53}**n_p53_apo)"
    rep = "1 / (1 + ({p53} / K_p53_rep)**2)"
    ex = Expression
    reactions = (
        Reaction("puma_synthesis", {}, {"PUMA": 1}, ex(f"ksyn_puma_basal + ksyn_puma * {act}"), comp),
        Reaction("noxa_synthesis", {}, {"NOXA": 1}, ex(f"ksyn_noxa_basal + ksyn_noxa * {act}"), comp),
        Reaction("bax_synthesis", {}, {"BAX": 1}, ex(f"ksyn_bax_basal + ksyn_bax * {act}"), comp),
        Reaction("mcl1_synthesis", {}, {"MCL1": 1}, ex(f"ksyn_mcl1 * {rep}"), comp),
        Reaction("bcl2a1_synthesis", {}, {"BCL2A1": 1}, ex(f"ksyn_bcl2a1 * {rep}"), comp),
        Reaction("puma_degradation", {"PUMA": 1}, {}, ex("kdeg_bh3 * {PUMA}"), comp),
        Reaction("noxa_degradation", {"NOXA": 1}, {}, ex("kdeg_bh3 * {NOXA}"), comp),
        Reaction("bax_degradation", {"BAX": 1}, {}, ex("kdeg_bh3 * {BAX}"), comp),
        Reaction("bax_active_degradation", {"BAX-active": 1}, {}, ex("kdeg_bh3 * {BAX-active}"), comp),
        Reaction("mcl1_degradation", {"MCL1": 1}, {}, ex("kdeg_anti * {MCL1}"), comp),
        Reaction("bcl2a1_degradation", {"BCL2A1": 1}, {}, ex("kdeg_anti * {BCL2A1}"), comp),
        Reaction("bax_activation", {"BAX": 1}, {"BAX-active": 1}, ex(
            "(k_bax_act * bh3_free + k_bax_fb * {BAX-active}**2 / (K_bax_fb**2 + {BAX-active}**2))"
            " * {BAX}"), comp),
        Reaction("bax_inactivation", {"BAX-active": 1}, {"BAX": 1},
                 ex("(k_bax_inact + k_bax_inhib * anti_free) * {BAX-active}"), comp),
        Reaction("cytochrome_c_release", {"cytochrome-c-mitochondrial": 1},
                 {"cytochrome-c-cytosolic": 1}, ex(
                     f"log(2) / t_half_cytc * {{BAX-active}}**{_PORE_ORDER} / (K_pore**{_PORE_ORDER} + "
                     f"{{BAX-active}}**{_PORE_ORDER}) * {{cytochrome-c-mitochondrial}}"), comp),
    )
    c = f"@{comp}"
    excess = f"({{PUMA{c}}} + {{NOXA{c}}} - {{MCL1{c}}} - {{BCL2A1{c}}})"
    rules = (
        AssignmentRule("bh3_excess", excess, "nM"),
        AssignmentRule("bh3_free", "0.5 * (bh3_excess + sqrt(bh3_excess**2 + eps_bh3**2))", "nM"),
        AssignmentRule("anti_free", "bh3_free - bh3_excess", "nM"),
        AssignmentRule("bh3_ratio", f"({{PUMA{c}}} + {{NOXA{c}}}) / ({{MCL1{c}}} + {{BCL2A1{c}}})"),
        AssignmentRule("cytc_released", f"{{cytochrome-c-cytosolic{c}}} / "
                       f"({{cytochrome-c-cytosolic{c}}} + {{cytochrome-c-mitochondrial{c}}})"),
    )
    rate_rules = (
        RateRule("bh3_ratio_max", "k_track * Max(bh3_ratio - bh3_ratio_max, 0)",
                 init["bh3_ratio_max"], "dimensionless",
                 description="running maximum of the BH3:anti-apoptotic ratio (commitment)"),
    )
    return {"species": species, "reactions": reactions,
            "assignment_rules": rules, "rate_rules": rate_rules}
