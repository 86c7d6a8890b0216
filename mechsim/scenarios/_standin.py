"""``"standin"``: a small synthetic two-drug model for quick grid runs, benchmarks and tests.

Registered as the model ``"standin"`` (:func:`mechsim.scenarios.get_model`), so grid
configs (``model: standin``), ``mechsim bench grid --quick`` and ``mechsim bench`` name it
like any model. It is NOT a mechanism of either drug: :mod:`mechsim.mechanisms` holds those.

``standin_network()`` has the shape and stiffness of the trofosfamide + aldoxorubicin
mechanism (oral prodrug -> hepatic CYP activation -> tautomer equilibrium -> mustard ->
pH-gated aziridinium -> DNA mono-adduct -> cross-link; albumin-bound hydrazone prodrug ->
acid-catalysed release in the tumour -> doxorubicin DNA intercalation -> double-strand
breaks; damage-driven loss of viable cells) in 27 states, so a grid or benchmark of it
finishes in seconds. Every parameter is ``assumed``: plausible orders of magnitude chosen
to give time scales from seconds (aziridinium hydrolysis, DNA binding) to days (repair,
cell loss), NOT literature values. It began as a stand-in for the mechanism packages
before they existed (it used to live in ``mechsim/grid/_standin.py``) and stays because
the quick benchmark and the grid tests need a model that compiles and solves fast.
"""

from __future__ import annotations

from mechsim.dosing import Dose, Regimen
from mechsim.network import (
    Compartment,
    Expression,
    MassAction,
    MichaelisMenten,
    Network,
    Observable,
    Parameter,
    PHDependent,
    Provenance,
    Reaction,
    ReversibleMassAction,
    Species,
    Transport,
)

__all__ = ["STANDIN_NAME", "standin_network", "standin_regimen"]

STANDIN_NAME = "standin"
_A = Provenance("assumed", "stand-in mechanism for grid tests and benchmarks, not a literature value")

_PARAMS: tuple[tuple[str, float, str, tuple[float, float] | None], ...] = (
    ("V_gut", 1.0, "L", None), ("V_p", 3.0, "L", None), ("V_liv", 1.5, "L", None),
    ("V_ti", 0.04, "L", None), ("V_tc", 0.06, "L", None),
    ("pH_p", 7.4, "dimensionless", (6.8, 7.8)), ("pH_ti", 6.8, "dimensionless", (6.0, 7.6)),
    ("pH_tc", 7.2, "dimensionless", (6.4, 7.6)),
    ("ka", 1.2, "1/h", (0.3, 3.0)), ("Q_h", 90.0, "L/h", None), ("Q_t", 0.6, "L/h", None),
    ("CL_r", 4.0, "L/h", (1.0, 10.0)),
    ("vmax_4oh", 60.0, "umol/h", (15.0, 240.0)), ("km_4oh", 80.0, "uM", None),
    ("vmax_dce", 20.0, "umol/h", (5.0, 80.0)), ("km_dce", 120.0, "uM", None),
    ("k_taut_f", 40.0, "1/h", None), ("k_taut_r", 15.0, "1/h", None),
    ("k_beta", 3.0, "1/h", None), ("k_acro", 0.8, "1/h", None),
    ("k_cyc0", 0.05, "1/h", None), ("kH_cyc", 0.0, "1/M/h", None),
    ("pKa_mustard", 6.8, "dimensionless", None), ("k_cyc", 6.0, "1/h", None),
    ("k_hyd", 400.0, "1/h", None), ("k_alk", 2.0, "1/uM/h", (0.5, 8.0)),
    ("k_xl", 0.3, "1/h", None), ("k_rep_mono", 0.05, "1/h", (0.01, 0.25)),
    ("k_rep_xl", 0.02, "1/h", (0.004, 0.1)),
    ("kon_alb", 1000.0, "1/uM/h", None), ("koff_alb", 0.5, "1/h", None),
    ("CL_epr", 0.02, "L/h", None),
    ("k_rel0", 0.002, "1/h", None), ("kH_rel", 2.0e6, "1/M/h", (5e5, 8e6)),
    ("CL_dox", 30.0, "L/h", None), ("CL_cell", 0.4, "L/h", None),
    ("kon_dna", 2.0e4, "1/uM/h", None), ("koff_dna", 1.0e3, "1/h", None),
    ("k_top2", 3e-4, "1/h", None), ("k_rep_dsb", 0.1, "1/h", None),
    ("k_kill", 0.05, "1/h", (0.015, 0.15)), ("K_xl", 0.5, "uM", None), ("K_dsb", 0.5, "uM", None),
    ("viable0", 1.0, "uM", None),
)


