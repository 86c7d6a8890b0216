"""Host-side (numpy) versions of a network's triggers, event assignments and outputs.

The event driver (:mod:`mechsim.solver._events`) evaluates triggers at many sample
times and applies events between solver calls; doing that in numpy avoids compiling a
JAX function per model for work that is cheap and sequential. The ODE right-hand side
stays in JAX (the solver).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp

from mechsim.model._codegen import MOLAR_INTERNAL
from mechsim.network import Network, symbolic
from mechsim.network._symbolic import MOLAR, TIME
from mechsim.solver._events import EventFunctions

__all__ = ["host_events", "host_outputs", "numpy_function"]

class _BroadcastingLogical:
    """``numpy.logical_and``/``logical_or`` whose ``reduce`` broadcasts its operands first:
    lambdify prints ``And(p < 0.2, t >= 99)`` as ``logical_and.reduce((p < 0.2, t >= 99))``,
    which numpy refuses when one operand is a scalar and the other an array of times."""

    def __init__(self, ufunc: np.ufunc) -> None:
        self.ufunc = ufunc

    def __call__(self, *args, **kwargs):
        return self.ufunc(*args, **kwargs)

    def reduce(self, operands, axis=0):
        return self.ufunc.reduce(np.broadcast_arrays(*operands), axis=axis)


def _select(condlist, choicelist, default=np.nan):
    """``numpy.select`` with conditions cast to bool: sympy may turn a condition into a
    nested ``Piecewise`` (e.g. ``Abs`` inside ``Or``), which lambdify prints as a float
    ``select``; numpy refuses non-bool conditions ("invalid entry 0 in condlist")."""
    conds = np.broadcast_arrays(*[np.asarray(c).astype(bool) for c in condlist])
    return np.select(conds, choicelist, default=default)


_MODULES = [{"factorial": lambda x: _factorial(x), "logical_and": _BroadcastingLogical(np.logical_and),
             "logical_or": _BroadcastingLogical(np.logical_or), "select": _select}, "numpy"]  # fmt: skip


def _factorial(x):
    from scipy.special import gamma

    return gamma(np.asarray(x, dtype=float) + 1.0)


def numpy_function(exprs: Sequence[sp.Basic], n_states: int, n_params: int,
                   ys: Sequence[sp.Symbol], ps: Sequence[sp.Symbol]) -> Callable:
    """``f(t, y, p) -> (len(exprs), *batch)`` float array; ``y`` may be ``(n, *batch)``.

    Rows of ``y`` beyond ``n_states`` are ignored (a solver's padding state).
    """
    exprs = [sp.sympify(e).subs(MOLAR, MOLAR_INTERNAL) for e in exprs]
    if not exprs:
        return lambda t, y, p: np.zeros((0, *np.shape(t)))
    raw = sp.lambdify([TIME, list(ys), list(ps)], exprs, modules=_MODULES, cse=True,
                      docstring_limit=0)

    def f(t, y, p):
        t = np.asarray(t, dtype=float)
        y = np.asarray(y, dtype=float)[:n_states]
        with np.errstate(all="ignore"):
            out = raw(t, list(y) if len(y) else [], list(np.asarray(p, dtype=float)))
        shape = np.broadcast_shapes(t.shape, y.shape[1:])
        return np.stack([np.broadcast_to(np.asarray(v, dtype=float), shape) for v in out])

    return f


def host_outputs(network: Network, outputs: Sequence[str]) -> Callable:
    """numpy ``f(t, y, p) -> (len(outputs), *batch)`` of observables ``outputs`` of ``network``."""
    sm = symbolic(network)
    ys, ps = sm.state_symbols, sm.param_symbols
    return numpy_function([sm.observables[o] for o in outputs], len(ys), len(ps), ys, ps)


def host_events(network: Network) -> EventFunctions:
    """The events of ``network`` as numpy functions for :func:`mechsim.solver._events.integrate_events`.

    Cached on the network (it is immutable): lambdifying costs tens of milliseconds.
    """
    cached = network.__dict__.get("_host_events_cache")
    if cached is not None:
        return cached
    sm = symbolic(network)
    ys, ps = sm.state_symbols, sm.param_symbols
    n, m = len(ys), len(ps)
    pindex = {p.name: j for j, p in enumerate(network.parameters)}
    values, targets = [], []
    for items in sm.event_assignments:
        values.append(numpy_function([e for _, _, e in items], n, m, ys, ps))
        targets.append(tuple(
            ("state", int(idx)) if kind == "state" else ("param", pindex[idx])
            for kind, idx, _ in items
        ))
    prio = [e if e is not None else sp.Integer(0) for e in sm.event_priorities]
    trig = [sp.Piecewise((1, tr), (0, True)) for tr in sm.event_triggers]
    state_syms, pos = set(ys), {s: j for j, s in enumerate(ps)}
    delays = sm.event_delays or (None,) * len(trig)
    reads = [sp.sympify(tr).free_symbols | sp.sympify(pr).free_symbols
             | (sp.sympify(d).free_symbols if d is not None else set())
             for tr, pr, d in zip(trig, prio, delays, strict=True)]
    state_free = all(not (sp.sympify(tr).free_symbols & state_syms) for tr in trig)
    out = EventFunctions(
        triggers=numpy_function(trig, n, m, ys, ps),
        priorities=numpy_function(prio, n, m, ys, ps),
        values=tuple(values),
        targets=tuple(targets),
        initial_value=tuple(bool(e.initial_value) for e in network.events),
        persistent=tuple(bool(e.persistent) for e in network.events),
        use_values_from_trigger_time=tuple(bool(e.use_values_from_trigger_time) for e in network.events),
        state_free=state_free,
        trigger_states=tuple(bool(r & state_syms) for r in reads),
        trigger_params=tuple(frozenset(pos[x] for x in r if x in pos) for r in reads),
        delays=tuple(None if d is None else numpy_function([d], n, m, ys, ps) for d in delays),
    )
    object.__setattr__(network, "_host_events_cache", out)
    return out
