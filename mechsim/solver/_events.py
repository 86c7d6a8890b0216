"""Discrete events between solver calls: trigger location on the host, SBML semantics.

The one event path of mechsim: :func:`mechsim.simulate` (networks with events) and
:func:`mechsim.sbml.simulate_sbml` both run :func:`integrate_events`.

The ODE is integrated by a *segment solver* (:func:`segment_solver`: :func:`integrate`
jitted once per model, since every call has the same number of output points,
``substeps``). Between two output times the driver samples each trigger at ``substeps``
points; when a trigger rises (false -> true) between two samples it narrows the interval
the same way until it is shorter than ``time_tol * max(1, |t|)`` and fires the event at
the right end. Firing follows SBML Level 3 (L3V2 section 4.11): when a trigger rises
its event's delay is evaluated (state, time and parameters at the trigger time; no delay
is a delay of 0) and an *execution* is queued for ``t_trigger + delay``, with the
assignment values computed then if ``use_values_from_trigger_time`` (else at execution).
An event may trigger again while earlier executions are queued (several instances). The
integrator stops exactly at every queued execution time (a segment boundary, like an
output time). At an instant, the executions due there (delayed ones and those of a delay
of 0) run one at a time in decreasing priority, evaluated just before each (document
order on ties, then trigger order); after each, triggers are evaluated again: those that
rose queue new executions (a delay of 0 runs at the same instant), and every queued
execution of a non-persistent event whose trigger is false is cancelled. A non-persistent
execution is also cancelled when its trigger is false at any point the driver evaluates
it before the execution time (every sample; a rise implies a fall since the last one).
Events with ``initial_value=False`` whose trigger holds at t0 trigger at t0. Outputs are
right-continuous: an output at an event time shows the state after the event; a trigger
time is located only to ``time_tol``, so an output time within that interval shifted by
the delay is taken as the execution time (an output at ``t_trigger + delay`` shows it).

This runs on the host (numpy between jitted solver calls), so it cannot be traced by
``jax.jit``, ``jax.vmap`` or ``jax.grad``. Under those, events whose triggers, priorities
and delays read no state are planned by this same driver on a frozen state (its ``log`` of executions) and
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
from ._results import RESULTS
from ._rosenbrock import AbstractRosenbrock
from ._schedule import Schedule

__all__ = [
    "EventFunctions", "EventRun", "Reinitializer", "SegmentSolver",
    "integrate_events", "segment_solver",
]

#: Most events that may fire at one instant (cascades included) before it is a loop.
MAX_FIRINGS = 10_000

#: Trigger samples per interval where triggers are located without the solver (state-free).
HOST_SAMPLES = 1024

#: ``solve(y0, t0, ts, p) -> (ys (k, n), status)``: one solver call from ``t0``.
SegmentSolver = Callable[[np.ndarray, float, np.ndarray, np.ndarray], tuple[np.ndarray, int]]

#: ``reinit(t, y, p) -> (y', ok)``: a DAE state made consistent (algebraic part moved).
Reinitializer = Callable[[float, np.ndarray, np.ndarray], tuple[np.ndarray, bool]]


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
        trigger_states: per event, whether its trigger, priority or delay depends on the
            state.
        trigger_params: per event, the parameter indices its trigger, priority and delay
            read.
        delays: per event, ``None`` (no delay: executes at the trigger instant) or a
            function ``(t, y, p) -> (1, *batch)``: the delay (time units of ``t``, >= 0),
            evaluated at the trigger time. Empty: no event has a delay.
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
    delays: tuple[Callable | None, ...] = ()
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
    mass_matrix: np.ndarray | None = None,
) -> SegmentSolver:
    """A :data:`SegmentSolver` calling :func:`integrate` (arguments as there).

    With a ``mass_matrix`` (a DAE), :func:`integrate` re-initialises the algebraic part
    at every segment start; give the driver :func:`~mechsim.solver._mass.dae_reinitializer` as well, so that
    states after event assignments are consistent before triggers are evaluated.

    With a ``schedule``, every call from ``t0`` drops the jumps at times ``<= t0``: the
    state it starts from already holds them (outputs are right-continuous), so a restart
    at a dose time must not add that dose again. Rates are kept.
    """

    def solve(y0: np.ndarray, t0: float, ts: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, int]:
        sch = None if schedule is None else schedule.after(t0)
        sol = integrate(
            rhs, jnp.asarray(y0), jnp.asarray(ts), jnp.asarray(p), jac=jac, sparsity=sparsity,
            solver=solver, rtol=rtol, atol=atol, t0=t0, schedule=sch, max_steps=max_steps,
            mass_matrix=mass_matrix,
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
    reinit: Reinitializer | None = None,
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
        reinit: for a DAE (``solve`` given the mass matrix), :func:`~mechsim.solver._mass.dae_reinitializer`:
            applied to ``y0`` and after every execution's assignments. ``None``: an ODE.

    Returns:
        :class:`EventRun`; a failed solver call stops the run and is reported in its
        ``status`` (never raised), as is a failed re-initialisation
        (``RESULTS.INCONSISTENT_INITIAL_STATE``).

    Raises:
        SolverError: more than :data:`MAX_FIRINGS` events fire at one instant (a loop).
    """
    ts = np.asarray(ts, dtype=float)
    y, p = np.array(y0, dtype=float), np.array(p, dtype=float)
    run = _Driver(solve, events, substeps, time_tol, log, outputs=ts, reinit=reinit)
    ys = np.full((ts.size, y.size), np.nan)
    ps = np.full((ts.size, p.size), np.nan)
    prev = np.array(events.initial_value, dtype=bool)
    t = t0
    try:
        if reinit is not None:
            y = run.consistent(t0, y, p)
        y, p, prev = run.fire(t0, y, p, prev)
        for i, t_out in enumerate(ts):
            while t < t_out:
                t, y, p, prev = run.advance(t, t_out, y, p, prev)
            ys[i], ps[i] = y, p
    except _Failed as fail:
        return EventRun(ys, ps, fail.status, float(fail.t0))
    return EventRun(ys, ps, 0, float("nan"))


