"""Formulas written by users (rate expressions, rules, observables, event triggers).

``{name}`` or ``{name@compartment}`` is a species concentration, ``{amount: name@c}`` its
amount, ``t`` time, and any other name a parameter; the :class:`LawContext` given turns
each into its symbol in mechsim's internal units.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import sympy as sp

from mechsim.errors import NetworkError

if TYPE_CHECKING:
    from mechsim.network._ratelaws import LawContext

__all__ = ["parse_expression"]

_REF = re.compile(r"\{\s*(amount:)?\s*([^{}@]+?)\s*(?:@\s*([A-Za-z_][A-Za-z0-9_]*))?\s*\}")


def parse_expression(formula: str, ctx: LawContext) -> sp.Expr:
    """Parse ``formula`` (see :class:`Expression`) into a sympy expression."""
    refs: dict[str, sp.Expr] = {}

    def _sub(match: re.Match) -> str:
        amount, name, comp = match.group(1), match.group(2).strip(), match.group(3)
        ref = f"{name}@{comp}" if comp else name
        token = f"__ref{len(refs)}__"
        refs[token] = ctx.amount(ref) if amount else ctx.conc(ref)
        return token

    text = _REF.sub(_sub, formula)
    try:
        parsed = sp.sympify(text, locals={"t": sp.Symbol("t"), **_SAFE_LOCALS}, evaluate=True)
    except (sp.SympifyError, SyntaxError, TypeError) as exc:
        raise NetworkError(f"cannot parse rate expression {formula!r}: {exc}") from None
    mapping: dict[sp.Symbol, sp.Expr] = {sp.Symbol(k): v for k, v in refs.items()}
    for sym in parsed.free_symbols:
        if sym.name == "t" or sym.name.startswith("__"):
            continue
        mapping[sym] = ctx.param(sym.name)
    return parsed.subs(mapping, simultaneous=True)


# Names that sympify would otherwise turn into special objects (E, I, S, N, Q, O, beta...).
_SAFE_LOCALS = {
    name: sp.Symbol(name)
    for name in ("E", "I", "S", "N", "Q", "O", "beta", "gamma", "zeta", "lambda", "Lambda", "pi")
}
