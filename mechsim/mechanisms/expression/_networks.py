"""Networks of the expression scenarios: the calibrated mechanisms plus the oxidative and mRNA layers.

The layers are composed onto copies of the registered networks, the way the apoptosis
module is composed onto the drug mechanisms: the networks in :mod:`mechsim.scenarios`
(``trofosfamide``, ``trofosfamide-apoptosis``, ``ipm-hct116``, ``doxorubicin``, ...)
and their calibrated numbers are unchanged. In the composed trofosfamide networks the
constant-GSH aldehyde fragment is swapped for
:func:`~mechsim.mechanisms.trofosfamide._metabolism.dynamic_aldehyde_fragment` (dynamic
blood GSH, chloroacetaldehyde conjugation, GCL resynthesis with NRF2 feedback).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from mechsim.mechanisms.apoptosis._provenance import ParamRow, assumed, parameters
from mechsim.mechanisms.expression._oxidative import oxidative_parts, oxidative_rows
from mechsim.mechanisms.expression._transcription import (
    GENES,
    transcription_parts,
    transcription_rows,
)
from mechsim.network import Network, Observable, Parameter, RateRule

__all__ = [
    "build_cp_pbmc_network",
    "build_doxorubicin_oxidative",
    "build_mdck_network",
    "compose",
    "expression_rows",
]

_PARTS = ("species", "reactions", "assignment_rules", "rate_rules", "observables",
          "initial_assignments", "compartments")


def expression_rows() -> list[ParamRow]:
    """Parameters shared by the expression networks besides the oxidative/mRNA tables."""
    return [
        ("t_half_clearance", 2.0, "h", assumed(
            "a cell past MOMP is cleared from the blood (or detaches in culture) with t1/2 "
            "~2 h: caspase activation follows MOMP within minutes and apoptotic cells are "
            "engulfed within hours; not in kinetics.md; fittable"), ""),
    ]


def compose(net: Network, parts: Iterable[dict], params: Sequence[Parameter], *, name: str,
            drop_reactions: Iterable[str] = (), replace_species: Iterable = ()) -> Network:
    """``net`` plus ``parts`` (dicts of network fields) and ``params``.

    ``drop_reactions``: reaction names removed first (a swapped fragment);
    ``replace_species``: species objects replacing those of the same key. Species,
    assignment rules, initial assignments and parameters already present are kept (first
    one wins), so a fragment may restate what the network has.
    """
    drop = set(drop_reactions)
    new = {s.key: s for s in replace_species}
    fields = {k: list(getattr(net, k)) for k in _PARTS}
    fields["reactions"] = [r for r in fields["reactions"] if r.name not in drop]
    fields["species"] = [new.get(s.key, s) for s in fields["species"]]
    seen = {
        "species": {s.key for s in fields["species"]},
        "assignment_rules": {r.target for r in fields["assignment_rules"]},
        "initial_assignments": {a.target for a in fields["initial_assignments"]},
        "compartments": {c.name for c in fields["compartments"]},
    }
    key = {"species": lambda s: s.key, "assignment_rules": lambda r: r.target,
           "initial_assignments": lambda a: a.target, "compartments": lambda c: c.name}
    for part in parts:
        for field, items in part.items():
            for item in items:
                if field in seen:
                    k = key[field](item)
                    if k in seen[field]:
                        continue
                    seen[field].add(k)
                fields[field].append(item)
    names = {p.name for p in net.parameters}
    extra = []
    for p in params:
        if p.name not in names:
            extra.append(p)
            names.add(p.name)
    return Network(name=name, parameters=tuple(net.parameters) + tuple(extra),
                   events=net.events, description=net.description, metadata=net.metadata,
                   **{k: tuple(v) for k, v in fields.items()})


def _layer_parameters() -> tuple[Parameter, ...]:
    return parameters([*oxidative_rows(), *transcription_rows(), *expression_rows()])


def _readouts(thiol: str, cell: str, plasma: bool) -> dict:
    obs = [
        Observable("gsh_cell", f"{{glutathione@{thiol}}}", "uM", description="intracellular GSH"),
        Observable("gssg_cell", f"{{glutathione-disulfide@{thiol}}}", "uM"),
        Observable("h2o2_cell", f"{{hydrogen-peroxide@{thiol}}}", "uM", description="intracellular H2O2"),
        Observable("nrf2", f"{{NRF2@{cell}}}", "nM", description="NRF2 protein"),
        Observable("keap1_modified", "keap1_mod", description="KEAP1 fraction with modified cysteines"),
        Observable("gcl_activity", "gcl_activity", description="GCL activity relative to untreated"),
        Observable("momp_cleared", "momp_cleared",
                   description="committed (MOMP) cells cleared from the sample, fraction"),
        *(Observable(f"mrna_{g.symbol}", f"mrna_{g.symbol}",
                     description=f"{g.symbol} mRNA relative to untreated") for g in GENES),
    ]
    if plasma:
        obs.append(Observable("gsh_plasma", "{glutathione@plasma}", "uM", description="blood GSH"))
    rules = (RateRule(
        "momp_cleared", "log(2) / t_half_clearance * (bh3_ratio_max**n_momp / (R50_momp**n_momp + "
        "bh3_ratio_max**n_momp) - momp_cleared)", 0.0, "dimensionless",
        description="committed cells removed from the sample (first-order clearance lag)"),)
    return {"observables": tuple(obs), "rate_rules": rules}


def build_cp_pbmc_network() -> Network:
    """The trofosfamide mechanism with apoptosis, dynamic GSH, NRF2 and mRNAs.

    Used with cyclophosphamide doses into ``plasma`` for the El-Serafi PBMC scenario; the
    tumour compartments (``tumor``, uM; ``tumor_cell``, nM) stand for nucleated blood
    cells (see the scenario's parameter overrides). Units as the trofosfamide network.
    """
    from mechsim.mechanisms.trofosfamide._apoptosis import build_trofosfamide_apoptosis
    from mechsim.mechanisms.trofosfamide._common import species
    from mechsim.mechanisms.trofosfamide._metabolism import (
        aldehyde_fragment,
        dynamic_aldehyde_fragment,
    )
    from mechsim.mechanisms.trofosfamide._parameters import glutathione_parameters

    base = build_trofosfamide_apoptosis()
    old = aldehyde_fragment()
    new = dynamic_aldehyde_fragment(gcl_tumor="gcl_activity")
    parts = [
        {k: tuple(getattr(new, k)) for k in ("species", "reactions", "assignment_rules",
                                             "initial_assignments")},
        oxidative_parts("tumor", "tumor_cell", "GSH_tumor0",
                        electrophiles=("acrolein", "chloroacetaldehyde")),
        transcription_parts("tumor_cell"),
        _readouts("tumor", "tumor_cell", plasma=True),
    ]
    return compose(base, parts, [*glutathione_parameters(), *_layer_parameters()],
                   name="cyclophosphamide-pbmc-expression",
                   drop_reactions=[r.name for r in old.reactions],
                   replace_species=[species("glutathione", "plasma")])


def _mdck_parameters() -> list[Parameter]:
    from mechsim.mechanisms.trofosfamide._provenance import assumed as t_assumed
    from mechsim.mechanisms.trofosfamide._provenance import param

    return [
        param("V_medium", 1.0, "mL", t_assumed("nominal medium volume per well")),
        param("V_cells", 1.0, "uL", t_assumed(
            "pooled intracellular volume of ~5e5 cells of ~2 pL; small against the medium, "
            "as in the Hong 2019 HCT116 set-up")),
        param("pH_medium", 7.4, "dimensionless", t_assumed("buffered culture medium"), (7.0, 7.8),
              scale="lin"),
        param("pH_cells", 7.2, "dimensionless", t_assumed("cytosol/nucleus pH, as pH_tumor"), (6.8, 7.6),
              scale="lin"),
        param("cell_density_cells", 5.0e11, "cell/L", t_assumed(
            "one cell per 2 pL of intracellular volume, as the tumour and HCT116 models"), (2e11, 2e12)),
        param("GSH_cells0", 5000.0, "uM", t_assumed("intracellular GSH ~5 mM, as GSH_tumor0"),
              (500.0, 15000.0)),
        param("k_cyp_mdck", 0.01, "1/h", t_assumed(
            "IFO 4-hydroxylation inside MDCK-like renal epithelial cells: ~1 % of the hepatic "
            "rate per tissue volume (CLint_IFO_4OH / V_liver ~ 0.9 1/h), for a line with little "
            "CYP3A/2B6; the MDCK study's metabolic competence is not in the seed; fittable"),
              (1e-4, 1.0)),
    ]


def build_mdck_network() -> Network:
    """MDCK-like cells in medium with ifosfamide: intracellular CYP activation to IPM,
    acrolein and chloroacetaldehyde, mustard chemistry and DNA, apoptosis, GSH/NRF2, mRNAs.

    Compartments ``medium`` and ``cells`` (uM), ``tumor_cell`` (signalling, nM); time h.
    Dose ``ifosfamide`` into ``medium`` (umol).
    """
    from mechsim.mechanisms.apoptosis import apoptosis_module
    from mechsim.mechanisms.trofosfamide._apoptosis import coupling_parameters
    from mechsim.mechanisms.trofosfamide._chemistry import mustard_chemistry
    from mechsim.mechanisms.trofosfamide._common import Fragment
    from mechsim.mechanisms.trofosfamide._dna import dna_fragment
    from mechsim.mechanisms.trofosfamide._hong2019 import icl_per_cell_formula
    from mechsim.mechanisms.trofosfamide._metabolism import (
        activation_fragment,
        glutathione_fragment,
    )
    from mechsim.mechanisms.trofosfamide._network import _network
    from mechsim.mechanisms.trofosfamide._parameters import glutathione_parameters
    from mechsim.network import AssignmentRule, Compartment, Expression, InitialAssignment, Reaction

    f = Fragment()
    f.need("medium", "ifosfamide", "isophosphoramide-mustard", "acrolein", "chloroacetaldehyde")
    f.need("cells", "ifosfamide", "4-hydroxyifosfamide", "2-dechloroethylifosfamide",
           "3-dechloroethylifosfamide", "chloroacetaldehyde")
    f.assignment_rules += [
        AssignmentRule("CL_cells_mustard", "k_membrane_mustard * V_cells", "L/h"),
        AssignmentRule("f_4OH_IFO", "1 - f_renal_IFO - f_2DCE_IFO - f_3DCE_IFO"),
    ]
    f.reactions += [
        Reaction(f"{abbr}_membrane_exchange", {f"{s}@medium": 1},
                 {f"{s}@cells": 1}, Expression(f"CL_cells_mustard * ({{{s}@medium}} - {{{s}@cells}})"),
                 "medium", description="passive membrane exchange at the mustards' rate (Hong 2019; "
                 "assumed for the parent and the small aldehydes)")
        for abbr, s in (("ifo", "ifosfamide"), ("ipm", "isophosphoramide-mustard"),
                        ("acrolein", "acrolein"), ("caa", "chloroacetaldehyde"))
    ]
    f.reactions += [
        Reaction("ifo_4_hydroxylation_cells", {"ifosfamide": 1}, {"4-hydroxyifosfamide": 1},
                 Expression("k_cyp_mdck * {ifosfamide}"), "cells", enzyme="CYP3A4",
                 transformation="ifosfamide-4-hydroxylation"),
        Reaction("ifo_n2_dechloroethylation_cells", {"ifosfamide": 1},
                 {"2-dechloroethylifosfamide": 1, "chloroacetaldehyde": 1},
                 Expression("k_cyp_mdck * f_2DCE_IFO / f_4OH_IFO * {ifosfamide}"), "cells",
                 enzyme="CYP3A4", transformation="ifosfamide-2-dechloroethylation",
                 description="branching to 4-hydroxylation as in human liver (assumed)"),
        Reaction("ifo_n3_dechloroethylation_cells", {"ifosfamide": 1},
                 {"3-dechloroethylifosfamide": 1, "chloroacetaldehyde": 1},
                 Expression("k_cyp_mdck * f_3DCE_IFO / f_4OH_IFO * {ifosfamide}"), "cells",
                 enzyme="CYP3A4", transformation="ifosfamide-3-dechloroethylation",
                 description="branching to 4-hydroxylation as in human liver (assumed)"),
    ]
    f.extend(activation_fragment("cells", drugs=("IFO",), aldh=False, keto=False))
    f.extend(mustard_chemistry("medium", "pH_medium", mustards=("IPM",)))
    f.extend(mustard_chemistry("cells", "pH_cells", gsh=True, dna=True, cell=True, mustards=("IPM",)))
    f.extend(dna_fragment("cells", "pH_cells", mustards=("IPM",), cell_density="cell_density_cells"))
    f.extend(glutathione_fragment("cells", "GSH_cells0", "t_half_GSH_turnover"))  # GCL = 1 until NRF2 joins
    f.initial_assignments.append(InitialAssignment("cells.glutathione", "GSH_cells0", "uM"))
    comps = [Compartment("medium", "V_medium", "pH_medium", "culture medium"),
             Compartment("cells", "V_cells", "pH_cells", "pooled intracellular volume of the cells")]
    chem = _network("ifosfamide-mdck-chemistry", comps, f,
                    [*_mdck_parameters(), *glutathione_parameters()],
                    description="MDCK-like cells in medium with ifosfamide (issue #23)")
    net = apoptosis_module(
        f"dsb_per_icl * ({icl_per_cell_formula()})", "tumor_cell", damage_unit="1/cell",
        upstream=chem, extra_parameters=coupling_parameters(), name="ifosfamide-mdck-apoptosis")
    induced = [r for r in glutathione_fragment("cells", "GSH_cells0", "t_half_GSH_turnover",
                                               gcl="gcl_activity").reactions if r.name == "gsh_synthesis_cells"]
    parts = [
        {"reactions": tuple(induced)},
        oxidative_parts("cells", "tumor_cell", "GSH_cells0",
                        electrophiles=("acrolein", "chloroacetaldehyde")),
        transcription_parts("tumor_cell"),
        _readouts("cells", "tumor_cell", plasma=False),
    ]
    return compose(net, parts, _layer_parameters(), name="ifosfamide-mdck-expression",
                   drop_reactions=["gsh_synthesis_cells"])


def build_doxorubicin_oxidative(conjugate: bool = False) -> Network:
    """Doxorubicin (or aldoxorubicin) with redox cycling, a GSH pool, NRF2 and mRNAs.

    The GSH pool (``glutathione`` in ``tumor_cell``, uM, baseline ``GSH_tumor0``) is
    made, turned over and oxidised by the H2O2 that doxorubicin's redox cycling adds to
    the basal production (:mod:`mechsim.mechanisms.aldoxorubicin._ros`). NRF2 is in the
    same compartment (nM).
    """
    from mechsim.mechanisms.aldoxorubicin import build_aldoxorubicin, build_doxorubicin
    from mechsim.mechanisms.aldoxorubicin._ros import ROS_FORMULA, ros_rows
    from mechsim.mechanisms.trofosfamide._metabolism import glutathione_fragment
    from mechsim.mechanisms.trofosfamide._parameters import all_parameters, glutathione_parameters

    base = build_aldoxorubicin() if conjugate else build_doxorubicin()
    gsh = glutathione_fragment("tumor_cell", "GSH_tumor0", "t_half_GSH_turnover", gcl="gcl_activity")
    wanted = {"GSH_tumor0", "t_half_GSH_turnover", "k_acrolein_GSH", "t_half_acrolein_GSH_reverse",
              "k_elim_acrolein_GSH"}
    from mechsim.network import InitialAssignment

    parts = [
        {"species": tuple(replace(s, unit="uM") for s in gsh.species),
         "reactions": tuple(gsh.reactions), "assignment_rules": tuple(gsh.assignment_rules),
         "initial_assignments": (InitialAssignment("tumor_cell.glutathione", "GSH_tumor0", "uM"),)},
        oxidative_parts("tumor_cell", "tumor_cell", "GSH_tumor0", ros=ROS_FORMULA),
        transcription_parts("tumor_cell"),
        _readouts("tumor_cell", "tumor_cell", plasma=False),
    ]
    params = [p for p in all_parameters() if p.name in wanted]
    params += [*glutathione_parameters(), *parameters(ros_rows()), *_layer_parameters()]
    return compose(base, parts, params, name=f"{base.name}-oxidative")
