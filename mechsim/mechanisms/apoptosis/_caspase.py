"""Apoptosome -> caspase-9 -> caspase-3 with XIAP feedback (Legewie et al. 2006).

The 13 species and 28 reactions of Legewie, Bluthgen & Herzel 2006 (PLoS Comput Biol
2:e120; BIOMD0000000102, wild type) with their published constants in nM and s; pint
converts them to mechsim's internal units (uM, h), so a constant of 0.002 nM^-1 s^-1
becomes 7200 uM^-1 h^-1. XIAP binds and inhibits caspase-9 and caspase-3 and is
sequestered by active caspase-3: the implicit positive feedback that makes caspase-3
activation bistable and irreversible. One change: Legewie start with active Apaf-1
(apoptosome) present; here apoptosome is made only from released cytochrome c (its
production term ``k16prod`` is multiplied by the released fraction of the representative
cell), so before MOMP the cascade rests in its off state.

Caspase-3 cleaves a reporter substrate (PARP-like) with the constant and substrate level
of Rehm et al. 2006 (BIOMD0000000256: k53 = 12 uM^-1 min^-1, 1 uM substrate).
"""

from __future__ import annotations

from mechsim.mechanisms.apoptosis._provenance import ParamRow, assumed, cited
from mechsim.network import Expression, Reaction, Species

__all__ = ["caspase_parts", "caspase_rows"]

_L = "Legewie 2006, BIOMD0000000102"

#: Legewie symbol -> (species name, description, wild-type initial nM).
SPECIES: dict[str, tuple[str, str, float]] = {
    "A": ("apoptosome", "Apaf-1/cytochrome c apoptosome (Legewie A)", 0.0),
    "C9": ("procaspase-9", "caspase-9 (uncleaved)", 20.0),
    "X": ("XIAP", "X-linked inhibitor of apoptosis", 40.0),
    "C9X": ("procaspase-9-XIAP", "", 0.0),
    "AC9": ("apoptosome-procaspase-9", "", 0.0),
    "AC9X": ("apoptosome-procaspase-9-XIAP", "", 0.0),
    "C3": ("procaspase-3", "caspase-3 (uncleaved)", 200.0),
    "C3s": ("caspase-3", "cleaved, active caspase-3", 0.0),
    "C3sX": ("caspase-3-XIAP", "", 0.0),
    "C9s": ("caspase-9", "cleaved caspase-9", 0.0),
    "C9sX": ("caspase-9-XIAP", "", 0.0),
    "AC9s": ("apoptosome-caspase-9", "", 0.0),
    "AC9sX": ("apoptosome-caspase-9-XIAP", "", 0.0),
}

# (reaction id, reactants, products, Legewie rate expression in Legewie symbols)
_REACTIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str], ...] = (
    ("v1", ("A", "C9"), ("AC9",), "k1*A*C9 - kb1*AC9"),
    ("v2", ("C3",), ("C3s",), "k2*C3*C9"),
    ("v3", ("C3",), ("C3s",), "k3*C3*AC9"),
    ("v4", ("C9",), ("C9s",), "k4*C9*C3s"),
    ("v5", ("AC9",), ("AC9s",), "k5*AC9*C3s"),
    ("v6", ("C3",), ("C3s",), "k6*C3*C9s"),
    ("v7", ("C3",), ("C3s",), "k7*C3*AC9s"),
    ("v8", ("C9s", "A"), ("AC9s",), "k8*C9s*A - k8b*AC9s"),
    ("v9", ("C9", "X"), ("C9X",), "k9*C9*X - k9b*C9X"),
    ("v10", ("AC9", "X"), ("AC9X",), "k10*AC9*X - k10b*AC9X"),
    ("v11", ("C9s", "X"), ("C9sX",), "k11*C9s*X - k11b*C9sX"),
    ("v12", ("AC9s", "X"), ("AC9sX",), "k12*AC9s*X - k12b*AC9sX"),
    ("v13", ("C9X", "A"), ("AC9X",), "k13*C9X*A - k13b*AC9X"),
    ("v14", ("C9sX", "A"), ("AC9sX",), "k14*C9sX*A - k14b*AC9sX"),
    ("v15", ("C3s", "X"), ("C3sX",), "k15*C3s*X - k15b*C3sX"),
    ("v16", (), ("A",), "k16prod*cytc_released - k16*A"),
    ("v17", (), ("C9",), "k17prod - k17*C9"),
    ("v18", (), ("X",), "k18prod - k18*X"),
    ("v19", ("C9X",), (), "k19*C9X"),
    ("v20", ("AC9X",), (), "k20*AC9X"),
    ("v21", ("AC9",), (), "k21*AC9"),
    ("v22", (), ("C3",), "k22prod - k22*C3"),
    ("v23", ("C3s",), (), "k23*C3s"),
    ("v24", ("C3sX",), (), "k24*C3sX"),
    ("v25", ("C9sX",), (), "k25*C9sX"),
    ("v26", ("C9s",), (), "k26*C9s"),
    ("v27", ("AC9s",), (), "k27*AC9s"),
    ("v28", ("AC9sX",), (), "k28*AC9sX"),
)

