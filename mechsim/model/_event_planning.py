"""Which events a solve under jax.jit/vmap can apply, and where they fire.

Events are located by the one host event driver (:mod:`mechsim.solver._events`). A solve
on the host (:func:`mechsim.simulate` with concrete inputs) locates them as it goes; a
solve under ``jax.jit``/``jax.vmap``/``jax.grad``, in grids and in fits needs their
instants before it starts (:func:`plan_events`, compiled in as segment boundaries by
:mod:`mechsim.solver._event_plan`), which is possible only for triggers and priorities that
read neither the state nor a varied parameter. The same holds for event delays: a delay
that reads neither keeps the execution instants static; an event with a delay whose
assignment values are taken at the trigger time and read the state or time is refused
(the plan applies values from the state at the execution instant). Paths that cannot
apply events at all refuse them (:func:`refuse_events`) rather than ignore them.
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import numpy as np

from mechsim.errors import InputError
from mechsim.model._compile import CompiledModel, compile_network
from mechsim.model._hostfns import host_events
from mechsim.model._parameters import parameter_vector
from mechsim.network import Network, symbolic
from mechsim.network._symbolic import TIME
from mechsim.solver._event_plan import EventPlan, plan_firings
from mechsim.solver._events import EventFunctions

__all__ = ["firings_for_solve", "plan_events", "refuse_events", "refuse_parameter_assignments"]


def refuse_events(network: Network, where: str, why: str = "it runs the solver inside jax.jit/vmap "
                  "or the native kernel, where events are not located") -> None:
    """Raise :class:`InputError` for a network with events on a path that cannot apply them.

    Events are applied on the host by :func:`mechsim.simulate` and, when they can be
    planned (:func:`plan_events`), inside jax.jit/vmap, grids and fits; a path that can do
    neither (the native kernel, scenario peak refinement) must not ignore them, which
    would be a silent wrong answer. ``why`` says why ``where`` cannot apply them.
    """
    if network.events:
        names = ", ".join(repr(e.name) for e in network.events[:3])
        raise InputError(
            f"{where}: network {network.name!r} has events ({names}), which this path cannot "
            f"apply ({why}) — run it with mechsim.simulate (one call per parameter set), or "
            "express the intervention as doses (Regimen)"
        )


def refuse_parameter_assignments(network: Network, where: str, why: str = "a "
                                  "SimulationResult holds one parameter vector") -> None:
    """Raise :class:`InputError` if an event of ``network`` assigns a parameter."""
    for ev, items in zip(network.events, symbolic(network).event_assignments, strict=True):
        for kind, target, _ in items:
            if kind == "param":
                raise InputError(
                    f"{where}: event {ev.name!r} of network {network.name!r} assigns parameter "
                    f"{target!r}, and {why} — make {target!r} a rate-rule variable with rate 0, "
                    "or use mechsim.sbml.simulate_sbml"
                )


def plan_events(
    model: Network | CompiledModel,
    times: np.ndarray | tuple[float, ...],
    *,
    params: Mapping[str, float] | np.ndarray | None = None,
    t0: float = 0.0,
    varied: tuple[str, ...] | list[str] = (),
    where: str = "simulate",
) -> EventPlan | None:
    """Locate the firings of ``model``'s events on the host, for a solve under jit/vmap.

    Parameters
    ----------
    model:
        The network (or compiled model); None is returned when it has no events.
    times, t0:
        The solve's output times and start (h).
    params:
        Parameter overrides (declared units) or a full vector (internal units), as
        :func:`simulate`; only the parameters the triggers and priorities read matter.
    varied:
        Parameters that differ across the batch or fit (traced): no trigger or priority
        may read them.
    where:
        The calling path, named in errors.

    Returns
    -------
    EventPlan or None
        Pass it to :func:`simulate` as ``events=`` (valid for solves from ``t0`` to these
        output times with the same values of the triggers' parameters).

    Raises
    ------
    InputError
        An event assigns a parameter, or its trigger, priority or delay reads the state or
        a ``varied`` parameter: its instant is then known only during the solve; or an
        event with a delay takes its values at the trigger time from the state or time.
    """
    cm = model if isinstance(model, CompiledModel) else compile_network(model)
    if not cm.network.events:
        return None
    ev = _plannable(cm, varied, where)
    with jax.ensure_compile_time_eval():  # concrete values, also when called under jit
        p = np.asarray(parameter_vector(cm, params), dtype=float)
    return plan_firings(ev, cm.n_states, p, float(t0), np.asarray(times, dtype=float).ravel())


def _plannable(cm: CompiledModel, varied, where: str) -> EventFunctions:
    """``cm``'s host events, after refusing those :func:`plan_events` cannot plan."""
    network = cm.network
    refuse_parameter_assignments(network, where, "inside jax.jit/vmap events may set only the state")
    ev = host_events(network)
    varied_idx = {cm.param_names.index(v) for v in varied if v in cm.param_names}
    fix = ("use mechsim.simulate with concrete inputs (one call per parameter set), or express "
           "the intervention as doses (Regimen)")
    for k, event in enumerate(network.events):
        what = "trigger, priority or delay" if event.delay is not None else "trigger or priority"
        if ev.trigger_states[k]:
            shown = event.trigger if event.delay is None else f"{event.trigger}; delay {event.delay}"
            raise InputError(
                f"{where}: event {event.name!r} of network {network.name!r} has a {what} that "
                f"reads the state ({shown!r}), so its time is known only "
                f"during the solve, which this path runs inside jax.jit/vmap — {fix}"
            )
        reads = sorted(cm.param_names[j] for j in ev.trigger_params[k] & varied_idx)
        if reads:
            raise InputError(
                f"{where}: event {event.name!r} of network {network.name!r} has a {what} "
                f"that reads {', '.join(map(repr, reads))}, which varies across the "
                f"batch or fit, so its time is not known before the solve — keep "
                f"{reads[0]!r} fixed, or {fix}"
            )
        _refuse_stored_values(cm, k, where, fix)
    return ev


def _refuse_stored_values(cm: CompiledModel, k: int, where: str, fix: str) -> None:
    """Refuse a delayed event whose values, taken at the trigger time, read the state or t.

    :func:`~mechsim.solver._event_plan.integrate_planned` evaluates assignments with the
    state at the execution instant; with a delay that is another instant than the trigger
    time, so values of parameters alone (constant over the solve) are the only ones it
    can apply for ``use_values_from_trigger_time=True``.
    """
    event, sm = cm.network.events[k], symbolic(cm.network)
    delay = sm.event_delays[k] if sm.event_delays else None
    if delay is None or not event.use_values_from_trigger_time or (delay.is_number and delay == 0):
        return
    moving = set(sm.state_symbols) | {TIME}
    if any(expr.free_symbols & moving for _, _, expr in sm.event_assignments[k]):
        raise InputError(
            f"{where}: event {event.name!r} of network {cm.network.name!r} has a delay "
            f"({event.delay!r}) and takes its assignment values at the trigger time from the "
            "state or time, which this path (inside jax.jit/vmap, values from the state at the "
            "execution instant) cannot carry to the execution — set "
            f"use_values_from_trigger_time=False if that is what the model means, or {fix}"
        )


def firings_for_solve(cm: CompiledModel, events: EventPlan | None, params, times, t0) -> EventPlan:
    """The plan of a traced (or ``events=``) solve: given, or located from untraced inputs."""
    network = cm.network
    if isinstance(params, Mapping):
        varied = [k for k, v in params.items() if isinstance(v, jax.core.Tracer)]
        fixed = {k: v for k, v in params.items() if k not in varied}
    elif isinstance(params, jax.core.Tracer):
        varied, fixed = list(cm.param_names), None
    else:
        varied, fixed = [], params
    where = "simulate under jax.jit/vmap"
    if events is None:
        _plannable(cm, varied, where)
    if isinstance(t0, jax.core.Tracer) or isinstance(times, jax.core.Tracer):
        what = "t0" if isinstance(t0, jax.core.Tracer) else "the output times"
        raise InputError(
            f"simulate: network {network.name!r} has events, and under jax.jit/vmap their "
            f"instants are located before the solve, which needs {what} concrete — pass "
            f"{what} as numpy values (a jnp array made inside jax.jit is traced)"
        )
    times = np.asarray(times, dtype=float).ravel()
    if events is not None:
        if not events.fits(float(t0), times):
            raise InputError(
                f"simulate: events= was planned for t0={events.t0} and {len(events.outputs)} "
                f"other output times — plan it again for these with mechsim.simulate.plan_events"
            )
        return events
    plan = plan_events(cm, times, params=fixed, t0=float(t0), varied=varied, where=where)
    assert plan is not None
    return plan
