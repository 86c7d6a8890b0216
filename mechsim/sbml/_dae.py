"""SBML algebraic rules and fast reactions as a DAE with a constant mass matrix.

* **Algebraic rules** ``0 = expr`` (SBML L3V2 spec §4.9.5): each rule must determine one
  variable that nothing else determines, a *free* variable: a non-constant parameter,
  compartment or species reference without a rule, or a non-constant species without a
  rule that no reaction changes (a boundary species, or one in no reaction). Which rule
  determines which variable is found by maximum bipartite matching of rules to the free
  variables they contain (the spec's structural analysis; augmenting paths, Hopcroft &
  Karp, SIAM J. Comput. 2 (1973) 225, in its simple Kuhn form). The matched variable
  becomes a state whose rate rule holds ``expr`` and whose row of the mass matrix is zero
  (``Network.algebraic``, :mod:`mechsim.model._dae`).
* **Fast reactions** (SBML L2 ``fast="true"``) are imported as ordinary reactions listed
  in ``Network.fast_reactions``; :mod:`mechsim.model._dae` turns them into conserved-moiety
  rows and ``0 = flux`` constraints. States stay species amounts, as for every imported
  species (:mod:`._import`), and a fast kinetic law is an amount flux like any other.

Models that combine either with events run on the event driver, which re-initialises the
algebraic states after every event assignment (:mod:`mechsim.solver._events`).
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from mechsim.errors import UnsupportedSBMLError
from mechsim.sbml._math import TIME
from mechsim.sbml._reader import RawModel, RawReaction

__all__ = ["assign_algebraic_rules", "check_fast_rate_is_fixed"]


def free_variables(raw: RawModel) -> list[str]:
    """SBML ids an algebraic rule may determine (spec §4.9.5), in document order."""
    ruled = set(raw.assignment_rules) | set(raw.rate_rules)
    changed = {sid for rxn in raw.reactions for sid, nu in rxn.participants if nu != 0}
    out = [cid for cid, (_, const, _) in raw.compartments.items() if not const and cid not in ruled]
    for sid, s in raw.species.items():
        if s.constant or sid in ruled:
            continue
        if s.boundary or sid not in changed:
            out.append(sid)
    out += [pid for pid, (_, const) in raw.parameters.items() if not const and pid not in ruled]
    out += [rid for rid, (_, const) in raw.species_refs.items() if not const and rid not in ruled]
    return out


def assign_algebraic_rules(raw: RawModel) -> dict[str, sp.Basic]:
    """``{variable: expr}``: the free variable each algebraic rule ``0 = expr`` determines.

    Raises:
        UnsupportedSBMLError: a rule contains no free variable, or the rules cannot all
            be matched to distinct free variables (an over-determined model).
    """
    if not raw.algebraic_rules:
        return {}
    free = free_variables(raw)
    candidates: list[list[str]] = []
    for rid, expr in raw.algebraic_rules:
        names = {s.name for s in expr.free_symbols}
        cands = [v for v in free if v in names]
        if not cands:
            shown = ", ".join(sorted(names)) or "none"
            raise UnsupportedSBMLError(
                f"algebraic rule {rid!r} determines no free variable (its variables: {shown}; "
                "each is constant, set by a rule or changed by reactions) — an algebraic rule "
                "must determine one variable that nothing else does (SBML L3V2 §4.9.5)")
        candidates.append(cands)
    owner: dict[str, int] = {}

    def augment(k: int, seen: set[str]) -> bool:
        for v in candidates[k]:
            if v in seen:
                continue
            seen.add(v)
            if v not in owner or augment(owner[v], seen):
                owner[v] = k
                return True
        return False

    for k, (rid, _) in enumerate(raw.algebraic_rules):
        if not augment(k, set()):
            raise UnsupportedSBMLError(
                f"algebraic rule {rid!r}: the algebraic rules cannot each determine a distinct "
                f"free variable (candidates {candidates[k]} are taken by other rules) — the model "
                "is over-determined (SBML L3V2 §4.9.5)")
    by_rule = {k: v for v, k in owner.items()}
    return {by_rule[k]: raw.algebraic_rules[k][1] for k in range(len(raw.algebraic_rules))}


def check_fast_rate_is_fixed(raw: RawModel, algebraic: Mapping[str, object],
                             rxn: RawReaction) -> None:
    """Refuse a fast reaction whose rate law reads time or a value (not a species, not
    one of the ``algebraic`` rule targets: states of the DAE) that an event, a rate rule
    or a time-dependent assignment rule changes during the run.

    The DAE keeps one constant mass matrix with one constraint ``0 = v`` per fast
    reaction (:mod:`mechsim.sbml._dae`); a rate constant switched from or to 0 by an
    event, or one that changes sign, makes that constraint singular (not index 1) and
    the equilibrium jump, which a constant mass matrix cannot follow.
    """
    changing: set[sp.Basic] = {TIME}
    changing |= {sp.Symbol(t) for ev in raw.events for t, _ in ev.assignments}
    # algebraic-rule targets sit among the rate rules (0 = expr rows): like species,
    # they are states of the DAE, solved with the fast constraints, not switches
    changing |= {sp.Symbol(t) for t in raw.rate_rules if t not in algebraic}
    rules = {sp.Symbol(t): e for t, e in raw.assignment_rules.items()}
    grew = True
    while grew:  # assignment rules that read time, directly or through other rules
        grew = False
        for target, expr in rules.items():
            if target not in changing and expr.free_symbols & changing:
                changing.add(target)
                grew = True
    states = {sp.Symbol(sid) for sid in raw.species} | {sp.Symbol(t) for t in algebraic}
    read = (rxn.flux.free_symbols if rxn.flux is not None else set()) & (changing - states)
    if read:
        names = ", ".join(sorted("time" if x == TIME else str(x) for x in read))
        raise UnsupportedSBMLError(
            f"fast reaction {rxn.id!r}: its rate law reads {names}, which changes during "
            "the run (event, rate rule or time); a fast reaction that switches on, off or "
            "reverses loses index 1, which mechsim's constant mass matrix cannot follow")
