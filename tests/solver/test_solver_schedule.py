"""Schedules: exact bolus totals, exact infusion amounts, right-continuity, t0 rules."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mechsim.solver import RESULTS, Schedule, integrate
from tests.helpers import assert_close


def _accumulator(t, y, args):
    return jnp.zeros_like(y)


def _elimination(t, y, k):
    return -k * y


def test_repeated_boluses_deliver_exact_total_and_are_right_continuous():
    times = jnp.array([1.0, 2.0, 3.5, jnp.inf])  # inf: padding, never reached
    jumps = jnp.array([[2.0], [3.0], [0.5], [100.0]])
    ts = jnp.array([0.0, 1.0, 1.5, 3.5, 5.0])
    sol = integrate(_accumulator, jnp.zeros(1), ts, None, schedule=Schedule(times, jumps))
    assert int(sol.status) == RESULTS.SUCCESS
    # right-continuous: the output at an event time shows the state after the jump
    assert_close(sol.ys[:, 0], [0.0, 2.0, 2.0, 5.5, 5.5], rtol=1e-14, atol=1e-14)


def test_infusion_delivers_rate_times_duration():
    r, start, d = 3.0, 0.7, 2.5
    rates = jnp.array([[0.0], [r], [0.0]])
    sched = Schedule(jnp.array([start, start + d]), rates=rates)
    sol = integrate(_accumulator, jnp.zeros(1), jnp.array([0.0, 1.0, 10.0]), None, schedule=sched)
    assert_close(sol.ys[:, 0], [0.0, r * (1.0 - start), r * d], rtol=1e-12, atol=1e-13)


def test_bolus_then_elimination_matches_closed_form():
    k = 0.8
    sched = Schedule(jnp.array([0.0, 2.0]), jnp.array([[10.0], [5.0]]))
    ts = jnp.array([0.0, 1.0, 2.0, 4.0])
    sol = integrate(_elimination, jnp.zeros(1), ts, k, schedule=sched, rtol=1e-10, atol=1e-12)
    expected = [
        10.0,
        10 * np.exp(-k),
        10 * np.exp(-2 * k) + 5,
        (10 * np.exp(-2 * k) + 5) * np.exp(-2 * k),
    ]
    assert_close(sol.ys[:, 0], expected, rtol=1e-8, what="bolus at t0 applied, later bolus exact")


def test_events_before_t0_are_ignored_but_count_for_rate_segments():
    sched = Schedule(
        jnp.array([-1.0, 2.0]), jnp.array([[7.0], [0.0]]), jnp.array([[0.0], [1.0], [0.0]])
    )
    sol = integrate(_accumulator, jnp.zeros(1), jnp.array([0.0, 1.0, 3.0]), None, schedule=sched)
    assert_close(sol.ys[:, 0], [0.0, 1.0, 2.0], rtol=1e-12, atol=1e-13)


def test_vmap_over_padded_regimens():
    times = jnp.array([[1.0, 2.0, 3.0], [0.5, jnp.inf, jnp.inf]])
    jumps = jnp.ones((2, 3, 1))
    scheds = jax.vmap(lambda t, j: Schedule(t, j))(times, jumps)
    sols = jax.vmap(lambda s: integrate(_accumulator, jnp.zeros(1), jnp.array([0.0, 4.0]), None,
                                        schedule=s))(scheds)  # fmt: skip
    assert_close(sols.ys[:, -1, 0], [3.0, 1.0], rtol=1e-14)
