"""The diffrax adapter agrees with Rodas5P and maps statuses and schedules."""

from __future__ import annotations

import diffrax
import jax.numpy as jnp

from mechsim.solver import RESULTS, DiffraxSolver, Schedule, integrate
from tests.helpers import assert_close
from tests.solver.problems import robertson

TS = jnp.array([0.0, 1.0, 10.0, 100.0])
K = jnp.array([0.04, 3e7, 1e4])


def test_kvaerno5_agrees_with_rodas5p():
    y0 = jnp.array([1.0, 0.0, 0.0])
    ref = integrate(robertson, y0, TS, K, rtol=1e-10, atol=1e-14)
    kv = integrate(
        robertson, y0, TS, K, solver=DiffraxSolver(diffrax.Kvaerno5()), rtol=1e-8, atol=1e-12
    )
    assert int(kv.status) == RESULTS.SUCCESS
    assert_close(kv.ys[:, [0, 2]], ref.ys[:, [0, 2]], rtol=1e-5, atol=1e-10)


def test_tsit5_schedule_and_max_steps():
    sched = Schedule(jnp.array([1.0, 2.0]), jnp.array([[1.0], [2.0]]))
    sol = integrate(lambda t, y, a: -0.5 * y, jnp.zeros(1), jnp.array([0.0, 1.0, 3.0]), None,
                    solver=DiffraxSolver(diffrax.Tsit5()), schedule=sched, rtol=1e-10, atol=1e-12)  # fmt: skip
    expected = [0.0, 1.0, (jnp.exp(-0.5) + 2.0) * jnp.exp(-0.5)]
    assert_close(sol.ys[:, 0], expected, rtol=1e-7, atol=1e-12)
    bad = integrate(robertson, jnp.array([1.0, 0.0, 0.0]), TS, K,
                    solver=DiffraxSolver(diffrax.Tsit5()), max_steps=10)  # fmt: skip
    assert int(bad.status) == RESULTS.MAX_STEPS_REACHED
