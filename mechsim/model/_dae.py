"""Differential-algebraic form M y' = F(t, y) of a network with algebraic states or fast
reactions (constant mass matrix M).

* **Algebraic states** (``Network.algebraic``): a rate-rule target x whose rule holds the
  constraint ``0 = expr``; its row of M is zero and its row of F is ``expr``.
* **Fast reactions** (``Network.fast_reactions``; rapid equilibrium, SBML L2 ``fast``):
  with N_f the stoichiometry of the fast reactions over the species S they change and L
  a basis of its left null space (L N_f = 0, exact rational arithmetic), the rows of S
  become ``L y_S' = L N_slow v_slow(y)`` (the conserved moieties of the fast subsystem
  evolve by the slow reactions only) and ``0 = v_f(y)`` for each fast reaction of a
  maximal independent set (the pivot columns of N_f). M = [L; 0] on those rows is
  constant. This is the quasi-steady limit of the fast reactions (Segel & Slemrod,
  SIAM Rev. 31 (1989) 446; SBML L2V4 spec §4.13.2 on ``fast``).

States stay species amounts (umol) and rate-rule values, so outputs, observables and
events read them as in the ODE case.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from mechsim.errors import NetworkError

__all__ = ["dae_form", "fast_subsystem_rows"]


def dae_form(
    network, fluxes: list[sp.Expr], stoich: np.ndarray, dydt: list[sp.Expr]
) -> tuple[list[sp.Expr], np.ndarray] | None:
    """``(F rows, M)`` of ``network``'s DAE form, or ``None`` for an ODE.

    Args:
        network: the :class:`~mechsim.network.Network`.
        fluxes: its reaction fluxes (umol/h), in reaction order.
        stoich: its (n_states, n_reactions) stoichiometric matrix.
        dydt: the ODE right-hand side (species rows N v, then rate rules).

    Returns:
        The rows of F (same units as the rows of M y') and the constant (n, n) float64
        mass matrix M, or ``None`` when the network has no algebraic structure.
    """
    if not network.algebraic and not network.fast_reactions:
        return None
    n, n_sp = len(dydt), len(network.species)
    mass = np.eye(n)
    rows = list(dydt)
    targets = [r.target for r in network.rate_rules]
    for name in network.algebraic:
        i = n_sp + targets.index(name)
        mass[i, i] = 0.0  # rows[i] is the constraint expression itself
    if not network.fast_reactions:
        return rows, mass
    names = [r.name for r in network.reactions]
    # a fast reaction whose flux is identically zero (e.g. k sin(0) S) constrains nothing:
    # 0 = 0 would make M - hγJ singular, so it counts as an (inactive) slow reaction
    fast = [j for j in map(names.index, network.fast_reactions) if fluxes[j] != 0]
    slow = [j for j in range(len(names)) if j not in set(fast)]
    nu = sp.Matrix(stoich[:n_sp, fast].round(12)).applyfunc(sp.nsimplify)
    subsystem = [i for i in range(n_sp) if any(nu[i, k] != 0 for k in range(len(fast)))]
    if not subsystem:
        return rows, mass
    nf = nu.extract(subsystem, list(range(len(fast))))
    laws = nf.T.nullspace()  # rows of L, each of length |S|
    _, pivots = nf.rref()
    if len(laws) + len(pivots) != len(subsystem):  # rank-nullity: cannot happen
        raise NetworkError(f"network {network.name!r}: fast-reaction subsystem is inconsistent")

    def slow_rate(i: int) -> sp.Expr:
        terms = [sp.nsimplify(round(float(stoich[i, j]), 12)) * fluxes[j]
                 for j in slow if stoich[i, j] != 0]
        return sp.Add(*terms) if terms else sp.Integer(0)

    slow_rows = {i: slow_rate(i) for i in subsystem}
    for a, law in enumerate(laws):
        i = subsystem[a]
        mass[i, :] = 0.0
        rows[i] = sp.Integer(0)
        for b, k in enumerate(subsystem):
            if law[b] != 0:
                mass[i, k] = float(law[b])
                rows[i] += law[b] * slow_rows[k]
    for a, col in enumerate(pivots):
        i = subsystem[len(laws) + a]
        mass[i, :] = 0.0
        rows[i] = fluxes[fast[col]]
    return rows, mass


def fast_subsystem_rows(
    network, fluxes: list[sp.Expr], stoich: np.ndarray, n: int
) -> list[sp.Expr] | None:
    """The fast reactions alone as an ODE, y' = N_f v_f(y) (zero rows elsewhere), or None.

    Its steady state reached from an initial state is the rapid-equilibrium state the
    fast reactions select (the infinitely-fast limit), which picks the right root where
    the constraints ``0 = v_f`` have several (e.g. ``v = k S1 S2``) or a singular
    Jacobian at the given state; :func:`mechsim.sbml.simulate_sbml` uses it when
    Newton's method alone finds no consistent initial state.
    """
    if not network.fast_reactions:
        return None
    names = [r.name for r in network.reactions]
    fast = [names.index(f) for f in network.fast_reactions]
    rows: list[sp.Expr] = []
    for i in range(n):
        terms = [sp.nsimplify(round(float(stoich[i, j]), 12)) * fluxes[j]
                 for j in fast if i < stoich.shape[0] and stoich[i, j] != 0]
        rows.append(sp.Add(*terms) if terms else sp.Integer(0))
    return rows
