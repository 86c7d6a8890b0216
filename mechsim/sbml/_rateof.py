"""The ``rateOf`` csymbol: replaced, at import, by the right-hand side it names.

SBML Level 3 Version 2 (section 3.4.6) defines ``rateOf(x)`` as the instantaneous rate of
change of x's *value* with respect to time:

* a species changed by reactions: its net rate ``dn/dt = sum_r cf * nu_r * v_r`` (amount
  per time; ``cf`` the conversion factor); for a species whose value is a concentration,
  ``d[S]/dt = (dn/dt) / V - [S] * rateOf(V) / V`` (the second term vanishes for a
  constant compartment);
* a rate-rule variable: the rule's expression;
* an assignment-rule variable: the time derivative of the rule's expression by the chain
  rule, ``sum_y (de/dy) rateOf(y) + de/dt``;
* anything else (constants, boundary species without rules, parameters changed only by
  events): 0.

The reader leaves ``RATE_OF(Symbol(x))`` in the math; :func:`resolve_rate_of` substitutes
these in every expression of a :class:`~mechsim.sbml._reader.RawModel`. A rate that
depends on itself through rateOf (``rateOf(x)`` inside the expression that defines x's
rate) is an algebraic loop and is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

from mechsim.errors import UnsupportedSBMLError
from mechsim.sbml._math import RATE_OF, TIME, to_number

if TYPE_CHECKING:
    from mechsim.sbml._reader import RawModel

__all__ = ["resolve_rate_of"]


class _Rates:
    def __init__(self, raw: RawModel) -> None:
        self.raw = raw
        self.cache: dict[str, sp.Expr] = {}
        self.stack: list[str] = []

    def net_amount_rate(self, sid: str) -> sp.Expr:
        raw, s = self.raw, self.raw.species[sid]
        cf = s.conversion_factor or raw.model_conversion_factor
        total: sp.Expr = sp.Integer(0)
        for rxn in raw.reactions:
            if rxn.flux is None:
                continue
            for pid, nu in rxn.participants:
                if pid == sid:
                    total += nu * to_number(rxn.flux)
        return total * sp.Symbol(cf) if cf else total

    def definition(self, x: str) -> sp.Expr:
        """The rate of x before its own rateOf calls are substituted."""
        raw = self.raw
        if x in raw.rate_rules:
            return to_number(raw.rate_rules[x])
        if x in raw.assignment_rules:
            e = to_number(raw.assignment_rules[x])
            out = sp.diff(e, TIME) if TIME in e.free_symbols else sp.Integer(0)
            for sym in e.free_symbols - {TIME}:
                d = sp.diff(e, sym)
                if d != 0:
                    out += d * RATE_OF(sym)
            return out
        if x in raw.species:
            s = raw.species[x]
            if s.boundary or s.constant:
                return sp.Integer(0)
            dn = self.net_amount_rate(x)
            if s.amount_based:
                return dn
            vol = sp.Symbol(s.compartment)
            return dn / vol - sp.Symbol(x) * RATE_OF(vol) / vol
        if any(r.id == x for r in raw.reactions):
            raise UnsupportedSBMLError(f"rateOf({x}): the rate of change of a reaction's rate "
                                       "is not defined by SBML")
        return sp.Integer(0)

    def rate(self, x: str) -> sp.Expr:
        if x in self.cache:
            return self.cache[x]
        if x in self.stack:
            loop = " -> ".join(f"rateOf({n})" for n in [*self.stack, x])
            raise UnsupportedSBMLError(
                f"the rateOf csymbol: {loop} depends on itself recursively (an algebraic loop)")
        self.stack.append(x)
        try:
            out = self.substitute(self.definition(x))
        finally:
            self.stack.pop()
        self.cache[x] = out
        return out

    def substitute(self, expr: sp.Basic) -> sp.Basic:
        calls = expr.atoms(RATE_OF) if isinstance(expr, sp.Basic) else set()
        if not calls:
            return expr
        subs = {}
        for call in calls:
            (arg,) = call.args
            if not isinstance(arg, sp.Symbol):
                raise UnsupportedSBMLError(f"rateOf({arg}): the argument must be an identifier")
            subs[call] = self.rate(arg.name)
        return expr.xreplace(subs)


def resolve_rate_of(raw: RawModel) -> None:
    """Replace every ``rateOf`` call in ``raw`` (in place) by the rate it names.

    Raises:
        UnsupportedSBMLError: for a rate that depends on itself through rateOf.
    """
    rates = _Rates(raw)
    sub = rates.substitute
    for d in (raw.initial_assignments, raw.assignment_rules, raw.rate_rules):
        for k in list(d):
            d[k] = sub(d[k])
    for rxn in raw.reactions:
        if rxn.flux is not None:
            rxn.flux = sub(rxn.flux)
        rxn.participants = [(sid, sub(nu)) for sid, nu in rxn.participants]
    raw.algebraic_rules = [(rid, sub(e)) for rid, e in raw.algebraic_rules]
    for ev in raw.events:
        ev.trigger = sub(ev.trigger)
        if ev.priority is not None:
            ev.priority = sub(ev.priority)
        if ev.delay is not None:
            ev.delay = sub(ev.delay)
        ev.assignments = [(t, sub(e)) for t, e in ev.assignments]
