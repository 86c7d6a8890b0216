"""CYP metabolism, IFO autoinduction, 4-OH <=> aldo tautomerism, activation and aldehydes.

* Hepatic CYP branches act on the liver concentration of TRO, IFO and CP (uM); their
  products enter plasma directly (hepatic venous outflow, transit ~1 min).
  TRO -> IFO / CP are Michaelis-Menten (Km from Boos 1994); the other branches are
  first order with intrinsic clearances (L/h) that split the cited total clearances
  (Kerbusch 2001 for IFO, Ahmed 2020 for CP).
* IFO autoinduction in Kerbusch 2001 form: an enzyme state E (1 at baseline) turns over
  with t1/2 11.5 h towards 1 + Emax*C/(EC50 + C), C the plasma IFO concentration; E
  multiplies IFO's metabolic (not renal) clearance.
* 4-OH-X <=> aldo-X at the Kwon 1987 ratio; aldo-X beta-eliminates to the mustard plus
  acrolein (plasma and tumour) or is oxidised by ALDH to carboxy-X (plasma, standing for
  liver + erythrocyte ALDH); 4-OH-X is oxidised to 4-keto-X (plasma).
* Acrolein conjugates GSH (Esterbauer 1975); chloroacetaldehyde is eliminated first order.
* :func:`dynamic_aldehyde_fragment` (used by the expression networks of
  :mod:`mechsim.mechanisms.expression`, not by the calibrated default network) makes
  blood GSH dynamic too, lets chloroacetaldehyde reach the tumour and conjugate GSH in
  both, and resynthesises GSH through glutamate-cysteine ligase (GCL) with GSH feedback
  inhibition and an optional GCL-induction factor (NRF2).
"""

from __future__ import annotations

from mechsim.mechanisms.trofosfamide._common import Fragment, species
from mechsim.network import (
    AssignmentRule,
    Expression,
    InitialAssignment,
    MassAction,
    MichaelisMenten,
    RateRule,
    Reaction,
    ReversibleMassAction,
    Transport,
)

__all__ = ["ACTIVATION", "activation_fragment", "aldehyde_fragment", "cyp_fragment",
           "dynamic_aldehyde_fragment", "glutathione_fragment"]

#: prodrug key -> (4-OH species, aldo species, mustard, carboxy, 4-keto or None, beta k, ALDH k)
ACTIVATION: dict[str, tuple[str, str, str, str, str | None, str, str]] = {
    "TRO": ("4-hydroxytrofosfamide", "aldotrofosfamide", "trofosfamide-mustard",
            "carboxytrofosfamide", None, "k_beta_TRO", "k_ALDH_IFO"),
    "IFO": ("4-hydroxyifosfamide", "aldoifosfamide", "isophosphoramide-mustard",
            "carboxyifosfamide", "4-ketoifosfamide", "k_beta_IFO", "k_ALDH_IFO"),
    "CP": ("4-hydroxycyclophosphamide", "aldophosphamide", "phosphoramide-mustard",
           "carboxyphosphamide", "4-ketocyclophosphamide", "k_beta_CP", "k_ALDH_CP"),
}

_CAA = "chloroacetaldehyde@plasma"


def _cyp(name: str, substrate: str, products: dict[str, float], law, enzyme: str, desc: str) -> Reaction:
    return Reaction(name, {substrate: 1}, products, law, "liver", enzyme=enzyme, description=desc)


