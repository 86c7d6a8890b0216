"""The SBML ``delay`` csymbol: ``delay(x, tau)`` is x at time ``t - tau`` (L3V2 section 3.4.7).

**Import** (:func:`extract_delays`, run by the reader before ``rateOf`` is resolved). Each
distinct call ``delay(x, tau)`` (k = 0, 1, ...) becomes a polynomial in time whose
coefficients are new SBML parameters::

    delay(x, tau)  ->  c_k0 + u (c_k1 + u (c_k2 + ... u c_kD)),   u = 2 (t - T) / H - 1,

(``__delay{k}_c{j}``, ``__delay_T``, ``__delay_H``; ``D`` = :data:`DEGREE`), so one compiled
right-hand side serves every segment of the method of steps, the coefficients travelling in
the parameter vector. A call is *in the rate* when a kinetic law, a stoichiometry, a rate
rule or an algebraic rule reads it (through assignment rules included); its ``tau`` must
then be a constant or an expression of parameters (state- or time-dependent ``tau`` and a
``tau <= 0`` are refused: the method of steps needs ``tau`` bounded below by a positive
constant). Calls read only by outputs and events may have any ``tau >= 0`` (checked when
evaluated). ``delay(x, 0)`` is ``x``.

**Simulation**: :mod:`._delay_run` (method of steps on a dense history).

Before the start ``t0`` the history is the initial state: ``x`` is evaluated with the
state (and parameters) of ``t0`` at the time ``t - tau`` (so ``delay(sin(time), 1)`` is
``sin(t - 1)``), a variable whose initial assignment reads time taken as that assignment,
and every ``rateOf`` 0 (nothing changes before t0): the convention of the SBML Test Suite
(cases 00937, 00940, 01400).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from mechsim.errors import UnsupportedSBMLError
from mechsim.sbml._math import DELAY, RATE_OF, TIME, formula

if TYPE_CHECKING:
    from mechsim.sbml._names import NameTable
    from mechsim.sbml._reader import RawModel

__all__ = ["DEGREE", "H_ID", "T_ID", "NetworkDelay", "RawDelay", "extract_delays",
           "network_delays"]

#: Degree of the history interpolants and of the in-rate delay polynomials.
DEGREE = 8
#: Breaking points ``o + m tau`` followed, m = 1..BREAK_ORDERS (the jump at the start
#: reaches derivative m + 1 of the solution after m delays).
BREAK_ORDERS = 6
T_ID, H_ID = "__delay_T", "__delay_H"


@dataclass
class RawDelay:
    """One distinct ``delay(x, tau)`` call, math in raw SBML ids (``rateOf`` unresolved)."""

    index: int
    x: sp.Basic
    tau: sp.Basic
    in_rate: bool
    coefficients: tuple[str, ...]  # SBML ids of c_k0 .. c_kD


@dataclass(frozen=True)
class NetworkDelay:
    """One delay call in the imported network's formula syntax.

    Attributes:
        x: the delayed expression; ``x_before`` the same before t0 (:func:`_before_start`).
        tau: the delay (model time units).
        in_rate: whether the ODE right-hand side reads it (method of steps).
        coefficients: network names of the polynomial's parameters ``c_k0 .. c_kD``.
        t_name, h_name: network names of the parameters ``T`` and ``H``.
    """

    index: int
    x: str
    x_before: str
    tau: str
    in_rate: bool
    coefficients: tuple[str, ...]
    t_name: str
    h_name: str


def _polynomial(coefficients: Sequence[sp.Symbol]) -> sp.Expr:
    u = 2 * (TIME - sp.Symbol(T_ID)) / sp.Symbol(H_ID) - 1
    out: sp.Expr = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        out = c + u * out
    return out


def _top_delays(expr: sp.Basic) -> set[sp.Basic]:
    if not isinstance(expr, sp.Basic):
        return set()
    if expr.func == DELAY:
        return {expr}
    out: set[sp.Basic] = set()
    for a in expr.args:
        out |= _top_delays(a)
    return out


def _rate_delays(raw: RawModel) -> set[sp.Basic]:
    """The top-level delay calls the ODE right-hand side reads (through assignment rules)."""
    roots = [r.flux for r in raw.reactions if r.flux is not None]
    roots += [nu for r in raw.reactions for _, nu in r.participants]
    roots += list(raw.rate_rules.values()) + [e for _, e in raw.algebraic_rules]
    seen: set[str] = set()
    out: set[sp.Basic] = set()
    while roots:
        e = roots.pop()
        if not isinstance(e, sp.Basic):
            continue
        out |= _top_delays(e)
        for s in e.free_symbols:
            if s.name in raw.assignment_rules and s.name not in seen:
                seen.add(s.name)
                roots.append(raw.assignment_rules[s.name])
    return out


def _expand_rules(raw: RawModel, expr: sp.Basic, depth: int = 0) -> sp.Basic:
    subs = {s: raw.assignment_rules[s.name] for s in expr.free_symbols
            if s.name in raw.assignment_rules}
    if not subs or depth > 50:
        return expr
    return _expand_rules(raw, expr.xreplace(subs), depth + 1)


def _show(x: sp.Basic, tau: sp.Basic) -> str:
    """``delay(x, tau)`` as a message shows it (SBML ids, ``time``)."""
    name = {TIME: sp.Symbol("time")}
    return f"delay({formula(x.xreplace(name))}, {formula(tau.xreplace(name))})"


def _check_rate_tau(raw: RawModel, x: sp.Basic, tau: sp.Basic, where: str) -> None:
    """Refuse an in-rate delay whose ``tau`` is not a positive parameter expression."""
    what = f"{where}: {_show(x, tau)} (read by the rate)"
    full = _expand_rules(raw, tau)
    names = {s.name for s in full.free_symbols}
    moving = sorted(n for n in names if n in raw.species or n in raw.rate_rules)
    if TIME in full.free_symbols or moving or full.has(DELAY, RATE_OF):
        reason = "time" if TIME in full.free_symbols else (
            f"the state ({', '.join(moving)})" if moving else "another delay or rateOf")
        raise UnsupportedSBMLError(
            f"{what} has a delay that depends on {reason}: not supported, the method of steps "
            "needs tau bounded below by a positive constant (use a parameter)")
    if full.is_number and not float(full) > 0:
        raise UnsupportedSBMLError(
            f"{what} has tau = {float(full)}: not supported, a delay read by the rate must be "
            "> 0 (a negative delay reads the future)")


def extract_delays(raw: RawModel) -> list[RawDelay]:
    """Replace every ``delay(x, tau)`` in ``raw`` (in place) by its polynomial (module doc).

    Returns the calls (empty: no delay); the new parameters are added to ``raw.parameters``.

    Raises:
        UnsupportedSBMLError: a delay in an initial assignment, an in-rate delay whose tau
            depends on time, the state or another delay, or a numeric tau <= 0 in a rate
            (a negative tau anywhere).
    """
    in_rate_calls = _rate_delays(raw)
    specs: dict[tuple[sp.Basic, sp.Basic], RawDelay] = {}

    def rep(expr: sp.Basic, where: str) -> sp.Basic:
        if not isinstance(expr, sp.Basic) or not expr.has(DELAY):
            return expr
        if expr.func != DELAY:
            return expr.func(*[rep(a, where) for a in expr.args])
        x, tau = rep(expr.args[0], where), rep(expr.args[1], where)
        in_rate = expr in in_rate_calls
        if tau.is_number and float(tau) < 0:
            raise UnsupportedSBMLError(
                f"{where}: {_show(x, tau)}: tau = {float(tau)} < 0 is not "
                "supported: a negative delay reads the future (SBML requires tau >= 0)")
        if tau.is_number and float(tau) == 0 and not x.has(RATE_OF):
            return x  # delay(x, 0) = x
        if in_rate:
            _check_rate_tau(raw, x, tau, where)
        key = (x, tau)
        if key not in specs:
            k = len(specs)
            ids = tuple(f"__delay{k}_c{j}" for j in range(DEGREE + 1))
            specs[key] = RawDelay(k, x, tau, in_rate, ids)
        spec = specs[key]
        spec.in_rate = spec.in_rate or in_rate
        return _polynomial([sp.Symbol(c) for c in spec.coefficients])

    for target, e in raw.initial_assignments.items():
        if isinstance(e, sp.Basic) and e.has(DELAY):
            raise UnsupportedSBMLError(
                f"initial assignment to {target!r}: the delay csymbol in an initial assignment "
                "is not supported (write the value at t0 instead)")
    for kind, d in (("assignment rule", raw.assignment_rules), ("rate rule", raw.rate_rules)):
        for k in list(d):
            d[k] = rep(d[k], f"{kind} for {k!r}")
    for rxn in raw.reactions:
        rxn.flux = rep(rxn.flux, f"kinetic law of reaction {rxn.id!r}")
        rxn.participants = [(sid, rep(nu, f"stoichiometry of {sid!r} in reaction {rxn.id!r}"))
                            for sid, nu in rxn.participants]
    raw.algebraic_rules = [(rid, rep(e, f"algebraic rule {rid!r}"))
                           for rid, e in raw.algebraic_rules]
    for ev in raw.events:
        where = f"event {ev.id!r}"
        ev.trigger = rep(ev.trigger, f"trigger of {where}")
        ev.priority = rep(ev.priority, f"priority of {where}") if ev.priority is not None else None
        ev.delay = rep(ev.delay, f"delay of {where}") if ev.delay is not None else None
        ev.assignments = [(t, rep(e, f"assignment to {t!r} in {where}")) for t, e in ev.assignments]
    out = sorted(specs.values(), key=lambda s: s.index)
    if out and (raw.algebraic_rules or any(r.fast for r in raw.reactions)):
        raise UnsupportedSBMLError(
            "the delay csymbol in a model with algebraic rules or fast reactions is not "
            "supported (the method of steps is implemented for ODEs only)")
    for spec in out:
        for c in spec.coefficients:
            raw.parameters[c] = (sp.Integer(0), False)
    if out:
        raw.parameters[T_ID] = (sp.Integer(0), False)
        raw.parameters[H_ID] = (sp.Integer(1), False)
    return out


def _before_start(raw: RawModel, x: sp.Basic) -> sp.Basic:
    """``x`` before t0: ``rateOf`` 0, and a variable whose initial assignment reads time
    is that assignment (so ``delay(x, tau)`` with ``x = sin(time)`` at t0 reads
    ``sin(t - tau)``: Test Suite cases 00938, 00940-00943)."""
    out = x.xreplace({a: sp.Integer(0) for a in x.atoms(RATE_OF)})
    for _ in range(50):
        subs = {}
        for s in out.free_symbols:
            ia = raw.initial_assignments.get(s.name)
            if ia is not None and _expand_ias(raw, ia).has(TIME):
                subs[s] = ia.xreplace({a: sp.Integer(0) for a in ia.atoms(RATE_OF)})
        if not subs:
            break
        out = out.xreplace(subs)
    return out


def _expand_ias(raw: RawModel, expr: sp.Basic) -> sp.Basic:
    for _ in range(50):
        subs = {s: raw.initial_assignments[s.name] for s in expr.free_symbols
                if s.name in raw.initial_assignments}
        if not subs:
            break
        expr = expr.xreplace(subs)
    return expr


def network_delays(raw: RawModel, delays: Sequence[RawDelay], f: Callable[[sp.Basic], str],
                   names: NameTable) -> tuple[NetworkDelay, ...]:
    """The calls of :func:`extract_delays` in network formulas (``f``: the importer's
    printer of raw math; ``rateOf`` is resolved here, after the reader resolved the rest)."""
    from mechsim.sbml._rateof import _Rates

    rates = _Rates(raw)
    out = []
    for d in delays:
        before = _before_start(raw, d.x)
        out.append(NetworkDelay(
            d.index, f(rates.substitute(d.x)), f(before), f(rates.substitute(d.tau)), d.in_rate,
            tuple(names[c] for c in d.coefficients), names[T_ID], names[H_ID]))
    return tuple(out)
