"""Time courses of imported SBML models, events included (SBML semantics, no delays).

The ODE is integrated by :func:`mechsim.solver.integrate` (Rodas5P, jitted once per
model: every call has the same number of output points, ``substeps``). Between two
output times the driver samples each trigger at ``substeps`` points; when a trigger
rises (false -> true) between two samples it narrows the interval the same way until it
is shorter than ``time_tol`` and fires the event at the right end. Firing follows SBML
Level 3: the assignments of all events triggered at that instant are evaluated with the
state at the trigger time, events execute in decreasing priority (document order on
ties), a non-persistent event whose trigger turned false before it executes is dropped,
and events whose triggers rise because of an assignment fire at the same instant.
Events with ``initial_value=False`` whose trigger holds at t = 0 fire at t = 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from mechsim.errors import SolverError
from mechsim.model import compile_network
from mechsim.network import Observable
from mechsim.sbml._hostfns import HostFunctions, host_functions
from mechsim.sbml._import import SbmlImport
from mechsim.solver import Rodas5P, integrate, status_message

__all__ = ["SbmlTimeCourse", "simulate_sbml"]

_MAX_FIRINGS = 10_000


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
    host = host_functions(net, [o.name for o in obs])
    n = cm.n_states
    p = np.asarray(cm.param_vector(), dtype=float)
    y = np.asarray(cm.y0(jnp.asarray(p), 0.0), dtype=float)
    if n == 0:  # a model of parameters and rules only: integrate a dummy state
        def rhs(t, yy, pp):
            return jnp.zeros_like(yy)
        jac, sparsity, y = None, None, np.zeros(1)
    else:
        # dense LU: XLA compiles it faster than the straight-line sparse LU, and one
        # compilation per model is what a test-suite run pays for
        rhs, jac, sparsity = cm.rhs, cm.jac, None
    ts = np.asarray(times, dtype=float)
    run = _Runner(rhs, jac, sparsity, rtol, atol, max_steps, host, n)
    if not net.events:
        yy = run.solve(y, 0.0, ts, p).copy() if ts[-1] > 0 else np.repeat(y[None], len(ts), 0)
        if ts[0] == 0.0:
            yy[0] = y
        out = host.outputs(ts, yy[:, :n].T, p).T
        return SbmlTimeCourse(ts, tuple(v for v, _ in variables), out)
    ev = _Events(net.events, host, run, substeps, time_tol)
    out = ev.run(y, p, ts)
    return SbmlTimeCourse(ts, tuple(v for v, _ in variables), out)


class _Runner:
    """Calls the solver; one compiled function per (model, number of output points)."""

    def __init__(self, rhs, jac, sparsity, rtol, atol, max_steps, host: HostFunctions,
                 n: int) -> None:
        self.rhs, self.jac, self.sparsity = rhs, jac, sparsity
        self.rtol, self.atol, self.max_steps = rtol, atol, max_steps
        self.host, self.n = host, n

    def solve(self, y0: np.ndarray, t0: float, ts: np.ndarray, p: np.ndarray) -> np.ndarray:
        sol = integrate(
            self.rhs, jnp.asarray(y0), jnp.asarray(ts), jnp.asarray(p), jac=self.jac,
            sparsity=self.sparsity, solver=Rodas5P(), rtol=self.rtol, atol=self.atol,
            t0=t0, max_steps=self.max_steps,
        )
        status = int(sol.status)
        if status != 0:
            raise SolverError(f"solver failed after t={t0}: {status_message(status)} — try other "
                              "tolerances or check the model")
        return np.asarray(sol.ys, dtype=float)

    def triggers(self, t, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Trigger values, shape ``(n_events, *t.shape)`` (bool)."""
        return self.host.triggers(t, y[: self.n], p) > 0.5