def cyp_fragment() -> Fragment:
    """Hepatic 4-hydroxylation and N-dechloroethylation of TRO, IFO and CP, with IFO induction."""
    f = Fragment()
    f.need("liver", "trofosfamide", "ifosfamide", "cyclophosphamide")
    f.need("plasma", "4-hydroxytrofosfamide", "4-hydroxyifosfamide", "4-hydroxycyclophosphamide",
           "2-dechloroethylifosfamide", "3-dechloroethylifosfamide", "chloroacetaldehyde",
           "ifosfamide")
    f.rate_rules.append(RateRule(
        "ifo_induction",
        "log(2) / t_half_induction_IFO * (1 + Emax_induction_IFO * {ifosfamide@plasma} / "
        "(EC50_induction_IFO + {ifosfamide@plasma}) - ifo_induction)",
        initial=1.0, unit="dimensionless",
        description="IFO-metabolising enzyme amount relative to baseline (Kerbusch 2001)",
    ))
    f.assignment_rules += [
        AssignmentRule("CL_renal_IFO", "f_renal_IFO * CL0_IFO", "L/h"),
        AssignmentRule("CLint_IFO_2DCE", "f_2DCE_IFO * CL0_IFO * ifo_induction", "L/h"),
        AssignmentRule("CLint_IFO_3DCE", "f_3DCE_IFO * CL0_IFO * ifo_induction", "L/h"),
        AssignmentRule("CLint_IFO_4OH",
                       "(1 - f_renal_IFO - f_2DCE_IFO - f_3DCE_IFO) * CL0_IFO * ifo_induction", "L/h"),
        AssignmentRule("CL_renal_CP", "f_renal_CP * CL_CP", "L/h"),
        AssignmentRule("CLint_CP_DCE", "f_DCE_CP * CL_CP", "L/h"),
        AssignmentRule("CLint_CP_4OH", "(1 - f_renal_CP - f_DCE_CP) * CL_CP", "L/h"),
    ]
    f.reactions += [
        _cyp("tro_4_hydroxylation", "trofosfamide", {"4-hydroxytrofosfamide@plasma": 1},
             Expression("CLint_TRO_4OH * {trofosfamide}"), "CYP3A4",
             "TRO 4-hydroxylation (enzyme assumed as for IFO, Chen 2005)"),
        _cyp("tro_n_dechloroethylation_to_ifo", "trofosfamide", {"ifosfamide": 1, _CAA: 1},
             MichaelisMenten("Vmax_TRO_IFO", "Km_TRO_IFO"), "CYP3A4",
             "exocyclic N-dechloroethylation (Boos 1994: mainly IFO)"),
        _cyp("tro_n_dechloroethylation_to_cp", "trofosfamide", {"cyclophosphamide": 1, _CAA: 1},
             MichaelisMenten("Vmax_TRO_CP", "Km_TRO_CP"), "CYP3A4",
             "ring-N3 dechloroethylation (Boos 1994: minor)"),
        _cyp("ifo_4_hydroxylation", "ifosfamide", {"4-hydroxyifosfamide@plasma": 1},
             Expression("CLint_IFO_4OH * {ifosfamide}"), "CYP3A4", "Chen 2005: mainly CYP3A4"),
        _cyp("ifo_n2_dechloroethylation", "ifosfamide", {"2-dechloroethylifosfamide@plasma": 1, _CAA: 1},
             Expression("CLint_IFO_2DCE * {ifosfamide}"), "CYP3A4",
             "Huang 2000: CYP3A4 ~70 %, rest CYP2B6"),
        _cyp("ifo_n3_dechloroethylation", "ifosfamide", {"3-dechloroethylifosfamide@plasma": 1, _CAA: 1},
             Expression("CLint_IFO_3DCE * {ifosfamide}"), "CYP3A4",
             "Huang 2000: CYP3A4 ~70 %, rest CYP2B6"),
        _cyp("cp_4_hydroxylation", "cyclophosphamide", {"4-hydroxycyclophosphamide@plasma": 1},
             Expression("CLint_CP_4OH * {cyclophosphamide}"), "CYP2B6",
             "CYP2B6 main, CYP3A4/5 contribute (DMD 2012)"),
        _cyp("cp_n_dechloroethylation", "cyclophosphamide", {"3-dechloroethylifosfamide@plasma": 1, _CAA: 1},
             Expression("CLint_CP_DCE * {cyclophosphamide}"), "CYP3A4",
             "Huang 2000: CYP3A4 >= 95 %; product = dechloroethyl-CP (same compound as 3-DCE-IFO)"),
    ]
    return f


