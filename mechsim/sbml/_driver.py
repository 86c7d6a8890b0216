"""Time courses of imported SBML models, events included (SBML Level 3 semantics, delays included).

The ODE is integrated by :func:`mechsim.solver.integrate` (Rodas5P, dense LU); events
run on mechsim's one event path, :func:`mechsim.solver._events.integrate_events` (the
one :func:`mechsim.simulate` uses), which documents trigger location and the SBML
Level 3 firing rules. This module only turns the SBML outputs into a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from mechsim.errors import SolverError
from mechsim.model import compile_network
from mechsim.model._hostfns import host_events, host_outputs
from mechsim.network import Observable
from mechsim.sbml._delay_run import simulate_delays
from mechsim.sbml._import import SbmlImport
from mechsim.solver import RESULTS, Rodas5P, integrate, status_message
from mechsim.solver._events import integrate_events, segment_solver
from mechsim.solver._mass import consistent_initialization, dae_reinitializer

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
    if model.delays:  # the delay csymbol: method of steps (mechsim.sbml._delay)
        return SbmlTimeCourse(np.asarray(times, dtype=float), tuple(v for v, _ in variables),
                              simulate_delays(model, times, variables, rtol=rtol, atol=atol,
                                              substeps=substeps, time_tol=time_tol,
                                              max_steps=max_steps))
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
    mass = cm.mass_matrix
    solve = segment_solver(rhs, jac=jac, sparsity=None, solver=Rodas5P(), rtol=rtol, atol=atol,
                           max_steps=max_steps, mass_matrix=mass)
    names = tuple(v for v, _ in variables)
    reinit = None
    if mass is not None:  # a DAE (mechsim.sbml._dae)
        if not net.events:
            ys, status = _solve_dae(cm, y, ts, p, rtol, atol, max_steps)
            _check(status, 0.0)
            return SbmlTimeCourse(ts, names, outputs(ts, ys[:, :n].T, p).T)
        # a consistent state at t = 0 (with the fast-reaction fallback), then the event path
        y0s, status = _solve_dae(cm, y, np.zeros(1), p, rtol, atol, max_steps)
        _check(status, 0.0)
        y = y0s[0]
        reinit = dae_reinitializer(cm.rhs, mass, rtol, atol)
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
                           time_tol=time_tol, reinit=reinit)
    _check(run.status, run.t_failed)
    rows = [outputs(np.float64(t), yy[:n], pp).reshape(-1)
            for t, yy, pp in zip(ts, run.ys, run.ps, strict=True)]
    return SbmlTimeCourse(ts, names, np.array(rows))


#: Time span (model time units) over which the fast reactions alone are run to their
#: equilibrium when Newton's method finds no consistent initial state: Rodas' steps grow
#: geometrically, so a long span costs tens of steps.
FAST_EQUILIBRATION_SPAN = 1e12


def _solve_dae(cm, y, ts, p, rtol, atol, max_steps) -> tuple[np.ndarray, int]:
    """Integrate M y' = F from t = 0 (outputs at t = 0 are the consistent state).

    With fast reactions whose constraints Newton's method cannot solve from the given
    state (several roots, or a singular Jacobian there, e.g. ``v = k S1 S2`` at
    S1 = S2 = 5), the fast reactions alone (``cm.fast_rhs``, time frozen at 0) are first
    run to their equilibrium, the infinitely-fast limit that SBML's ``fast`` means.
    """
    def run(y_start: np.ndarray) -> tuple[np.ndarray, int]:
        sol = integrate(cm.rhs, jnp.asarray(y_start), jnp.asarray(ts), jnp.asarray(p),
                        jac=cm.jac, solver=Rodas5P(), rtol=rtol, atol=atol, t0=0.0,
                        max_steps=max_steps, mass_matrix=cm.mass_matrix)
        return np.asarray(sol.ys, dtype=float), int(sol.status)

    def equilibrate(y_start: np.ndarray) -> np.ndarray:
        if cm.fast_rhs is None:
            return y_start
        eq = integrate(lambda t, yy, pp: cm.fast_rhs(0.0 * t, yy, pp), jnp.asarray(y_start),
                       jnp.array([0.0, FAST_EQUILIBRATION_SPAN]), jnp.asarray(p),
                       solver=Rodas5P(), rtol=rtol, atol=atol, max_steps=max_steps)
        return np.asarray(eq.ys[-1], dtype=float) if int(eq.status) == 0 else y_start

    ys, status = run(y)
    if status != RESULTS.INCONSISTENT_INITIAL_STATE:
        return ys, status
    if cm.fast_rhs is not None:
        ys2, status2 = run(equilibrate(y))
        if status2 != RESULTS.INCONSISTENT_INITIAL_STATE:
            return ys2, status2
    # least-squares Newton passes through a singular Jacobian at the given state
    y_ls, ok = jax.jit(lambda yy: consistent_initialization(
        lambda t, v: cm.rhs(t, v, jnp.asarray(p)), jnp.asarray(0.0), yy, cm.mass_matrix,
        rtol, atol, least_squares=True))(jnp.asarray(y))
    if not bool(ok):
        return ys, status
    return run(equilibrate(np.asarray(y_ls, dtype=float)))


def _check(status: int, t0: float) -> None:
    if status != 0:
        raise SolverError(f"solver failed after t={t0}: {status_message(status)} — try other "
                          "tolerances or check the model")
