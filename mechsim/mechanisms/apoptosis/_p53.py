"""DNA damage -> ATM -> p53 with delayed Mdm2 and Wip1 negative feedback.

Structure after Batchelor et al. 2008 (Mol Cell 30:277) and Purvis et al. 2012 (Science
336:1440): damage activates ATM; active ATM stabilises p53 (less Mdm2-dependent
degradation); p53 induces Mdm2 and Wip1 after transcriptional/translational delays
(tau_m 0.7 h, tau_w 1.25 h, kinetics.md section 4); Wip1 dephosphorylates ATM. The delays
are represented by linear chains of three first-order stages (the "linear chain trick":
mean delay tau, stage rate 3/tau). ATM activation per lesion and ATM inactivation are
from Proctor & Gray 2008 (BIOMD0000000188, per second -> per hour). The Geva-Zatorsky
2006 model 1 (BIOMD0000000159) has the same p53 -> Mdm2-precursor -> Mdm2 -| p53 loop but
damps to a steady state with its curated parameters, so its constants are not reused.

Concentrations are nM in the signalling compartment, time in h. With the nominal
(assumed) gains p53 pulses with a period of about 5 h for roughly 3-30 lesions per
cell, and rises to a sustained plateau above ~100 lesions per cell.
"""

from __future__ import annotations

from mechsim.mechanisms.apoptosis._provenance import ParamRow, assumed, cited, derived
from mechsim.network import AssignmentRule, Expression, RateRule, Reaction, Species

__all__ = ["p53_parts"]

_N_STAGES = 3
_TUNED = (
    "assumed: loop gain chosen so that p53 pulses (about 5 h period) at intermediate damage "
    "and plateaus at high damage, as observed by Geva-Zatorsky 2006 / Batchelor 2008 / "
    "Purvis 2012; no measured value in kinetics.md; fittable"
)


def p53_rows(damage_unit: str) -> list[ParamRow]:
    """Parameter table of the ATM/p53/Mdm2/Wip1 oscillator."""
    per_lesion = "1/s" if damage_unit == "dimensionless" else f"1/s/({damage_unit})"
    return [
        ("k_atm_act", 1.0e-4, per_lesion, derived(
            "from Proctor & Gray 2008 (BMC Syst Biol 2:75, BIOMD0000000188) kactATM = 1e-4 "
            "s^-1 per damaged-DNA molecule of their irradiation-damage model, by analogy: one "
            "of their damaged-DNA units taken as one lesion of any kind (doxorubicin DSB, "
            "trofosfamide DSB-equivalent), not a per-lesion measurement; pint converts it to "
            "0.36 1/h per lesion"),
         "ATM activation per lesion"),
        ("k_atm_inact", 5.0e-4, "1/s", cited(
            "Proctor & Gray 2008 (BMC Syst Biol 2:75) BIOMD0000000188 kinactATM = 5e-4 s^-1 "
            "(= 1.8 1/h), first-order ATM inactivation in their ATM/p53/Mdm2 model"), ""),
        ("k_wip1_atm", 2.0, "1/nM/h", assumed(f"Wip1 dephosphorylation of ATM; {_TUNED}"), ""),
        ("ksyn_p53", 20.0, "nM/h", assumed(f"basal p53 synthesis; {_TUNED}"), ""),
        ("kdeg_p53", 0.1, "1/h", assumed("Mdm2-independent p53 loss; small by assumption"), ""),
        ("kdeg_p53_mdm2", 0.1, "1/nM/h", assumed(f"Mdm2-dependent p53 degradation; {_TUNED}"), ""),
        ("K_atm_p53", 10.0, "nM", assumed(
            "active ATM giving half protection of p53 from Mdm2 (Ser15 phosphorylation)"), ""),
        ("K_p53_tx", 60.0, "nM", assumed(f"p53 for half-maximal Mdm2/Wip1 transcription; {_TUNED}"), ""),
        ("n_p53_tx", 4.0, "dimensionless", assumed(
            "cooperativity of p53 (a tetramer) at its response elements; fittable"), ""),
        ("tau_mdm2", 0.7, "h", cited(
            "Batchelor 2008 / Purvis 2012 delay tau_m = 0.7 h (kinetics.md section 4)"), ""),
        ("tau_wip1", 1.25, "h", cited(
            "Batchelor 2008 / Purvis 2012 delay tau_w = 1.25 h (kinetics.md section 4)"), ""),
        ("ksyn_mdm2_basal", 2.0, "nM/h", assumed("p53-independent Mdm2 synthesis"), ""),
        ("ksyn_mdm2", 200.0, "nM/h", assumed(f"maximal p53-induced Mdm2 synthesis; {_TUNED}"), ""),
        ("kdeg_mdm2", 1.0, "1/h", assumed(
            "Mdm2 turnover (Proctor 2008 uses 1.56 1/h in a different loop; 1.0 1/h keeps "
            "the pulses sustained here); fittable"), ""),
        ("ksyn_wip1", 60.0, "nM/h", assumed(f"maximal p53-induced Wip1 synthesis; {_TUNED}"), ""),
        ("kdeg_wip1", 1.0, "1/h", assumed("Wip1 turnover, hours as for most signalling proteins"), ""),
    ]