def activation_fragment(compartment: str, *, drugs: tuple[str, ...] = ("TRO", "IFO", "CP"),
                        aldh: bool = True, keto: bool = True) -> Fragment:
    """4-OH <=> aldo, beta-elimination, ALDH and 4-keto formation in ``compartment``."""
    f = Fragment()
    f.need(compartment, "acrolein")
    f.assignment_rules.append(AssignmentRule("k_ring_close", "k_ring_open / K_ring_open", "1/h"))
    for key in drugs:
        hydroxy, aldo, mustard, carboxy, ketone, k_beta, k_aldh = ACTIVATION[key]
        k = key.lower()
        f.need(compartment, hydroxy, aldo, mustard)
        f.reactions += [
            Reaction(f"{k}_ring_opening_{compartment}", {hydroxy: 1}, {aldo: 1},
                     ReversibleMassAction("k_ring_open", "k_ring_close"), compartment,
                     description="carbinolamine ring-chain tautomerism (Kwon 1987)"),
            Reaction(f"{k}_beta_elimination_{compartment}", {aldo: 1}, {mustard: 1, "acrolein": 1},
                     MassAction(k_beta), compartment, description="spontaneous beta-elimination"),
        ]
        if aldh:
            f.need(compartment, carboxy)
            f.reactions.append(Reaction(
                f"{k}_aldh_oxidation_{compartment}", {aldo: 1}, {carboxy: 1}, MassAction(k_aldh),
                compartment, enzyme="ALDH1A1", description="detoxification to the carboxylic acid"))
        if keto and ketone is not None:
            f.need(compartment, ketone)
            f.reactions.append(Reaction(
                f"{k}_keto_formation_{compartment}", {hydroxy: 1}, {ketone: 1}, MassAction("k_keto"),
                compartment, description="oxidation of the carbinolamine (assumed rate)"))
    return f


def tumor_uptake_fragment() -> Fragment:
    """Perfusion-limited exchange of the 4-OH and aldo forms of TRO, IFO and CP with the tumour."""
    f = Fragment()
    for key in ("TRO", "IFO", "CP"):
        for s in ACTIVATION[key][:2]:
            f.need("plasma", s)
            f.need("tumor", s)
            f.reactions.append(Reaction(
                f"tumor_exchange_{s.replace('-', '_')}", {f"{s}@plasma": 1}, {f"{s}@tumor": 1},
                Transport("Q_tumor", reversible=True), "plasma", description="tumour perfusion"))
    return f


def aldehyde_fragment() -> Fragment:
    """Acrolein + GSH in plasma (blood) and tumour, tumour GSH turnover and CAA loss."""
    f = Fragment()
    f.add_species(species("glutathione", "plasma", boundary=True))
    f.need("tumor", "glutathione")
    f.initial_assignments += [
        InitialAssignment("plasma.glutathione", "GSH_blood", "uM"),
        InitialAssignment("tumor.glutathione", "GSH_tumor0", "uM"),
    ]
    f.assignment_rules.append(AssignmentRule(
        "k_acrolein_GSH_reverse", "log(2) / t_half_acrolein_GSH_reverse", "1/h"))
    for comp in ("plasma", "tumor"):
        f.need(comp, "acrolein", "acrolein-glutathione")
        f.reactions += [
            Reaction(f"acrolein_gsh_conjugation_{comp}", {"acrolein": 1, "glutathione": 1},
                     {"acrolein-glutathione": 1},
                     ReversibleMassAction("k_acrolein_GSH", "k_acrolein_GSH_reverse"), comp,
                     description="Michael addition (Esterbauer 1975)"),
            Reaction(f"acrolein_gsh_elimination_{comp}", {"acrolein-glutathione": 1}, {},
                     MassAction("k_elim_acrolein_GSH"), comp, description="mercapturate route"),
        ]
    f.reactions += [
        Reaction("gsh_synthesis_tumor", {}, {"glutathione": 1},
                 Expression("log(2) / t_half_GSH_turnover * GSH_tumor0"), "tumor"),
        Reaction("gsh_turnover_tumor", {"glutathione": 1}, {},
                 Expression("log(2) / t_half_GSH_turnover * {glutathione}"), "tumor"),
        Reaction("caa_elimination", {"chloroacetaldehyde": 1}, {}, MassAction("k_elim_CAA"), "plasma",
                 description="ALDH oxidation / GSH conjugation (assumed rate)"),
    ]
    f.need("plasma", "chloroacetaldehyde")
    return f


