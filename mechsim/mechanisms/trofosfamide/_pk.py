"""Compartments, oral absorption, distribution and renal elimination.

Physiology: oral trofosfamide (TRO) is absorbed first order from ``gut`` into the
``liver`` (portal route, so the first pass emerges from hepatic metabolism); the liver
exchanges the parents with ``plasma`` at hepatic blood flow; parents distribute into a
``peripheral`` tissue compartment; reactive metabolites reach the ``tumor``; polar
products are filtered into ``urine``, which accumulates so the phosphorus balance closes.
Concentrations in uM, clearances in L/h, rate constants in 1/h.
"""

from __future__ import annotations

from mechsim.mechanisms.trofosfamide._common import Fragment, species
from mechsim.network import Compartment, Expression, Reaction, Transport

__all__ = ["HYDROXY", "PARENTS", "compartments", "hydroxy_distribution_fragment", "pk_fragment",
           "renal_fragment"]

#: The three oxazaphosphorine prodrugs, which distribute into tissue and are CYP substrates.
PARENTS: tuple[str, ...] = ("trofosfamide", "ifosfamide", "cyclophosphamide")

_PARTITION = {"trofosfamide": "Kp_TRO"}

#: The 4-hydroxy metabolites, which leave plasma into a tissue pool (partition ``Kp_4OH``).
HYDROXY: tuple[str, ...] = ("4-hydroxytrofosfamide", "4-hydroxyifosfamide", "4-hydroxycyclophosphamide")

#: (plasma species, urine species, clearance parameter) of every renal route.
_RENAL: tuple[tuple[str, str, str], ...] = (
    ("trofosfamide", "trofosfamide", "CL_renal_TRO"),
    ("ifosfamide", "ifosfamide", "CL_renal_IFO"),
    ("cyclophosphamide", "cyclophosphamide", "CL_renal_CP"),
    *((s, s, "CL_renal_metab") for s in (
        "2-dechloroethylifosfamide", "3-dechloroethylifosfamide", "4-ketoifosfamide",
        "4-ketocyclophosphamide", "carboxytrofosfamide", "carboxyifosfamide",
        "carboxyphosphamide", "isophosphoramide-mustard", "phosphoramide-mustard",
        "trofosfamide-mustard",
    )),
    *((s, "other-phosphorus-metabolites", "CL_renal_metab") for s in (
        "isophosphoramide-mustard-aziridine", "isophosphoramide-mustard-hydroxy",
        "phosphoramide-mustard-hydroxy", "isophosphoramide-mustard-pn-cleavage-products",
        "phosphoramide-mustard-pn-cleavage-products",
        "isophosphoramide-mustard-bisalkylation-products",
        "phosphoramide-mustard-bisalkylation-products",
        "trofosfamide-mustard-hydroxy", "trofosfamide-mustard-pn-cleavage-products",
        "trofosfamide-mustard-bisalkylation-products",
    )),
)


def compartments() -> list[Compartment]:
    """``gut``, ``liver``, ``plasma``, ``peripheral``, ``tumor`` and ``urine``."""
    return [
        Compartment("gut", "V_gut", None, "gastrointestinal lumen (oral doses)"),
        Compartment("liver", "V_liver", None, "liver: first pass and CYP metabolism"),
        Compartment("plasma", "V_plasma", "pH_plasma", "central compartment (blood + extracellular water)"),
        Compartment("peripheral", "V_peripheral", None, "tissue water reached by the parents"),
        Compartment("tumor", "V_tumor", "pH_tumor", "tumour tissue (cells and their DNA)"),
        Compartment("urine", "V_urine", None, "cumulative urine (amounts)"),
    ]


def pk_fragment() -> Fragment:
    """Absorption of TRO, liver <-> plasma exchange and peripheral distribution of the parents."""
    f = Fragment()
    f.add_species(species("trofosfamide", "gut", "umol"))
    for comp in ("liver", "plasma", "peripheral"):
        f.need(comp, *PARENTS)
    f.reactions.append(Reaction(
        "tro_absorption", {"trofosfamide@gut": 1}, {"trofosfamide@liver": 1},
        Transport("ka_TRO"), "gut", description="first-order oral absorption into the portal vein",
    ))
    for drug in PARENTS:
        short = _short(drug)
        f.reactions.append(Reaction(
            f"{short}_hepatic_exchange", {f"{drug}@plasma": 1}, {f"{drug}@liver": 1},
            Transport("Q_h", reversible=True), "plasma",
            description="hepatic blood flow, partition coefficient 1",
        ))
        kp = _PARTITION.get(drug)
        back = f"{{{drug}@peripheral}} / {kp}" if kp else f"{{{drug}@peripheral}}"
        f.reactions.append(Reaction(
            f"{short}_distribution", {f"{drug}@plasma": 1}, {f"{drug}@peripheral": 1},
            Expression(f"Q_peripheral * ({{{drug}@plasma}} - {back})"), "plasma",
            description="flow-limited tissue distribution" + (f" (partition {kp})" if kp else ""),
        ))
    return f


def hydroxy_distribution_fragment() -> Fragment:
    """Flow-limited exchange of the 4-OH metabolites with a tissue pool (``peripheral``).

    Assumed structure: the 4-OH metabolites are taken to cross cell membranes (4-OH-CP is
    usually described as the transport form that carries activation into cells; that is
    not in kinetics.md), so they are not confined to plasma. Their tissue pool exchanges at ``Q_peripheral`` with partition ``Kp_4OH`` (fitted to the Preiss
    2004 4-OH-TRO peak) and is taken as chemically inert while there (assumed: the
    ring-closed carbinolamine returns to plasma before it opens and eliminates; no
    tissue ring-opening or ALDH rate is available).
    """
    f = Fragment()
    for s in HYDROXY:
        f.need("plasma", s)
        f.need("peripheral", s)
        f.reactions.append(Reaction(
            f"oh_{_short_oh(s)}_distribution", {f"{s}@plasma": 1}, {f"{s}@peripheral": 1},
            Expression(f"Q_peripheral * ({{{s}@plasma}} - {{{s}@peripheral}} / Kp_4OH)"), "plasma",
            description="flow-limited tissue distribution of the 4-OH metabolite (partition Kp_4OH)"))
    return f


def renal_fragment() -> Fragment:
    """Glomerular/renal elimination of parents and P-containing products into ``urine``."""
    f = Fragment()
    for src, dst, cl in _RENAL:
        f.need("plasma", src)
        f.add_species(species(dst, "urine", "umol"))
        f.reactions.append(Reaction(
            f"renal_{_ident(src)}", {f"{src}@plasma": 1}, {f"{dst}@urine": 1},
            Transport(cl), "plasma", description=f"renal excretion, clearance {cl}",
        ))
    return f


def _short(drug: str) -> str:
    return {"trofosfamide": "tro", "ifosfamide": "ifo", "cyclophosphamide": "cp"}[drug]


def _ident(name: str) -> str:
    """A reaction-name-safe form of a species name."""
    return name.replace("-", "_")


def _short_oh(hydroxy: str) -> str:
    """``tro``/``ifo``/``cp`` for a 4-hydroxy metabolite."""
    return _short(hydroxy.removeprefix("4-hydroxy"))