_VALUES = {
    "k1": 0.002, "kb1": 0.1, "k2": 5e-06, "k3": 0.00035, "k4": 0.0002, "k5": 0.0002,
    "k6": 5e-05, "k7": 0.0035, "k8": 0.002, "k8b": 0.1, "k9": 0.001, "k9b": 0.001,
    "k10": 0.001, "k10b": 0.001, "k11": 0.001, "k11b": 0.001, "k12": 0.001, "k12b": 0.001,
    "k13": 0.002, "k13b": 0.1, "k14": 0.002, "k14b": 0.1, "k15": 0.003, "k15b": 0.001,
    "k16": 0.001, "k16prod": 0.02, "k17": 0.001, "k17prod": 0.02, "k18": 0.001,
    "k18prod": 0.04, "k19": 0.001, "k20": 0.001, "k21": 0.001, "k22": 0.001,
    "k22prod": 0.2, "k23": 0.001, "k24": 0.001, "k25": 0.001, "k26": 0.001, "k27": 0.001,
    "k28": 0.001,
}
_SECOND_ORDER = {"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12",
                 "k13", "k14", "k15"}


def caspase_rows() -> list[ParamRow]:
    """Legewie's constants (declared in their published nM/s units) and Rehm's substrate."""
    rows: list[ParamRow] = []
    for name, value in _VALUES.items():
        unit = "1/nM/s" if name in _SECOND_ORDER else ("nM/s" if name.endswith("prod") else "1/s")
        rows.append((f"casp_{name}", value, unit, cited(f"{_L}: {name} = {value} {unit}"), ""))
    rows += [
        ("k_substrate_turnover", 1.0, "1/h", assumed(
            "resynthesis of the substrate and clearance of its fragments; keeps the basal "
            "caspase-3 activity of Legewie's off state (~0.06 nM) from cleaving the reporter "
            "over days (basal cleaved fraction ~4 %); fittable"), ""),
        ("k_substrate", 12.0, "1/uM/min", cited(
            "Rehm 2006 BIOMD0000000256 k53 = 12 uM^-1 min^-1 (caspase-3 substrate cleavage)"), ""),
    ]
    return rows


def caspase_parts(comp: str, init: dict[str, float] | None = None) -> dict:
    """Species and reactions of the caspase cascade and substrate cleavage in ``comp``.

    ``init`` overrides the Legewie wild-type initial values (nM), e.g. with the baseline
    steady state of the coupled module.
    """
    init = init or {}
    species = [Species(name, comp, init.get(name, value), "nM", description=desc)
               for name, desc, value in SPECIES.values()]
    species += [
        Species("substrate", comp, init.get("substrate", 1000.0), "nM",
                description="caspase-3 substrate (PARP-like reporter), 1 uM total as Rehm 2006"),
        Species("substrate-cleaved", comp, init.get("substrate-cleaved", 0.0), "nM",
                description="cleaved substrate"),
    ]
    reactions = []
    for rid, reac, prod, rate in _REACTIONS:
        formula = _translate(rate)
        reactions.append(Reaction(
            f"casp_{rid}", {SPECIES[s][0]: 1 for s in reac}, {SPECIES[s][0]: 1 for s in prod},
            Expression(formula), comp, description=f"{_L} reaction {rid}",
        ))
    reactions.append(Reaction(
        "substrate_cleavage", {"substrate": 1}, {"substrate-cleaved": 1},
        Expression("k_substrate * {caspase-3} * {substrate}"), comp, modifiers=("caspase-3",),
    ))
    reactions += [
        Reaction("substrate_resynthesis", {}, {"substrate": 1},
                 Expression("k_substrate_turnover * ({substrate} + {substrate-cleaved})"), comp),
        Reaction("substrate_turnover", {"substrate": 1}, {},
                 Expression("k_substrate_turnover * {substrate}"), comp),
        Reaction("cleaved_substrate_clearance", {"substrate-cleaved": 1}, {},
                 Expression("k_substrate_turnover * {substrate-cleaved}"), comp),
    ]
    return {"species": tuple(species), "reactions": tuple(reactions)}


def _translate(rate: str) -> str:
    """Legewie symbols -> mechsim formula (species in braces, constants prefixed)."""
    import re

    def sub(m: re.Match) -> str:
        tok = m.group(0)
        if tok in SPECIES:
            return "{" + SPECIES[tok][0] + "}"
        if tok in _VALUES:
            return f"casp_{tok}"
        return tok

    return re.sub(r"[A-Za-z_][A-Za-z0-9_]*", sub, rate)
