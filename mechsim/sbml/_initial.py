"""Values of every SBML quantity at t = 0.

SBML defines initial values through attributes, initial assignments (which override
them) and assignment rules (which hold at all times, t = 0 included), in any order of
dependency. :func:`initial_values` evaluates them recursively, raising on cycles.
"""

from __future__ import annotations

import math

import sympy as sp

from mechsim.errors import UnsupportedSBMLError
from mechsim.sbml._math import TIME, to_number
from mechsim.sbml._reader import RawModel

__all__ = ["initial_expressions", "initial_values"]


def initial_expressions(raw: RawModel) -> dict[str, sp.Basic]:
    """Per SBML id, the expression (in raw ids) that defines its value at t = 0."""
    out: dict[str, sp.Basic] = {}
    for cid, (size, _, _) in raw.compartments.items():
        out[cid] = size
    for sid, s in raw.species.items():
        out[sid] = s.initial
    for pid, (value, _) in raw.parameters.items():
        out[pid] = value
    for rid, (value, _) in raw.species_refs.items():
        out[rid] = value
    for key, (_, _, value) in raw.local_parameters.items():
        out[key] = sp.Float(value)
    for rxn in raw.reactions:
        out[rxn.id] = rxn.flux if rxn.flux is not None else sp.Integer(0)
    out.update(raw.initial_assignments)
    out.update(raw.assignment_rules)
    return out


def initial_values(raw: RawModel) -> dict[str, float]:
    """Numeric value at t = 0 of every SBML id (species: their SBML value).

    Raises:
        UnsupportedSBMLError: if initial assignments and assignment rules form a cycle.
    """
    exprs = initial_expressions(raw)
    values: dict[str, float] = {}
    visiting: list[str] = []

    def value(name: str) -> float:
        if name in values:
            return values[name]
        if name in visiting:
            cycle = " -> ".join([*visiting, name])
            raise UnsupportedSBMLError(f"initial values form a cycle: {cycle}")
        visiting.append(name)
        expr = to_number(exprs[name])
        subs = {sym: sp.Float(value(sym.name)) if _finite(value(sym.name)) else _special(value(sym.name))
                for sym in expr.free_symbols if sym != TIME}
        subs[TIME] = sp.Integer(0)
        result = expr.xreplace(subs)
        visiting.pop()
        values[name] = _to_float(result, name)
        return values[name]

    for name in exprs:
        value(name)
    return values


def _finite(x: float) -> bool:
    return math.isfinite(x)


def _special(x: float) -> sp.Expr:
    if math.isnan(x):
        return sp.nan
    return sp.oo if x > 0 else -sp.oo


def _to_float(expr: sp.Basic, name: str) -> float:
    expr = to_number(expr)
    try:
        return float(sp.N(expr, 17))
    except (TypeError, ValueError):
        evaluated = sp.N(expr.doit(), 17)
        if evaluated in (sp.zoo, sp.nan):
            return math.nan
        try:
            return float(evaluated)
        except (TypeError, ValueError):
            raise UnsupportedSBMLError(
                f"initial value of {name!r} does not evaluate to a number: {evaluated}"
            ) from None
