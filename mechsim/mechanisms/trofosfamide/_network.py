"""Assemble the trofosfamide network and its in-vitro calibration sub-networks."""

from __future__ import annotations

from mechsim.mechanisms.trofosfamide._chemistry import MUSTARDS, mustard_chemistry
from mechsim.mechanisms.trofosfamide._common import PHOSPHORUS_SPECIES, Fragment
from mechsim.mechanisms.trofosfamide._dna import dna_fragment, dna_observables
from mechsim.mechanisms.trofosfamide._metabolism import (
    activation_fragment,
    aldehyde_fragment,
    cyp_fragment,
    tumor_uptake_fragment,
)
from mechsim.mechanisms.trofosfamide._parameters import all_parameters
from mechsim.mechanisms.trofosfamide._pk import (
    compartments,
    hydroxy_distribution_fragment,
    pk_fragment,
    renal_fragment,
)
from mechsim.mechanisms.trofosfamide._provenance import assumed, param
from mechsim.mechanisms.trofosfamide._transformations import annotate
from mechsim.network import (
    AssignmentRule,
    Compartment,
    Expression,
    InitialAssignment,
    Network,
    Observable,
    RateRule,
    Reaction,
)

__all__ = ["build_blood_network", "build_network", "build_vitro_network", "phosphorus_formula"]


def _mustard_uptake() -> Fragment:
    f = Fragment()
    f.assignment_rules.append(AssignmentRule("CL_tumor_mustard", "k_membrane_mustard * V_tumor", "L/h"))
    for mustard, *_ in MUSTARDS.values():
        f.need("plasma", mustard)
        f.need("tumor", mustard)
        f.reactions.append(Reaction(
            f"tumor_exchange_{mustard.replace('-', '_')}", {f"{mustard}@plasma": 1}, {f"{mustard}@tumor": 1},
            Expression(f"CL_tumor_mustard * ({{{mustard}@plasma}} - {{{mustard}@tumor}})"), "plasma",
            description="passive membrane exchange, k_in = k_out (Hong 2019; IPM's value for all three)"))
    return f


def phosphorus_formula(species) -> str:
    """Expression for the total amount (umol) of the P-containing ``species`` (Species objects)."""
    return " + ".join(f"{{amount:{s.name}@{s.compartment}}}" for s in species
                      if s.name in PHOSPHORUS_SPECIES)


def _exposure() -> Fragment:
    f = Fragment()
    for name, sp in (("acrolein", "acrolein"), ("chloroacetaldehyde", "chloroacetaldehyde")):
        f.rate_rules.append(RateRule(f"auc_{name}_plasma", f"{{{sp}@plasma}}", 0.0, "uM*h",
                                     description=f"cumulative plasma exposure to {name}"))
        f.observables += [
            Observable(f"{name}_plasma", f"{{{sp}@plasma}}", "uM", description=f"plasma {name} concentration"),
            Observable(f"{name}_auc_plasma", f"auc_{name}_plasma", "uM*h",
                       description=f"plasma {name} AUC from t = 0"),
        ]
    return f


def _network(name: str, comps, frag: Fragment, extra_params=(), description: str = "") -> Network:
    obs = [*frag.observables, Observable(
        "total_phosphorus", phosphorus_formula(frag.species), "umol",
        description="all P-containing species incl. urine and DNA adducts (conserved)")]
    return Network(
        name=name, compartments=tuple(comps), species=tuple(frag.species),
        parameters=tuple(all_parameters()) + tuple(extra_params), reactions=tuple(annotate(frag.reactions)),
        assignment_rules=tuple(frag.assignment_rules), rate_rules=tuple(frag.rate_rules),
        observables=tuple(obs), initial_assignments=tuple(frag.initial_assignments),
        description=description,
    )


def build_network() -> Network:
    """The whole-body trofosfamide mechanism (PK, metabolism, mustard chemistry, tumour DNA).

    Oral doses go to ``trofosfamide`` in ``gut``; plasma and tumour species are in uM, gut
    and urine contents in umol, time in h. Observables: acrolein/chloroacetaldehyde in
    plasma, DNA adducts per 1e6 nt, ``dna_damage_signal`` (ICLs per tumour cell) and
    ``total_phosphorus`` (umol, conserved).
    """
    frag = Fragment()
    for part in (
        pk_fragment(), cyp_fragment(), activation_fragment("plasma"), hydroxy_distribution_fragment(),
        activation_fragment("tumor", aldh=False, keto=False),
        tumor_uptake_fragment(), _mustard_uptake(), aldehyde_fragment(),
        mustard_chemistry("plasma", "pH_plasma"),
        mustard_chemistry("tumor", "pH_tumor", gsh=True, dna=True, cell=True),
        dna_fragment("tumor", "pH_tumor"), renal_fragment(), _exposure(),
    ):
        frag.extend(part)
    frag.observables.extend(dna_observables())
    return _network("trofosfamide", compartments(), frag, description=(
        "Trofosfamide (oral) -> IFO/CP/4-OH metabolites -> TRO mustard/IPM/PM -> aziridinium -> "
        "tumour guanine-N7 adducts and cross-links; issues #4, #17"))


def build_vitro_network() -> Network:
    """Buffer at 37 C (``vial``, pH ``pH_vitro``) with PM/IPM chemistry, thiosulfate and DNA.

    Starts with ``PM_vitro`` phosphoramide mustard and ``thiosulfate_vitro`` thiosulfate
    (set it to 0 for water alone): the Shulman-Roskes 1998 experiment. A monoadduct
    initial state (``y0``) reproduces the Mehta 1980 adduct-decay experiment.
    """
    frag = mustard_chemistry("vial", "pH_vitro", thiosulfate=True, dna=True, mustards=("IPM", "PM"))
    frag.extend(dna_fragment("vial", "pH_vitro", repair=False, mustards=("IPM", "PM")))
    frag.initial_assignments += [
        InitialAssignment("vial.phosphoramide-mustard", "PM_vitro", "uM"),
        InitialAssignment("vial.thiosulfate", "thiosulfate_vitro", "uM"),
    ]
    extra = [param("V_vial", 1.0, "mL", assumed("nominal reaction volume; results are intensive"))]
    return _network("trofosfamide-mustard-vitro", [Compartment("vial", "V_vial", "pH_vitro")], frag, extra)


def build_blood_network() -> Network:
    """Whole blood in vitro (37 C): 4-OH-X <=> aldo-X, beta-elimination and erythrocyte ALDH.

    Reproduces the 4-OH-CP blood half-life experiment (Johansson 1994); no renal loss,
    no tumour, no hepatic 4-keto formation.
    """
    frag = activation_fragment("blood", keto=False)
    extra = [param("V_blood", 1.0, "mL", assumed("nominal sample volume; results are intensive")),
             param("pH_blood", 7.4, "dimensionless", assumed("physiological blood pH"), (7.0, 7.8),
                   scale="lin")]
    return _network("trofosfamide-blood-vitro", [Compartment("blood", "V_blood", "pH_blood")], frag, extra)
