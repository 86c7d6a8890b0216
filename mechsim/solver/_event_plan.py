"""Events with triggers known before the solve, compiled into it (``jax.jit``/``jax.vmap``).

When no trigger, priority or delay reads the state (only time and parameters that are
constant over a batch or fit), the execution instants and the order of execution at each
instant do not depend on the solution (a delayed event executes at its trigger time plus
its delay; an instant may execute one event several times). :func:`plan_firings` finds them on the host with the one event
driver (:func:`~mechsim.solver._events.integrate_events`, on a frozen state: its trigger
location, priorities, ``initial_value`` and persistence), and :func:`integrate_planned`
integrates between them inside JAX, the way dose times are segment boundaries: land on the
instant, apply the assignments of the events in the planned order (values from the state at
the instant for ``use_values_from_trigger_time``, else from the state after the events
before it), continue. Instants are static, so gradients flow through the segments by
autodiff and a batch shares one program.

Event assignments must target the state (a parameter assignment would make a later
trigger's parameter depend on the solve), and a delayed event with
``use_values_from_trigger_time`` must assign values of parameters only (the values are
computed at the execution instant here); callers check both, see
:func:`mechsim.simulate.plan_events`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ._events import EventFunctions, integrate_events

__all__ = ["EventPlan", "integrate_planned", "plan_firings"]


@dataclass(frozen=True)
class EventPlan:
    """Firing instants and execution order of state-free events (hashable: a jit static).

    Attributes:
        t0: start time of the plan (h, the solve's ``t0``).
        outputs: the output times it was located for (h; the driver narrows triggers
            within each output interval, so an instant at an output time is exact).
        at_t0: events executed at ``t0`` (``initial_value=False`` triggers holding there),
            in execution order.
        times: firing instants in ``(t0, t_end]`` (h), increasing.
        order: per instant, the events executed there, in execution order.
    """

    t0: float
    outputs: tuple[float, ...]
    at_t0: tuple[int, ...]
    times: tuple[float, ...]
    order: tuple[tuple[int, ...], ...]

    def fits(self, t0: float, outputs: Sequence[float]) -> bool:
        """Whether this plan was located for a solve from ``t0`` with these outputs."""
        return self.t0 == float(t0) and self.outputs == tuple(float(t) for t in outputs)


def plan_firings(events: EventFunctions, n_states: int, p: np.ndarray, t0: float,
                 ts: Sequence[float]) -> EventPlan:  # fmt: skip
    """Locate the firings of state-free ``events`` from ``t0`` to ``max(ts)`` on the host.

    Args:
        events: the model's events; every trigger, priority and delay must be free of the
            state and no assignment may target a parameter (not checked here).
        n_states: state size (the frozen state passed to the driver).
        p: (m,) parameter vector; only the entries the triggers and priorities read matter.
        t0, ts: start and output times (h), as the host path would get them (the same
            instants to the last bit).

    Returns:
        The :class:`EventPlan` (instants to ``time_tol`` of
        :func:`~mechsim.solver._events.integrate_events`).
    """

    def frozen(y: np.ndarray, t: float, ts: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, int]:
        return np.broadcast_to(y, (len(ts), y.size)).copy(), 0

    log: list[tuple[float, int]] = []
    ts = tuple(float(t) for t in ts)
    integrate_events(frozen, events, np.zeros(n_states), np.asarray(p, dtype=float),
                     np.asarray(ts), t0=t0, log=log)  # fmt: skip
    at_t0 = tuple(k for t, k in log if t == t0)
    instants: dict[float, list[int]] = {}
    for t, k in log:
        if t != t0:
            instants.setdefault(t, []).append(k)
    return EventPlan(float(t0), ts, at_t0, tuple(instants),
                     tuple(tuple(v) for v in instants.values()))  # fmt: skip


#: ``solve(y0, t0, ts) -> (ys (k, n), status)``: one traced solver call from ``t0``.
TracedSegment = Callable[[jax.Array, jax.Array, jax.Array], tuple[jax.Array, jax.Array]]

#: ``apply(t, y, p) -> y``: the state with one event's targets set from ``(t, y, p)``.
EventApply = Callable[[jax.Array, jax.Array, jax.Array], jax.Array]


def integrate_planned(
    solve: TracedSegment,
    plan: EventPlan,
    applies: Sequence[EventApply],
    targets: np.ndarray,
    use_values_from_trigger_time: Sequence[bool],
    y0: jax.Array,
    ts: jax.Array,
    p: jax.Array,
) -> tuple[jax.Array, jax.Array]:
    """Integrate from ``(plan.t0, y0)`` to the output times ``ts``, firing the planned events.

    One solver call per segment between instants (a ``lax.scan``: one traced call however
    many instants), each with every output time clipped into the segment plus its end;
    an output at an instant shows the state after its events (right-continuous).

    Args:
        solve: one solver call (the caller restarts its dose schedule at the segment start).
        plan: the firings (:func:`plan_firings`) for these ``ts``.
        applies: per event, its assignments (:meth:`CompiledModel.apply_event`'s state).
        targets: (n_events, n) bool, the states each event assigns.
        use_values_from_trigger_time: per event (SBML): values from the state at the
            instant, else from the state after the events executed before it there.
        y0: (n,) state at ``t0`` (doses at ``t0`` included, events at ``t0`` not).
        ts: (k,) non-decreasing output times ``>= t0``.
        p: (m,) parameter vector.

    Returns:
        ``(ys (k, n), status)``: status is the first failed segment's code (0: success).
    """
    n_ev = len(applies)
    t0 = jnp.asarray(plan.t0, dtype=jnp.float64)
    targets = jnp.asarray(targets, dtype=bool).reshape(n_ev, -1)

    def fire(t, y, row):
        start = y
        branches = [
            (lambda y, k=k: jnp.where(targets[k], applies[k](
                t, start if use_values_from_trigger_time[k] else y, p), y))
            for k in range(n_ev)
        ] + [lambda y: y]
        for e in row:  # pad (-1): the last branch, no event
            y = jax.lax.switch(jnp.where(e < 0, n_ev, e), branches, y)
        return y

    # an instant may execute one event several times (queued instances of a delayed event)
    width = max([n_ev, len(plan.at_t0), *(len(r) for r in plan.order)])
    y = fire(t0, y0, jnp.asarray(_pad([plan.at_t0], width)[0]))
    starts = jnp.asarray((plan.t0, *plan.times), dtype=jnp.float64)
    ends = jnp.asarray((*plan.times, np.inf), dtype=jnp.float64)
    rows = jnp.asarray(_pad([*plan.order, ()], width))
    t_last = ts[-1]

    def segment(carry, seg):
        y, ys, status = carry
        s, e, row = seg
        end = jnp.minimum(e, t_last)
        out, st = solve(y, s, jnp.concatenate([jnp.clip(ts, s, end), end[None]]))
        inside = (ts >= s) & (ts < e)
        ys = jnp.where(inside[:, None], out[:-1], ys)
        status = jnp.where(status == 0, st, status)
        return (fire(e, out[-1], row), ys, status), None

    ys0 = jnp.full((ts.shape[0], y0.shape[0]), jnp.nan, dtype=y0.dtype)
    (_, ys, status), _ = jax.lax.scan(segment, (y, ys0, jnp.zeros((), jnp.int32)),
                                      (starts, ends, rows))  # fmt: skip
    return ys, status


def _pad(rows: Sequence[Sequence[int]], width: int) -> np.ndarray:
    """Rows of event indices padded with -1 to ``width`` (at least 1 column)."""
    out = np.full((len(rows), max(width, 1)), -1, dtype=np.int32)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out
