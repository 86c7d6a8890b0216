"""Triggers of time and parameters only are located without solving the ODE in between.

Both event paths of :func:`integrate_events` run on an exact (closed-form) segment solver,
so any difference is the driver's: they must agree, and the state-free path must call the
solver once per event and output interval, not once per narrowing step.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from mechsim.solver._events import EventFunctions, integrate_events

K = 0.7  # 1/h, first-order decay of the single species


def _exact(calls: list[int]):
    def solve(y0, t0, ts, p):
        calls.append(len(ts))
        return np.asarray(y0)[None, :] * np.exp(-K * (np.asarray(ts) - t0))[:, None], 0

    return solve


def _events(state_free: bool) -> EventFunctions:
    """Every 0.25 h after ``p[0]`` (the last reset time) add 1 to y and set p[0] = t."""
    return EventFunctions(
        triggers=lambda t, y, p: np.asarray(np.asarray(t) - p[0] >= 0.25, dtype=float)[None],
        priorities=lambda t, y, p: np.zeros((1, *np.shape(t))),
        values=(lambda t, y, p: np.stack([np.broadcast_to(y[0] + 1.0, np.shape(t)),
                                          np.broadcast_to(np.asarray(t, float), np.shape(t))]),),
        targets=((("state", 0), ("param", 0)),),
        initial_value=(True,),
        persistent=(False,),
        use_values_from_trigger_time=(True,),
        state_free=state_free,
    )


def test_state_free_path_matches_the_solver_path_with_far_fewer_solves() -> None:
    ts = np.linspace(0.0, 2.0, 5)
    runs, counts = {}, {}
    for free in (False, True):
        calls: list[int] = []
        runs[free] = integrate_events(_exact(calls), _events(free), np.array([1.0]),
                                      np.array([0.0]), ts)
        counts[free] = len(calls)
    for free in (False, True):
        assert runs[free].status == 0
    np.testing.assert_allclose(runs[True].ys, runs[False].ys, rtol=1e-10)
    np.testing.assert_allclose(runs[True].ps, runs[False].ps, rtol=0, atol=1e-10)
    # closed form: events at 0.25, 0.5, ..., 2.0 (8 of them), y decays in between
    y, t = 1.0, 0.0
    for te in np.arange(1, 9) * 0.25:
        y = y * np.exp(-K * (te - t)) + 1.0
        t = te
    assert np.isclose(runs[True].ys[-1, 0], y, rtol=1e-9)
    assert np.isclose(runs[True].ps[-1, 0], 2.0, atol=1e-9)
    # one solve per event plus one per output interval without an event at its end
    assert counts[True] <= 8 + len(ts)
    assert counts[False] > 3 * counts[True]


def test_host_events_mark_time_only_triggers_state_free() -> None:
    from mechsim import Compartment, Network, Parameter, Provenance, Reaction, Species
    from mechsim.model._hostfns import host_events
    from mechsim.network import Event, MassAction

    a = Provenance("assumed", "test network, not a literature value")

    def net(event: Event) -> Network:
        return Network(
            "state-free-probe",
            compartments=[Compartment("c", "V")],
            parameters=[Parameter("V", 1.0, "L", a), Parameter("k", 0.1, "1/h", a)],
            species=[Species("A", "c", initial=10.0)],
            reactions=[Reaction("decay", {"A": 1}, {}, MassAction("k"), "c")],
            events=[event],
        )

    assert host_events(net(Event("reset", "t >= 1", (("c.A", "0"),)))).state_free
    assert not host_events(net(Event("refill", "{A@c} < 1", (("c.A", "10"),)))).state_free
    assert dataclasses.fields(EventFunctions)[-1].name == "state_free"