@dataclass
class _Pending:
    """One queued execution of an event."""

    t: float  # execution time (trigger time + delay)
    event: int
    seq: int  # trigger order: ties between instances of one event
    values: np.ndarray | None  # computed at the trigger time (use_values_from_trigger_time)


class _Driver:
    """Trigger location, the queue of pending executions and firing, for one run."""

    def __init__(self, solve: SegmentSolver, events: EventFunctions, substeps: int,
                 time_tol: float, log: list[tuple[float, int]] | None = None,
                 outputs: np.ndarray | None = None, reinit: Reinitializer | None = None) -> None:
        self.solve_raw, self.ev, self.log, self.reinit = solve, events, log, reinit
        self.outputs = np.zeros(0) if outputs is None else np.asarray(outputs, dtype=float)
        self.k, self.tol = substeps, time_tol
        self.persistent = np.array(events.persistent, dtype=bool)
        self.uvftt = np.array(events.use_values_from_trigger_time, dtype=bool)
        n = len(events.persistent)
        self.delays = tuple(events.delays) if events.delays else (None,) * n
        if len(self.delays) != n:
            raise ValueError(f"EventFunctions: {len(self.delays)} delays for {n} events — give "
                             "one per event (None: no delay)")
        self.queue: list[_Pending] = []
        self.seq = 0

    def solve(self, y: np.ndarray, t0: float, ts: np.ndarray, p: np.ndarray) -> np.ndarray:
        ys, status = self.solve_raw(y, t0, ts, p)
        if status != 0:
            raise _Failed(status, t0)
        return ys

    def consistent(self, t: float, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """``y`` with its algebraic part re-initialised (a DAE); raises :class:`_Failed`."""
        y_new, ok = self.reinit(t, y, p)
        if not ok:
            raise _Failed(int(RESULTS.INCONSISTENT_INITIAL_STATE), t)
        return y_new

    def triggers(self, t, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Trigger values, shape ``(n_events, *t.shape)`` (bool)."""
        return self.ev.triggers(t, y, p) > 0.5

    def trig(self, t: float, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        return self.triggers(np.float64(t), y, p).reshape(-1)

    def next_due(self) -> float:
        """The earliest queued execution time (inf: none)."""
        return min((x.t for x in self.queue), default=np.inf)

    def advance(self, t: float, t_end: float, y, p, prev):
        """Integrate towards ``t_end``; stop at the first trigger rise or queued execution
        (fired there) or at ``t_end``."""
        t_stop = min(t_end, self.next_due())
        if self.ev.state_free:
            t_lo, t, y, prev, rose = self._locate_state_free(t, t_stop, y, p, prev)
        else:
            t_lo, t, y, prev, rose = self._locate(t, t_stop, y, p, prev)
        self.cancel(prev)
        if rose or t >= self.next_due():
            y, p, prev = self.fire(t, y, p, prev, t_lo=t_lo)
        return t, y, p, prev

    def _locate(self, t: float, t_end: float, y, p, prev):
        """``(t_lo, t', y', trigger values before firing at t', rose)``: the first rise in
        ``(t, t_end]``, located in ``(t_lo, t']`` (shorter than ``time_tol``), else
        ``t_end`` (``t_lo = t'``)."""
        grid = np.linspace(t, t_end, self.k + 1)[1:]
        grid[-1] = t_end
        ys = self.solve(y, t, grid, p)
        cur = self.triggers(grid, ys.T, p)  # (n_events, k)
        hit = _first_rise(cur, prev)
        if hit is None:
            return t_end, t_end, ys[-1], cur[:, -1].copy(), False
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
                return tb, tb, ys2[-1], cur2[:, -1].copy(), False
            if j > 0:
                ta, ya, prev_a = sub[j - 1], ys2[j - 1], cur2[:, j - 1].copy()
            tb, yb = sub[j], ys2[j]
        return ta, tb, yb, prev_a, True

    def _locate_state_free(self, t: float, t_end: float, y, p, prev):
        """:meth:`_locate` for triggers of time and parameters only.

        The trigger times are located by evaluating the triggers alone (the state does
        not enter them), with the narrowing of :meth:`_locate` but :data:`HOST_SAMPLES`
        samples per interval (a vectorised numpy call); the ODE is then solved once, from
        ``t`` to where the run stops, with that one output point (one more compilation of
        the segment solver, then far fewer steps per call).
        """
        frozen = y[:, None]

        def trig(times: np.ndarray) -> np.ndarray:
            return self.triggers(times, np.broadcast_to(frozen, (y.size, times.size)), p)

        grid = np.linspace(t, t_end, HOST_SAMPLES + 1)[1:]
        grid[-1] = t_end
        cur = trig(grid)
        hit = _first_rise(cur, prev)
        if hit is None:
            return t_end, t_end, self._state_at(y, t, t_end, p), cur[:, -1].copy(), False
        ta = t if hit == 0 else grid[hit - 1]
        prev_a = prev if hit == 0 else cur[:, hit - 1].copy()
        tb = grid[hit]
        while tb - ta > self.tol * max(1.0, abs(tb)):
            sub = np.linspace(ta, tb, HOST_SAMPLES + 1)[1:]
            sub[-1] = tb
            cur2 = trig(sub)
            j = _first_rise(cur2, prev_a)
            if j is None:  # the rise vanished at finer resolution: step past it
                return tb, tb, self._state_at(y, t, tb, p), cur2[:, -1].copy(), False
            if j > 0:
                ta, prev_a = sub[j - 1], cur2[:, j - 1].copy()
            tb = sub[j]
        return ta, tb, self._state_at(y, t, tb, p), prev_a, True

    def _state_at(self, y: np.ndarray, t: float, t_end: float, p: np.ndarray) -> np.ndarray:
        """The state at ``t_end`` from ``(t, y)``: one solver call."""
        if t_end <= t:
            return y
        return self.solve(y, t, np.array([t_end]), p)[-1]

    def cancel(self, trig: np.ndarray) -> None:
        """Drop queued executions of non-persistent events whose trigger is false."""
        if self.queue:
            self.queue = [x for x in self.queue if self.persistent[x.event] or trig[x.event]]

    def schedule(self, k: int, t: float, y: np.ndarray, p: np.ndarray, t_lo: float) -> None:
        """Queue an execution of event ``k`` triggered at ``t`` (delay and values from now).

        The trigger time is known to lie in ``[t_lo, t]`` (trigger location, ``t - t_lo``
        below ``time_tol``; its infimum for a strict inequality such as ``time > 1``); the
        first output time within that interval shifted by the delay is taken as the
        execution time, so that an output at the exact execution time shows the state
        after it (outputs are right-continuous).
        """
        fn = self.delays[k]
        d = 0.0 if fn is None else float(np.asarray(fn(np.float64(t), y, p)).reshape(-1)[0])
        if not d >= 0.0:
            raise SolverError(f"event {k} triggered at t={t} has delay {d}: a delay must be >= 0 "
                              "(SBML L3V2 section 4.11.3) — check the event's delay expression")
        stored = self.values(k, t, y, p) if self.uvftt[k] else None
        t_exec = t + d
        if d > 0.0:
            i = int(np.searchsorted(self.outputs, t_lo + d, side="left"))
            if i < self.outputs.size and self.outputs[i] <= t_exec:
                t_exec = float(self.outputs[i])
        self.queue.append(_Pending(t_exec, k, self.seq, stored))
        self.seq += 1

    def fire(self, t: float, y: np.ndarray, p: np.ndarray, prev: np.ndarray,
             t_lo: float | None = None):
        """Queue the events whose trigger rose at ``t`` (located in ``(t_lo, t]``) and run
        every execution due at ``t`` (cascades included); ``prev`` holds the triggers just
        before ``t``."""
        y, p = y.copy(), p.copy()
        cur = self.trig(t, y, p)
        self.cancel(cur)
        t_lo = t if t_lo is None else t_lo
        for k in np.nonzero(cur & ~prev)[0]:
            self.schedule(int(k), t, y, p, t_lo)
        count = 0
        while True:
            due = [x for x in self.queue if x.t <= t]
            if not due:
                break
            count += 1
            if count > MAX_FIRINGS:
                raise SolverError(f"more than {MAX_FIRINGS} events fired at t={t}: a loop — check the "
                                  "model's event triggers")
            prio = self.ev.priorities(np.float64(t), y, p).reshape(-1)
            x = max(due, key=lambda x: (prio[x.event], -x.event, -x.seq))
            self.queue.remove(x)
            k = x.event
            if self.log is not None:
                self.log.append((float(t), k))
            vals = x.values if x.values is not None else self.values(k, t, y, p)
            for (kind, idx), v in zip(self.ev.targets[k], vals, strict=True):
                if kind == "state":
                    y[idx] = v
                else:
                    p[idx] = v
            if self.reinit is not None:
                y = self.consistent(t, y, p)
            new = self.trig(t, y, p)
            self.cancel(new)
            for e in np.nonzero(new & ~cur)[0]:
                self.schedule(int(e), t, y, p, t)
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
