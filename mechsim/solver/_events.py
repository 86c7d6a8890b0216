"""Discrete events between solver calls: trigger location on the host, SBML semantics.

The one event path of mechsim: :func:`mechsim.simulate` (networks with events) and
:func:`mechsim.sbml.simulate_sbml` both run :func:`integrate_events`. Delays are not
supported (an SBML import refuses them).

The ODE is integrated by a *segment solver* (:func:`segment_solver`: :func:`integrate`
jitted once per model, since every call has the same number of output points,
``substeps``). Between two output times the driver samples each trigger at ``substeps``
points; when a trigger rises (false -> true) between two samples it narrows the interval
the same way until it is shorter than ``time_tol * max(1, |t|)`` and fires the event at
the right end. Firing follows SBML Level 3: the assignments of all events triggered at
that instant are evaluated with the state at the trigger time, events execute in
decreasing priority (document order on ties), a non-persistent event whose trigger turned
false before it executes is dropped, and events whose triggers rise because of an
assignment fire at the same instant. Events with ``initial_value=False`` whose trigger
holds at t0 fire at t0. Outputs are right-continuous: an output at an event time shows
the state after the event.

This runs on the host (numpy between jitted solver calls), so it cannot be traced by
``jax.jit``, ``jax.vmap`` or ``jax.grad``. Under those, events whose triggers read no
state are planned by this same driver on a frozen state (its ``log`` of executions) and
compiled into the solve (:mod:`mechsim.solver._event_plan`); callers refuse the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from mechsim.errors import SolverError

from ._diffrax import DiffraxSolver
from ._integrate import integrate
from ._rosenbrock import AbstractRosenbrock
from ._schedule import Schedule

__all__ = ["EventFunctions", "EventRun", "SegmentSolver", "integrate_events", "segment_solver"]

#: Most events that may fire at one instant (cascades included) before it is a loop.
MAX_FIRINGS = 10_000

#: Trigger samples per interval where triggers are located without the solver (state-free).
HOST_SAMPLES = 1024

#: ``solve(y0, t0, ts, p) -> (ys (k, n), status)``: one solver call from ``t0``.
SegmentSolver = Callable[[np.ndarray, float, np.ndarray, np.ndarray], tuple[np.ndarray, int]]


@dataclass(frozen=True)
class EventFunctions:
    """A model's events as host (numpy) functions of ``(t, y, p)``.

    ``t`` may be a scalar or a (k,) array of times with ``y`` then ``(n, k)``; each
    function broadcasts over them.

    Attributes:
        triggers: ``(n_events, *batch)`` floats, a trigger holds where the value > 0.5.
        priorities: ``(n_events, *batch)`` floats (0 where an event has none).
        values: per event, ``(n_assignments, *batch)``: the assigned values.
        targets: per event, ``("state", i)`` / ``("param", j)`` in the order of ``values``.
        initial_value: per event, the trigger's value just before t0.
        persistent: per event, whether it still executes if its trigger turns false
            before it executes (SBML ``persistent``).
        use_values_from_trigger_time: per event, whether its values are those computed
            when it triggered (else when it executes, after higher-priority events).
        trigger_states: per event, whether its trigger or priority depends on the state.
        trigger_params: per event, the parameter indices its trigger and priority read.
        state_free: whether no trigger depends on the state (only on time and parameters):
            then triggers are located on the host without solving the ODE in between.
    """

    triggers: Callable
    priorities: Callable
    values: tuple[Callable, ...]
    targets: tuple[tuple[tuple[str, int], ...], ...]
    initial_value: tuple[bool, ...]
    persistent: tuple[bool, ...]
    use_values_from_trigger_time: tuple[bool, ...]
    trigger_states: tuple[bool, ...] = ()
    trigger_params: tuple[frozenset[int], ...] = ()
    state_free: bool = False

    @property
    def assigns_parameters(self) -> bool:
        """Whether some event sets a parameter (so ``p`` changes over time)."""
        return any(kind == "param" for tg in self.targets for kind, _ in tg)


@dataclass(frozen=True)
class EventRun:
    """The result of :func:`integrate_events`.

    Attributes:
        ys: (k, n) states at the output times (NaN from a failure on).
        ps: (k, m) parameter vectors at the output times (events may assign parameters).
        status: 0, or the :class:`~mechsim.solver.RESULTS` code of the failed solver call.
        t_failed: start time of the failed solver call (NaN on success).
    """

    ys: np.ndarray
    ps: np.ndarray
    status: int
    t_failed: float


def segment_solver(
    rhs: Callable,
    *,
    jac: Callable | None,
    sparsity: np.ndarray | None,
    solver: AbstractRosenbrock | DiffraxSolver,
    rtol: float,
    atol: float,
    max_steps: int,
    schedule: Schedule | None = None,
) -> SegmentSolver:
    """A :data:`SegmentSolver` calling :func:`integrate` (arguments as there).

    With a ``schedule``, every call from ``t0`` drops the jumps at times ``<= t0``: the
    state it starts from already holds them (outputs are right-continuous), so a restart
    at a dose time must not add that dose again. Rates are kept.
    """

    def solve(y0: np.ndarray, t0: float, ts: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, int]:
        sch = None if schedule is None else schedule.after(t0)
        sol = integrate(
            rhs, jnp.asarray(y0), jnp.asarray(ts), jnp.asarray(p), jac=jac, sparsity=sparsity,
            solver=solver, rtol=rtol, atol=atol, t0=t0, schedule=sch, max_steps=max_steps,
        )
        return np.asarray(sol.ys, dtype=float), int(sol.status)

    return solve


class _Failed(Exception):
    def __init__(self, status: int, t0: float) -> None:
        super().__init__(status, t0)
        self.status, self.t0 = status, t0


def integrate_events(
    solve: SegmentSolver,
    events: EventFunctions,
    y0: np.ndarray,
    p: np.ndarray,
    ts: Sequence[float] | np.ndarray,
    *,
    t0: float = 0.0,
    substeps: int = 8,
    time_tol: float = 1e-12,
    log: list[tuple[float, int]] | None = None,
) -> EventRun:
    """Integrate from ``(t0, y0)`` to each of ``ts`` (non-decreasing, ``>= t0``), firing events.

    Args:
        solve: one solver call (:func:`segment_solver`).
        events: the model's events (:class:`EventFunctions`).
        y0: (n,) state at ``t0`` (before the events that fire at ``t0``).
        p: (m,) parameter vector at ``t0``.
        ts: output times, same unit as ``t0``.
        substeps: trigger samples per output interval (and per narrowing step).
        time_tol: events are located to within ``time_tol * max(1, |t|)``.
        log: if given, ``(t, event index)`` of every execution is appended, in order.

    Returns:
        :class:`EventRun`; a failed solver call stops the run and is reported in its
        ``status`` (never raised).

    Raises:
        SolverError: more than :data:`MAX_FIRINGS` events fire at one instant (a loop).
    """
    ts = np.asarray(ts, dtype=float)
    y, p = np.array(y0, dtype=float), np.array(p, dtype=float)
    run = _Driver(solve, events, substeps, time_tol, log)
    ys = np.full((ts.size, y.size), np.nan)
    ps = np.full((ts.size, p.size), np.nan)
    prev = np.array(events.initial_value, dtype=bool)
    y, p, prev = run.fire(t0, y, p, prev)
    t = t0
    try:
        for i, t_out in enumerate(ts):
            while t < t_out:
                t, y, p, prev = run.advance(t, t_out, y, p, prev)
            ys[i], ps[i] = y, p
    except _Failed as fail:
        return EventRun(ys, ps, fail.status, float(fail.t0))
    return EventRun(ys, ps, 0, float("nan"))


class _Driver:
    """Trigger location and firing for one run."""

    def __init__(self, solve: SegmentSolver, events: EventFunctions, substeps: int,
                 time_tol: float, log: list[tuple[float, int]] | None = None) -> None:
        self.solve_raw, self.ev, self.log = solve, events, log
        self.k, self.tol = substeps, time_tol
        self.persistent = np.array(events.persistent, dtype=bool)
        self.uvftt = np.array(events.use_values_from_trigger_time, dtype=bool)

    def solve(self, y: np.ndarray, t0: float, ts: np.ndarray, p: np.ndarray) -> np.ndarray:
        ys, status = self.solve_raw(y, t0, ts, p)
        if status != 0:
            raise _Failed(status, t0)
        return ys

    def triggers(self, t, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Trigger values, shape ``(n_events, *t.shape)`` (bool)."""
        return self.ev.triggers(t, y, p) > 0.5

    def trig(self, t: float, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        return self.triggers(np.float64(t), y, p).reshape(-1)

    def advance(self, t: float, t_end: float, y, p, prev):
        """Integrate towards ``t_end``; stop at the first event (fired) or at ``t_end``."""
        if self.ev.state_free:
            return self._advance_state_free(t, t_end, y, p, prev)
        grid = np.linspace(t, t_end, self.k + 1)[1:]
        ys = self.solve(y, t, grid, p)
        cur = self.triggers(grid, ys.T, p)  # (n_events, k)
        hit = _first_rise(cur, prev)
        if hit is None:
            return t_end, ys[-1], p, cur[:, -1].copy()
        ta, ya = (t, y) if hit == 0 else (grid[hit - 1], ys[hit - 1])
        prev_a = prev if hit == 0 else cur[:, hit - 1].copy()
        tb, yb = grid[hit], ys[hit]
        while tb - ta > self.tol * max(1.0, abs(tb)):
            sub = np.linspace(ta, tb, self.k + 1)[1:]
            sub[-1] = tb
            ys2 = self.solve(ya, ta, sub, p)
            cur2 = self.triggers(sub, ys2.T, p)
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

    def _advance_state_free(self, t: float, t_end: float, y, p, prev):
        """:meth:`advance` for triggers of time and parameters only.

        The trigger times are located by evaluating the triggers alone (the state does
        not enter them), with the narrowing of :meth:`advance` but :data:`HOST_SAMPLES`
        samples per interval (a vectorised numpy call); the ODE is then solved once, from
        ``t`` to where the run stops, with that one output point (one more compilation of
        the segment solver, then far fewer steps per call).
        """
        frozen = y[:, None]

        def trig(times: np.ndarray) -> np.ndarray:
            return self.triggers(times, np.broadcast_to(frozen, (y.size, times.size)), p)

        grid = np.linspace(t, t_end, HOST_SAMPLES + 1)[1:]
        cur = trig(grid)
        hit = _first_rise(cur, prev)
        if hit is None:
            return t_end, self._state_at(y, t, t_end, p), p, cur[:, -1].copy()
        ta = t if hit == 0 else grid[hit - 1]
        prev_a = prev if hit == 0 else cur[:, hit - 1].copy()
        tb = grid[hit]
        while tb - ta > self.tol * max(1.0, abs(tb)):
            sub = np.linspace(ta, tb, HOST_SAMPLES + 1)[1:]
            sub[-1] = tb
            cur2 = trig(sub)
            j = _first_rise(cur2, prev_a)
            if j is None:  # the rise vanished at finer resolution: step past it
                return tb, self._state_at(y, t, tb, p), p, cur2[:, -1].copy()
            if j > 0:
                ta, prev_a = sub[j - 1], cur2[:, j - 1].copy()
            tb = sub[j]
        y2, p2, prev2 = self.fire(tb, self._state_at(y, t, tb, p), p, prev_a)
        return tb, y2, p2, prev2

    def _state_at(self, y: np.ndarray, t: float, t_end: float, p: np.ndarray) -> np.ndarray:
        """The state at ``t_end`` from ``(t, y)``: one solver call."""
        if t_end <= t:
            return y
        return self.solve(y, t, np.array([t_end]), p)[-1]

    def fire(self, t: float, y: np.ndarray, p: np.ndarray, prev: np.ndarray):
        """Execute every event whose trigger rose at ``t`` (cascades included)."""
        y, p = y.copy(), p.copy()
        cur = self.trig(t, y, p)
        pending = {int(k): self.values(k, t, y, p) for k in np.nonzero(cur & ~prev)[0]}
        count = 0
        while pending:
            count += 1
            if count > MAX_FIRINGS:
                raise SolverError(f"more than {MAX_FIRINGS} events fired at t={t}: a loop — check the "
                                  "model's event triggers")
            prio = self.ev.priorities(np.float64(t), y, p).reshape(-1)
            k = max(pending, key=lambda e: (prio[e], -e))
            stored = pending.pop(k)
            if self.log is not None:
                self.log.append((float(t), k))
            vals = stored if self.uvftt[k] else self.values(k, t, y, p)
            for (kind, idx), v in zip(self.ev.targets[k], vals, strict=True):
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
        return self.ev.values[k](np.float64(t), y, p).reshape(-1)


def _first_rise(cur: np.ndarray, prev: np.ndarray) -> int | None:
    """Index of the first sample where some trigger is true that was false before it."""
    before = np.concatenate([prev[:, None], cur[:, :-1]], axis=1)
    rises = np.any(cur & ~before, axis=0)
    idx = np.nonzero(rises)[0]
    return int(idx[0]) if idx.size else None
