"""Events inside ``jax.jit``/``jax.vmap``/``jax.grad`` (issue #21, item 1).

Triggers of time and untraced parameters are located on the host before the solve and
compiled into it (:mod:`mechsim.solver._event_plan`); the result must equal the host event
path (:func:`mechsim.solver._events.integrate_events`), lane by lane, and gradients must
flow through the events. Everything else is refused with the event named.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mechsim import Dose, Regimen, simulate
from mechsim.errors import InputError
from mechsim.simulate import plan_events
from tests.event_networks import Event, probe_network

TS = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0])


def _network(events: list[Event], k: float = 1e-9):
    return probe_network("jit-event-probe", events, k=k)


def _probe():
    return _network([Event("reset", "t >= 1", (("c.A", "0"),))])


def _busy():
    """Simultaneous events with priorities, values from the trigger time or not, a
    parameter in a trigger, a dose at an event time and an event at t0."""
    return _network([
        Event("double", "t >= 1", (("c.A", "2 * {A@c}"),), priority="1",
              use_values_from_trigger_time=False),
        Event("move", "t >= 1", (("c.B", "{B@c} + {A@c}"),), priority="2"),
        Event("late", "t >= t_on", (("c.A", "{A@c} + 1"),)),
        Event("start", "t >= 0", (("c.B", "1"),), initial_value=False),
    ])


def test_probe_vmap_equals_a_loop_over_the_host_path() -> None:
    ks = jnp.array([1e-9, 0.5])
    run = jax.jit(jax.vmap(lambda k: simulate(_probe(), None, TS, params={"k": k}).ys))
    ys = np.asarray(run(ks))
    for lane, k in enumerate(ks):
        host = simulate(_probe(), None, TS, params={"k": float(k)})
        np.testing.assert_allclose(ys[lane], np.asarray(host.ys), rtol=1e-6, atol=1e-9)
    assert np.all(ys[:, 2:, 0] == 0.0)  # the probe: A = 0 from t = 1 on, A(t=2) = 0


def test_simultaneous_events_and_doses_match_the_host_path() -> None:
    reg = Regimen([Dose("A", "c", 5.0, "umol", time=1.0), Dose("A", "c", 3.0, "umol", time=0.0)])
    net = _busy()
    plan = plan_events(net, TS)
    assert plan is not None and plan.at_t0 == (3,)
    assert plan.order == ((1, 0), (2,)) and plan.times[1] == pytest.approx(1.5)
    jitted = jax.jit(lambda k: simulate(net, reg, TS, params={"k": k}))(0.3)
    host = simulate(net, reg, TS, params={"k": 0.3})
    assert int(jitted.status) == 0 == int(host.status)
    np.testing.assert_allclose(np.asarray(jitted.ys), np.asarray(host.ys), rtol=1e-6, atol=1e-9)


def test_gradient_through_the_event_matches_closed_form() -> None:
    # B(t >= 1) = 10 (1 - exp(-k)): dB/dk = 10 exp(-k), carried through the event. Forward
    # mode here; reverse (adjoint=diffrax.RecursiveCheckpointAdjoint()) gives the same
    # but compiles for ~20 s, too long for the suite.
    def b_at_2(k):
        return simulate(_probe(), None, TS, params={"k": k}, rtol=1e-10, atol=1e-12).ys[4, 1]

    np.testing.assert_allclose(float(jax.jacfwd(b_at_2)(0.5)), 10.0 * np.exp(-0.5), rtol=1e-6)


@pytest.mark.parametrize(
    ("event", "params", "match"),
    [
        (Event("refill", "{A@c} < 1", (("c.A", "10"),)), lambda k: {"k": k}, "reads the state"),
        (Event("late", "t >= t_on", (("c.A", "0"),)), lambda k: {"t_on": k}, "reads 't_on'"),
        (Event("late", "t >= t_on", (("c.A", "0"),)), lambda k: jnp.full(3, k), "reads 't_on'"),
    ],
)
def test_triggers_unknown_before_the_solve_are_refused(event, params, match) -> None:
    net = _network([event])
    with pytest.raises(InputError, match=rf"simulate under jax.jit/vmap: event '{event.name}' .*{match}"):
        jax.jit(lambda k: simulate(net, None, TS, params=params(k)).ys)(1.0)


def test_traced_output_times_are_refused() -> None:
    with pytest.raises(InputError, match="needs the output times concrete"):
        jax.jit(lambda ts: simulate(_probe(), None, ts).ys)(jnp.asarray(TS))