def glutathione_fragment(comp: str, gsh0: str, t_half: str, *, gcl: str = "1") -> Fragment:
    """A dynamic GSH pool in ``comp`` (uM, h) and the aldehydes that deplete it.

    * resynthesis by GCL, ``ln2 / t_half * gsh0 * gcl * (1 + gsh0/Ki) / (1 + GSH/Ki)``:
      turnover balances it at ``GSH = gsh0`` when ``gcl`` = 1; GSH inhibits GCL
      (``Ki_GCL_GSH``, Richman & Meister 1975), so a depleted pool is refilled faster;
      ``gcl`` is a formula for GCL activity relative to baseline (NRF2 induction);
    * first-order turnover (export/degradation) ``ln2 / t_half``;
    * acrolein + GSH <=> acrolein-GSH (Esterbauer 1975, k = 120 1/M/s, reversal t1/2 4.6 d),
      conjugate removed by the mercapturate route;
    * chloroacetaldehyde + GSH -> S-(2-oxoethyl)GSH + Cl- (``k_CAA_GSH``, assumed),
      conjugate removed like the acrolein conjugate.

    Without synthesis, turnover and conjugate elimination, GSH + conjugates is conserved.
    """
    f = Fragment()
    f.need(comp, "glutathione", "acrolein", "acrolein-glutathione", "chloroacetaldehyde",
           "chloroacetaldehyde-glutathione")
    f.assignment_rules.append(AssignmentRule(
        "k_acrolein_GSH_reverse", "log(2) / t_half_acrolein_GSH_reverse", "1/h"))
    inhibition = f"(1 + {gsh0} / Ki_GCL_GSH) / (1 + {{glutathione}} / Ki_GCL_GSH)"
    f.reactions += [
        Reaction(f"gsh_synthesis_{comp}", {}, {"glutathione": 1},
                 Expression(f"log(2) / {t_half} * {gsh0} * ({gcl}) * {inhibition}"), comp,
                 enzyme="GCL", description="GCL + GS; GSH feedback-inhibits GCL (Richman & Meister 1975)"),
        Reaction(f"gsh_turnover_{comp}", {"glutathione": 1}, {},
                 Expression(f"log(2) / {t_half} * {{glutathione}}"), comp),
        Reaction(f"acrolein_gsh_conjugation_{comp}", {"acrolein": 1, "glutathione": 1},
                 {"acrolein-glutathione": 1},
                 ReversibleMassAction("k_acrolein_GSH", "k_acrolein_GSH_reverse"), comp,
                 transformation="acrolein-glutathione-conjugation",
                 description="Michael addition (Esterbauer 1975)"),
        Reaction(f"acrolein_gsh_elimination_{comp}", {"acrolein-glutathione": 1}, {},
                 MassAction("k_elim_acrolein_GSH"), comp, description="mercapturate route"),
        Reaction(f"caa_gsh_conjugation_{comp}", {"chloroacetaldehyde": 1, "glutathione": 1},
                 {"chloroacetaldehyde-glutathione": 1}, MassAction("k_CAA_GSH"), comp,
                 transformation="chloroacetaldehyde-glutathione-conjugation",
                 description="S-alkylation, chloride displaced (assumed rate)"),
        Reaction(f"caa_gsh_elimination_{comp}", {"chloroacetaldehyde-glutathione": 1}, {},
                 MassAction("k_elim_CAA_GSH"), comp, description="mercapturate route"),
    ]
    return f


def dynamic_aldehyde_fragment(*, gcl_tumor: str = "1") -> Fragment:
    """:func:`aldehyde_fragment` with dynamic blood GSH and chloroacetaldehyde conjugation.

    Blood (``plasma``, initial ``GSH_blood``) and tumour (``GSH_tumor0``) GSH are both
    :func:`glutathione_fragment` pools; chloroacetaldehyde is still oxidised in plasma at
    ``k_elim_CAA`` (now read as the non-GSH routes) and exchanges with the tumour by
    perfusion (``Q_tumor``; a small, freely diffusible aldehyde, assumed). ``gcl_tumor``:
    tumour GCL activity relative to baseline (a formula, e.g. the NRF2 module's).
    Needs :func:`~mechsim.mechanisms.trofosfamide._parameters.glutathione_parameters`.
    """
    f = Fragment()
    f.extend(glutathione_fragment("plasma", "GSH_blood", "t_half_GSH_blood"))
    f.extend(glutathione_fragment("tumor", "GSH_tumor0", "t_half_GSH_turnover", gcl=gcl_tumor))
    f.initial_assignments += [
        InitialAssignment("plasma.glutathione", "GSH_blood", "uM"),
        InitialAssignment("tumor.glutathione", "GSH_tumor0", "uM"),
    ]
    f.reactions += [
        Reaction("caa_elimination", {"chloroacetaldehyde": 1}, {}, MassAction("k_elim_CAA"), "plasma",
                 description="ALDH oxidation and other non-GSH routes (assumed rate)"),
        Reaction("tumor_exchange_chloroacetaldehyde", {"chloroacetaldehyde@plasma": 1},
                 {"chloroacetaldehyde@tumor": 1}, Transport("Q_tumor", reversible=True), "plasma",
                 description="tumour perfusion (small diffusible aldehyde, assumed flow-limited)"),
    ]
    return f
