"""Time courses of imported SBML models, events included (SBML semantics, no delays).

The ODE is integrated by :func:`mechsim.solver.integrate` (Rodas5P, dense LU); events
run on mechsim's one event path, :func:`mechsim.solver._events.integrate_events` (the
one :func:`mechsim.simulate` uses), which documents trigger location and the SBML
Level 3 firing rules. This module only turns the SBML outputs into a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from mechsim.errors import SolverError
from mechsim.model import compile_network
from mechsim.model._hostfns import host_events, host_outputs
from mechsim.network import Observable
from mechsim.sbml._import import SbmlImport
from mechsim.solver import Rodas5P, status_message
from mechsim.solver._events import integrate_events, segment_solver

__all__ = ["SbmlTimeCourse", "simulate_sbml"]


@dataclass(frozen=True)
class SbmlTimeCourse:
    """Simulated values: ``values[i, j]`` is variable ``j`` at ``times[i]``."""

    times: np.ndarray
    variables: tuple[str, ...]
    values: np.ndarray


def simulate_sbml(
    model: SbmlImport,
    times: Sequence[float],
    variables: Sequence[tuple[str, str]],
    *,
    rtol: float = 1e-10,
    atol: float = 1e-14,
    substeps: int = 8,
    time_tol: float = 1e-12,
    max_steps: int = 200_000,
) -> SbmlTimeCourse:
    """Simulate an imported SBML model from t = 0 and report ``variables`` at ``times``.

    Args:
        model: the result of :func:`~mechsim.sbml.import_sbml`.
        times: increasing output times (model time units), ``>= 0``.
        variables: ``(sbml_id, how)`` with ``how`` one of ``"value"``, ``"amount"``,
            ``"concentration"``.
        rtol, atol: solver tolerances (atol in the model's amount units).
        substeps: trigger samples per output interval (and per narrowing step).
        time_tol: events are located to within ``time_tol * max(1, |t|)``.

    Raises:
        SolverError: if the solver fails (the status message says why; a MechsimError).
    """
    obs = [Observable(f"out_{i}", model.output_formula(sid, how))
           for i, (sid, how) in enumerate(variables)]
    net = model.network.replace(observables=tuple(obs))
    cm = compile_network(net)
    outputs = host_outputs(net, [o.name for o in obs])
    n = cm.n_states
    p = np.asarray(cm.param_vector(), dtype=float)
    y = np.asarray(cm.y0(jnp.asarray(p), 0.0), dtype=float)
    if n == 0:  # a model of parameters and rules only: integrate a dummy state
        def rhs(t, yy, pp):
            return jnp.zeros_like(yy)
        jac, y = None, np.zeros(1)
    else:
        # dense LU: XLA compiles it faster than the straight-line sparse LU, and one
        # compilation per model is what a test-suite run pays for
        rhs, jac = cm.rhs, cm.jac
    ts = np.asarray(times, dtype=float)
    solve = segment_solver(rhs, jac=jac, sparsity=None, solver=Rodas5P(), rtol=rtol, atol=atol,
                           max_steps=max_steps)
    names = tuple(v for v, _ in variables)
    if not net.events:
        if ts[-1] > 0:
            yy, status = solve(y, 0.0, ts, p)
            _check(status, 0.0)
            yy = yy.copy()
        else:
            yy = np.repeat(y[None], len(ts), 0)
        if ts[0] == 0.0:
            yy[0] = y
        out = outputs(ts, yy[:, :n].T, p).T
        return SbmlTimeCourse(ts, names, out)
    run = integrate_events(solve, host_events(net), y, p, ts, t0=0.0, substeps=substeps,
                           time_tol=time_tol)
    _check(run.status, run.t_failed)
    rows = [outputs(np.float64(t), yy[:n], pp).reshape(-1)
            for t, yy, pp in zip(ts, run.ys, run.ps, strict=True)]
    return SbmlTimeCourse(ts, names, np.array(rows))


def _check(status: int, t0: float) -> None:
    if status != 0:
        raise SolverError(f"solver failed after t={t0}: {status_message(status)} — try other "
                          "tolerances or check the model")