class _Events:
    def __init__(self, events, host: HostFunctions, run: _Runner, substeps: int,
                 time_tol: float) -> None:
        self.events, self.host, self.solver = events, host, run
        self.k, self.tol = substeps, time_tol
        self.persistent = np.array([e.persistent for e in events], dtype=bool)
        self.uvftt = np.array([e.use_values_from_trigger_time for e in events], dtype=bool)

    def trig(self, t: float, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        return self.solver.triggers(np.float64(t), y, p).reshape(-1)

    def run(self, y: np.ndarray, p: np.ndarray, ts: np.ndarray) -> np.ndarray:
        n = self.solver.n
        prev = np.array([e.initial_value for e in self.events], dtype=bool)
        y, p, prev = self.fire(0.0, y, p, prev)
        rows = []
        t = 0.0
        for t_out in ts:
            while t < t_out:
                t, y, p, prev = self.advance(t, t_out, y, p, prev)
            rows.append(self.host.outputs(np.float64(t_out), y[:n], p).reshape(-1))
        return np.array(rows)

    def advance(self, t: float, t_end: float, y, p, prev):
        """Integrate towards ``t_end``; stop at the first event (fired) or at ``t_end``."""
        grid = np.linspace(t, t_end, self.k + 1)[1:]
        ys = self.solver.solve(y, t, grid, p)
        cur = self.solver.triggers(grid, ys.T, p)  # (n_events, k)
        hit = _first_rise(cur, prev)
        if hit is None:
            return t_end, ys[-1], p, cur[:, -1].copy()
        ta, ya = (t, y) if hit == 0 else (grid[hit - 1], ys[hit - 1])
        prev_a = prev if hit == 0 else cur[:, hit - 1].copy()
        tb, yb = grid[hit], ys[hit]
        while tb - ta > self.tol * max(1.0, abs(tb)):
            sub = np.linspace(ta, tb, self.k + 1)[1:]
            sub[-1] = tb
            ys2 = self.solver.solve(ya, ta, sub, p)
            cur2 = self.solver.triggers(sub, ys2.T, p)
            j = _first_rise(cur2, prev_a)
            if j is None:  # the rise vanished at finer resolution: step past it
                ta, ya, prev_a = tb, ys2[-1], cur2[:, -1].copy()
                break
            if j > 0:
                ta, ya, prev_a = sub[j - 1], ys2[j - 1], cur2[:, j - 1].copy()
            tb, yb = sub[j], ys2[j]
        else:
            y2, p2, prev2 = self.fire(tb, yb, p, prev_a)
            return tb, y2, p2, prev2
        return ta, ya, p, prev_a

    def fire(self, t: float, y: np.ndarray, p: np.ndarray, prev: np.ndarray):
        """Execute every event whose trigger rose at ``t`` (cascades included)."""
        y, p = y.copy(), p.copy()
        cur = self.trig(t, y, p)
        pending = {int(k): self.values(k, t, y, p) for k in np.nonzero(cur & ~prev)[0]}
        count = 0
        while pending:
            count += 1
            if count > _MAX_FIRINGS:
                raise SolverError(f"more than {_MAX_FIRINGS} events fired at t={t}: a loop — check the "
                                  "model's event triggers")
            prio = self.host.priorities(np.float64(t), y[: self.solver.n], p).reshape(-1)
            k = max(pending, key=lambda e: (prio[e], -e))
            stored = pending.pop(k)
            vals = stored if self.uvftt[k] else self.values(k, t, y, p)
            for (kind, idx), v in zip(self.host.event_targets[k], vals, strict=True):
                if kind == "state":
                    y[idx] = v
                else:
                    p[idx] = v
            new = self.trig(t, y, p)
            for e in list(pending):
                if not self.persistent[e] and not new[e]:
                    del pending[e]
            for e in np.nonzero(new & ~cur)[0]:
                pending[int(e)] = self.values(int(e), t, y, p)
            cur = new
        return y, p, cur

    def values(self, k: int, t: float, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        return self.host.event_values[k](np.float64(t), y[: self.solver.n], p).reshape(-1)


def _first_rise(cur: np.ndarray, prev: np.ndarray) -> int | None:
    """Index of the first sample where some trigger is true that was false before it."""
    before = np.concatenate([prev[:, None], cur[:, :-1]], axis=1)
    rises = np.any(cur & ~before, axis=0)
    idx = np.nonzero(rises)[0]
    return int(idx[0]) if idx.size else None
