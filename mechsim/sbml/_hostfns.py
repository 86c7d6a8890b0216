"""Host-side (numpy) versions of a network's triggers, event assignments and outputs.

The event driver evaluates triggers at many sample times and applies events between
solver calls; doing that in numpy avoids compiling a JAX function per case for work
that is cheap and sequential. The ODE right-hand side stays in JAX (the solver).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from mechsim.model._codegen import MOLAR_INTERNAL
from mechsim.network import Network, symbolic
from mechsim.network._symbolic import MOLAR, TIME

__all__ = ["HostFunctions", "host_functions"]

_MODULES = [{"factorial": lambda x: _factorial(x)}, "numpy"]


def _factorial(x):
    from scipy.special import gamma

    return gamma(np.asarray(x, dtype=float) + 1.0)


def numpy_function(exprs: Sequence[sp.Basic], n_states: int, n_params: int,
                   ys: Sequence[sp.Symbol], ps: Sequence[sp.Symbol]) -> Callable:
    """``f(t, y, p) -> (len(exprs), *batch)`` float array; ``y`` may be ``(n, *batch)``."""
    exprs = [sp.sympify(e).subs(MOLAR, MOLAR_INTERNAL) for e in exprs]
    if not exprs:
        return lambda t, y, p: np.zeros((0, *np.shape(t)))
    raw = sp.lambdify([TIME, list(ys), list(ps)], exprs, modules=_MODULES, cse=True,
                      docstring_limit=0)

    def f(t, y, p):
        t = np.asarray(t, dtype=float)
        y = np.asarray(y, dtype=float)
        with np.errstate(all="ignore"):
            out = raw(t, list(y) if len(y) else [], list(np.asarray(p, dtype=float)))
        shape = np.broadcast_shapes(t.shape, y.shape[1:])
        return np.stack([np.broadcast_to(np.asarray(v, dtype=float), shape) for v in out])

    return f


@dataclass(frozen=True)
class HostFunctions:
    """numpy functions of ``(t, y, p)`` for one network.

    ``event_targets[k]`` lists ``("state", index)`` / ``("param", index)`` pairs in the
    order of ``event_values[k]``'s output.
    """

    outputs: Callable
    triggers: Callable
    priorities: Callable
    event_values: tuple[Callable, ...]
    event_targets: tuple[tuple[tuple[str, int], ...], ...]


def host_functions(network: Network, outputs: Sequence[str]) -> HostFunctions:
    """Build :class:`HostFunctions`; ``outputs`` are observable names of ``network``."""
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
    return HostFunctions(
        outputs=numpy_function([sm.observables[o] for o in outputs], n, m, ys, ps),
        triggers=numpy_function(trig, n, m, ys, ps),
        priorities=numpy_function(prio, n, m, ys, ps),
        event_values=tuple(values),
        event_targets=tuple(targets),
    )