def _p(name: str, value: float, unit: str, bounds: tuple[float, float] | None) -> Parameter:
    scale = "lin" if name.startswith("pH") or name.startswith("pKa") else "log10"
    return Parameter(name, value, unit, _A, bounds=bounds, scale=scale)


def standin_network() -> Network:
    """The stand-in two-drug network (27 states, ~30 reactions; concentrations in uM, h)."""
    comps = [
        Compartment("gut", "V_gut"), Compartment("plasma", "V_p", ph="pH_p"),
        Compartment("liver", "V_liv"), Compartment("tumor", "V_ti", ph="pH_ti"),
        Compartment("tumor_cell", "V_tc", ph="pH_tc"),
    ]
    sp = [
        Species("trofosfamide", "gut"), Species("trofosfamide", "plasma"),
        Species("trofosfamide", "liver"), Species("ifosfamide", "liver"),
        Species("ifosfamide", "plasma"), Species("4-OH-trofosfamide", "liver"),
        Species("4-OH-trofosfamide", "plasma"), Species("aldo", "plasma"),
        Species("aldo", "tumor_cell"), Species("mustard", "tumor_cell"),
        Species("acrolein", "plasma"), Species("aziridinium", "tumor_cell"),
        Species("hydrolysed", "tumor_cell"), Species("dna-site", "tumor_cell", 50.0),
        Species("monoadduct", "tumor_cell"), Species("crosslink", "tumor_cell"),
        Species("aldoxorubicin", "plasma"), Species("albumin", "plasma", 600.0),
        Species("aldox-albumin", "plasma"), Species("aldox-albumin", "tumor"),
        Species("doxorubicin", "plasma"), Species("doxorubicin", "tumor"),
        Species("doxorubicin", "tumor_cell"), Species("dox-dna", "tumor_cell"),
        Species("dsb", "tumor_cell"), Species("viable", "tumor_cell", 1.0),
        Species("dead", "tumor_cell"),
    ]
    R = Reaction
    rx = [
        R("absorb", {"trofosfamide@gut": 1}, {"trofosfamide@plasma": 1}, Transport("ka"), "gut"),
        R("hep_t", {"trofosfamide@plasma": 1}, {"trofosfamide@liver": 1}, Transport("Q_h", True), "plasma"),
        R("hep_oh", {"4-OH-trofosfamide@liver": 1}, {"4-OH-trofosfamide@plasma": 1}, Transport("Q_h", True), "liver"),
        R("hep_ifo", {"ifosfamide@liver": 1}, {"ifosfamide@plasma": 1}, Transport("Q_h", True), "liver"),
        R("cyp_4oh", {"trofosfamide@liver": 1}, {"4-OH-trofosfamide@liver": 1}, MichaelisMenten("vmax_4oh", "km_4oh"), "liver"),
        R("cyp_dce", {"trofosfamide@liver": 1}, {"ifosfamide@liver": 1}, MichaelisMenten("vmax_dce", "km_dce"), "liver"),
        R("renal_t", {"trofosfamide@plasma": 1}, {}, Expression("CL_r / V_p * {trofosfamide}"), "plasma"),
        R("renal_i", {"ifosfamide@plasma": 1}, {}, Expression("CL_r / V_p * {ifosfamide}"), "plasma"),
        R("taut", {"4-OH-trofosfamide@plasma": 1}, {"aldo@plasma": 1}, ReversibleMassAction("k_taut_f", "k_taut_r"), "plasma"),
        R("beta_p", {"aldo@plasma": 1}, {"acrolein@plasma": 1}, MassAction("k_beta"), "plasma"),
        R("uptake", {"aldo@plasma": 1}, {"aldo@tumor_cell": 1}, Transport("CL_cell", True), "plasma"),
        R("beta_c", {"aldo@tumor_cell": 1}, {"mustard@tumor_cell": 1}, MassAction("k_beta"), "tumor_cell"),
        R("acro_el", {"acrolein@plasma": 1}, {}, MassAction("k_acro"), "plasma"),
        R("cyc", {"mustard@tumor_cell": 1}, {"aziridinium@tumor_cell": 1}, PHDependent("k_cyc", pKa="pKa_mustard"), "tumor_cell"),
        R("hyd", {"aziridinium@tumor_cell": 1}, {"hydrolysed@tumor_cell": 1}, MassAction("k_hyd"), "tumor_cell"),
        R("alk", {"aziridinium@tumor_cell": 1, "dna-site@tumor_cell": 1}, {"monoadduct@tumor_cell": 1}, MassAction("k_alk"), "tumor_cell"),
        R("xl", {"monoadduct@tumor_cell": 1}, {"crosslink@tumor_cell": 1}, MassAction("k_xl"), "tumor_cell"),
        R("rep_m", {"monoadduct@tumor_cell": 1}, {"dna-site@tumor_cell": 1}, MassAction("k_rep_mono"), "tumor_cell"),
        R("rep_x", {"crosslink@tumor_cell": 1}, {"dna-site@tumor_cell": 1}, MassAction("k_rep_xl"), "tumor_cell"),
        R("alb", {"aldoxorubicin@plasma": 1, "albumin@plasma": 1}, {"aldox-albumin@plasma": 1}, ReversibleMassAction("kon_alb", "koff_alb"), "plasma"),
        R("epr", {"aldox-albumin@plasma": 1}, {"aldox-albumin@tumor": 1}, Transport("CL_epr"), "plasma"),
        R("rel_p", {"aldox-albumin@plasma": 1}, {"doxorubicin@plasma": 1}, PHDependent("k_rel0", kH="kH_rel"), "plasma"),
        R("rel_t", {"aldox-albumin@tumor": 1}, {"doxorubicin@tumor": 1}, PHDependent("k_rel0", kH="kH_rel"), "tumor"),
        R("dox_pt", {"doxorubicin@plasma": 1}, {"doxorubicin@tumor": 1}, Transport("Q_t", True), "plasma"),
        R("dox_tc", {"doxorubicin@tumor": 1}, {"doxorubicin@tumor_cell": 1}, Transport("CL_cell", True), "tumor"),
        R("dox_el", {"doxorubicin@plasma": 1}, {}, Expression("CL_dox / V_p * {doxorubicin}"), "plasma"),
        R("intercalate", {"doxorubicin@tumor_cell": 1, "dna-site@tumor_cell": 1}, {"dox-dna@tumor_cell": 1}, ReversibleMassAction("kon_dna", "koff_dna"), "tumor_cell"),
        R("top2", {"dox-dna@tumor_cell": 1}, {"dsb@tumor_cell": 1, "doxorubicin@tumor_cell": 1, "dna-site@tumor_cell": 1}, MassAction("k_top2"), "tumor_cell"),
        R("rep_dsb", {"dsb@tumor_cell": 1}, {}, MassAction("k_rep_dsb"), "tumor_cell"),
        R("kill", {"viable@tumor_cell": 1}, {"dead@tumor_cell": 1}, Expression(
            "k_kill * {viable} * ({crosslink} / (K_xl + {crosslink}) + {dsb} / (K_dsb + {dsb}))"), "tumor_cell",
          modifiers=("crosslink", "dsb")),
    ]
    obs = [
        Observable("trofosfamide_plasma", "{trofosfamide@plasma}", "uM"),
        Observable("doxorubicin_plasma", "{doxorubicin@plasma}", "uM"),
        Observable("crosslinks", "{crosslink@tumor_cell}", "uM"),
        Observable("dsb", "{dsb@tumor_cell}", "uM"),
        Observable("surviving_fraction", "{viable@tumor_cell} / viable0", "dimensionless"),
    ]
    return Network(
        STANDIN_NAME, compartments=comps, species=sp,
        parameters=[_p(*row) for row in _PARAMS], reactions=rx, observables=obs,
        description="stand-in for the trofosfamide + aldoxorubicin mechanism (assumed values)",
    )


def standin_regimen(trofosfamide_mg: float = 150.0, aldoxorubicin_mg: float = 350.0) -> Regimen:
    """Single oral trofosfamide dose plus a 30-min aldoxorubicin infusion at t = 0 (mg).

    Molar masses: trofosfamide 323.6 g/mol, aldoxorubicin 750.2 g/mol (given explicitly
    so the stand-in does not depend on the molecule library).
    """
    return Regimen((
        Dose("trofosfamide", "gut", trofosfamide_mg, "mg", molar_mass=323.6),
        Dose("aldoxorubicin", "plasma", aldoxorubicin_mg, "mg", duration=0.5, molar_mass=750.2),
    ), name="standin-combination")


#: Registry hooks read by :mod:`mechsim.scenarios` (a model, no scenarios).
MODELS = {STANDIN_NAME: standin_network}
SCENARIOS: tuple = ()