def p53_parts(comp: str, init: dict[str, float]) -> dict:
    """Species, reactions and rules of the p53 oscillator in compartment ``comp``.

    ``init`` maps species/rule names to their baseline (no damage) values in nM or
    dimensionless; the damage input is the assignment-rule variable ``dna_lesions``.
    """
    species = tuple(
        Species(name, comp, init[name], "nM", description=desc)
        for name, desc in (
            ("ATM", "inactive ATM kinase"),
            ("ATM-p", "active (auto-phosphorylated) ATM"),
            ("p53", "p53 (total; the pulsing transcription factor)"),
            ("Mdm2", "Mdm2 E3 ligase"),
            ("Wip1", "Wip1 phosphatase (PPM1D)"),
        )
    )
    ex = Expression
    reactions = (
        Reaction("atm_activation", {"ATM": 1}, {"ATM-p": 1},
                 ex("k_atm_act * dna_lesions * {ATM}"), comp),
        Reaction("atm_inactivation", {"ATM-p": 1}, {"ATM": 1},
                 ex("(k_atm_inact + k_wip1_atm * {Wip1}) * {ATM-p}"), comp),
        Reaction("p53_synthesis", {}, {"p53": 1}, ex("ksyn_p53"), comp),
        Reaction("p53_degradation", {"p53": 1}, {},
                 ex("(kdeg_p53 + kdeg_p53_mdm2 * {Mdm2} / (1 + ({ATM-p} / K_atm_p53)**2)) * {p53}"),
                 comp),
        Reaction("mdm2_synthesis", {}, {"Mdm2": 1},
                 ex(f"ksyn_mdm2_basal + ksyn_mdm2 * mdm2_tx_{_N_STAGES}"), comp),
        Reaction("mdm2_degradation", {"Mdm2": 1}, {}, ex("kdeg_mdm2 * {Mdm2}"), comp),
        Reaction("wip1_synthesis", {}, {"Wip1": 1}, ex(f"ksyn_wip1 * wip1_tx_{_N_STAGES}"), comp),
        Reaction("wip1_degradation", {"Wip1": 1}, {}, ex("kdeg_wip1 * {Wip1}"), comp),
    )
    rules = [
        AssignmentRule("p53_tx", f"{{p53@{comp}}}**n_p53_tx / "
                       f"(K_p53_tx**n_p53_tx + {{p53@{comp}}}**n_p53_tx)"),
    ]
    rate_rules = []
    for gene, tau in (("mdm2", "tau_mdm2"), ("wip1", "tau_wip1")):
        upstream = "p53_tx"
        for i in range(1, _N_STAGES + 1):
            target = f"{gene}_tx_{i}"
            rate_rules.append(RateRule(
                target, f"{_N_STAGES} / {tau} * ({upstream} - {target})", init[target],
                "dimensionless",
                description=f"stage {i} of the {tau} delay chain (linear chain trick)",
            ))
            upstream = target
    return {"species": species, "reactions": reactions,
            "assignment_rules": tuple(rules), "rate_rules": tuple(rate_rules)}
