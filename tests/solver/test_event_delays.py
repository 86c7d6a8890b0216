"""Delayed events (SBML Level 3, L3V2 section 4.11) on mechsim's one event path.

The driver (:func:`mechsim.solver._events.integrate_events`) runs on an exact segment
solver of first-order decay, dy/dt = -K y, so every expected value is closed form: a
delayed execution lands exactly on ``t_trigger + delay``, values come from the trigger or
the execution time, non-persistent executions are cancelled when their trigger falls, and
one event can have several executions queued. The same semantics through
:func:`mechsim.simulate` (host path and planned under ``jax.jit``) close the file.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from mechsim import simulate
from mechsim.errors import InputError
from mechsim.solver._events import EventFunctions, integrate_events
from tests.event_networks import Event, probe_network

K = 0.7  # 1/h, first-order decay of the single state


def _exact(y0, t0, ts, p):
    return np.asarray(y0)[None, :] * np.exp(-K * (np.asarray(ts) - t0))[:, None], 0


def _const(value: float):
    return lambda t, y, p: np.full((1, *np.shape(t)), float(value))


def _events(trigger, value, *, delay: float | None, persistent: bool = True,
            uvftt: bool = True, state_free: bool = True) -> EventFunctions:  # fmt: skip
    """One event: ``trigger(t, y)`` (bool array), assigns ``value(t, y)`` to y[0]."""

    def values(t, y, p):
        return np.broadcast_to(np.asarray(value(np.asarray(t, float), y[0]), float), np.shape(t))[None]

    return EventFunctions(
        triggers=lambda t, y, p: np.asarray(trigger(np.asarray(t, float), y[0]), dtype=float)[None],
        priorities=lambda t, y, p: np.zeros((1, *np.shape(t))),
        values=(values,),
        targets=((("state", 0),),),
        initial_value=(True,),
        persistent=(persistent,),
        use_values_from_trigger_time=(uvftt,),
        delays=(None if delay is None else _const(delay),),
        state_free=state_free,
    )


@pytest.mark.parametrize("state_free", [True, False])
def test_delayed_reset_has_the_closed_form(state_free: bool) -> None:
    """y(0) = 1 decays; the trigger rises at t = 1 (delay 0.5) or, reading the state,
    at t = 1.1 (delay 0.4); at 1.5 y is set to 10 (the output at 1.5 shows it)."""
    threshold = np.exp(-K * 1.1)  # y crosses it at t = 1.1
    ev = _events(lambda t, y: y < threshold, lambda t, y: 10.0 + 0 * y, delay=0.4,
                 state_free=False)
    if state_free:
        ev = _events(lambda t, y: t >= 1.0, lambda t, y: 10.0 + 0 * y, delay=0.5)
    ts = np.array([0.5, 1.0, 1.2, 1.5, 1.75, 3.0])
    log: list[tuple[float, int]] = []
    run = integrate_events(_exact, ev, np.array([1.0]), np.zeros(1), ts, log=log)
    assert run.status == 0
    expected = np.where(ts < 1.5, np.exp(-K * ts), 10.0 * np.exp(-K * (ts - 1.5)))
    np.testing.assert_allclose(run.ys[:, 0], expected, rtol=1e-9)
    assert len(log) == 1 and log[0][0] == pytest.approx(1.5, abs=1e-11)


def test_values_from_trigger_time_or_execution_time() -> None:
    """y += 5 with the trigger at t = 1, delay 0.5: y(1)+5 or y(1.5-)+5."""
    ts = np.array([1.5, 2.0])
    got = {}
    for uvftt in (True, False):
        ev = _events(lambda t, y: t >= 1.0, lambda t, y: y + 5.0, delay=0.5, uvftt=uvftt)
        got[uvftt] = integrate_events(_exact, ev, np.array([1.0]), np.zeros(1), ts).ys[:, 0]
    np.testing.assert_allclose(got[True][0], np.exp(-K) + 5.0, rtol=1e-12)
    np.testing.assert_allclose(got[False][0], np.exp(-1.5 * K) + 5.0, rtol=1e-12)
    np.testing.assert_allclose(got[False][1], (np.exp(-1.5 * K) + 5.0) * np.exp(-0.5 * K), rtol=1e-12)


@pytest.mark.parametrize("persistent", [True, False])
def test_non_persistent_execution_is_cancelled_when_its_trigger_falls(persistent: bool) -> None:
    """Trigger true on [1, 1.2) and from 1.4 on, delay 0.5: rises at 1 and 1.4.

    Persistent: executions at 1.5 and 1.9. Non-persistent: the first is cancelled (its
    trigger fell at 1.2, although it holds again at 1.5); the second runs at 1.9.
    """
    ev = _events(lambda t, y: ((t >= 1.0) & (t < 1.2)) | (t >= 1.4), lambda t, y: y + 1.0,
                 delay=0.5, persistent=persistent, uvftt=False)
    log: list[tuple[float, int]] = []
    run = integrate_events(_exact, ev, np.array([1.0]), np.zeros(1), [3.0], log=log)
    times = [t for t, _ in log]
    expected = [1.5, 1.9] if persistent else [1.9]
    np.testing.assert_allclose(times, expected, atol=1e-11)
    y = 1.0
    t_prev = 0.0
    for te in expected:
        y = y * np.exp(-K * (te - t_prev)) + 1.0
        t_prev = te
    np.testing.assert_allclose(run.ys[-1, 0], y * np.exp(-K * (3.0 - t_prev)), rtol=1e-9)


def test_an_event_retriggers_while_its_executions_are_pending() -> None:
    """Trigger ``t mod 1 >= 0.5`` rises at 0.5, 1.5, 2.5; delay 1.2: at 1.5 and 2.5 one
    execution is still queued when the next is triggered (two instances); each adds 1."""
    ev = _events(lambda t, y: np.mod(t, 1.0) >= 0.5, lambda t, y: y + 1.0, delay=1.2)
    log: list[tuple[float, int]] = []
    run = integrate_events(_exact, ev, np.array([0.0]), np.zeros(1), [4.0], log=log)
    np.testing.assert_allclose([t for t, _ in log], [1.7, 2.7, 3.7], atol=1e-11)
    # values from the trigger times: y was 0, then 0 (at 1.5, before 1.7), then y(2.5)
    y_at_2_5 = np.exp(-K * 0.8)
    y = 1.0  # after 2.7, assigned the value of t = 1.5 (0 + 1)
    y = y_at_2_5 + 1.0  # at 3.7, assigned y(2.5) + 1
    np.testing.assert_allclose(run.ys[-1, 0], y * np.exp(-K * 0.3), rtol=1e-9)


def test_a_delay_of_zero_is_queued_and_ordered_by_priority() -> None:
    """Two events at t = 1: 'set' (no delay, priority 1) y = 2, 'double' (delay 0,
    priority 2) y = 2 y at execution: double first, then set, so y(1) = 2."""
    base = _events(lambda t, y: t >= 1.0, lambda t, y: 2.0 + 0 * y, delay=None)
    ev = EventFunctions(
        triggers=lambda t, y, p: np.concatenate([base.triggers(t, y, p)] * 2),
        priorities=lambda t, y, p: np.stack([np.full(np.shape(t), 1.0), np.full(np.shape(t), 2.0)]),
        values=(base.values[0], lambda t, y, p: 2.0 * np.asarray(y[:1], float)),
        targets=((("state", 0),), (("state", 0),)),
        initial_value=(True, True), persistent=(True, True),
        use_values_from_trigger_time=(True, False),
        delays=(None, _const(0.0)),
        state_free=True,
    )
    log: list[tuple[float, int]] = []
    run = integrate_events(_exact, ev, np.array([1.0]), np.zeros(1), [1.0], log=log)
    assert [k for _, k in log] == [1, 0]
    assert run.ys[0, 0] == 2.0


def test_a_negative_delay_is_an_error() -> None:
    from mechsim.errors import SolverError

    ev = _events(lambda t, y: t >= 1.0, lambda t, y: y, delay=-1.0)
    with pytest.raises(SolverError, match="delay -1.0"):
        integrate_events(_exact, ev, np.array([1.0]), np.zeros(1), [2.0])


TS = np.array([0.0, 1.0, 1.25, 1.5, 2.0])


def test_network_event_delay_through_simulate_and_jit() -> None:
    """A (10 umol, k = 0.5/h) decays; ``t >= 1`` with delay ``t_on / 3`` (0.5 h) sets A = 10.

    The host path and the plan compiled under ``jax.jit`` both give the closed form.
    """
    k = 0.5
    net = probe_network("delay-probe", [Event("refill", "t >= 1", (("c.A", "10"),),
                                              delay="t_on / 3")], k=k)
    expected = np.where(TS < 1.5, 10.0 * np.exp(-k * TS), 10.0 * np.exp(-k * (TS - 1.5)))
    host = np.asarray(simulate(net, None, TS).ys)[:, 0]
    np.testing.assert_allclose(host, expected, rtol=1e-6)
    jitted = np.asarray(jax.jit(lambda kk: simulate(net, None, TS, params={"k": kk}).ys)(k))[:, 0]
    np.testing.assert_allclose(jitted, expected, rtol=1e-6)


def test_jit_refuses_delays_it_cannot_plan() -> None:
    state_delay = probe_network("delay-state", [Event("e", "t >= 1", (("c.A", "1"),),
                                                      delay="{A@c}")])
    with pytest.raises(InputError, match="delay.*reads the state"):
        jax.jit(lambda kk: simulate(state_delay, None, TS, params={"k": kk}).ys)(0.1)
    stored = probe_network("delay-stored", [Event("e", "t >= 1", (("c.A", "{A@c} + 1"),),
                                                  delay="0.5")])
    with pytest.raises(InputError, match="use_values_from_trigger_time=False"):
        jax.jit(lambda kk: simulate(stored, None, TS, params={"k": kk}).ys)(0.1)
