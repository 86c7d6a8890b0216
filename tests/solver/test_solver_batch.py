"""vmap equals a loop, no recompilation, and status codes (never an exception)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mechsim.solver import RESULTS, integrate, integrate_batch, status_message
from tests.helpers import assert_close
from tests.solver.problems import robertson

TS = jnp.array([0.0, 0.1, 1.0, 10.0, 100.0])
Y0 = jnp.array([1.0, 0.0, 0.0])


def _params(b: int) -> jnp.ndarray:
    rng = np.random.default_rng(0)
    return jnp.asarray(np.array([0.04, 3e7, 1e4]) * rng.uniform(0.5, 2.0, size=(b, 3)))


def test_vmap_equals_loop():
    P = _params(4)
    batched = integrate_batch(robertson, Y0, TS, P, rtol=1e-8, atol=1e-12)
    for i in range(P.shape[0]):
        one = integrate(robertson, Y0, TS, P[i], rtol=1e-8, atol=1e-12)
        assert_close(batched.ys[i], one.ys, rtol=1e-9, atol=1e-15, what=f"lane {i}")
        assert int(batched.stats["num_steps"][i]) == int(one.stats["num_steps"])


def test_no_recompilation_for_new_parameter_values():
    traces = []

    def rhs(t, y, k):
        traces.append(1)
        return -k * y

    sol1 = integrate(rhs, jnp.ones(2), TS, jnp.array([1.0, 2.0]))
    n_traces = len(traces)
    sol2 = integrate(rhs, jnp.ones(2), TS, jnp.array([3.0, 0.5]))
    assert len(traces) == n_traces, "second call with new parameter values re-traced rhs"
    assert not np.allclose(sol1.ys, sol2.ys)
    f = jax.jit(lambda k: integrate(rhs, jnp.ones(2), TS, k).ys)
    f(jnp.array([1.0, 2.0]))
    f(jnp.array([5.0, 6.0]))
    assert f._cache_size() == 1


def _blowup(t, y, c):
    return c * y**2


def test_blowup_sets_status_without_raising():
    sol = integrate(_blowup, jnp.ones(1), jnp.array([0.0, 0.5, 2.0]), 1.0)
    assert int(sol.status) in (RESULTS.NONFINITE_STATE, RESULTS.DT_UNDERFLOW)
    assert_close(sol.ys[1, 0], 2.0, rtol=1e-5)  # 1/(1 - t) before the singularity
    assert np.isnan(sol.ys[2, 0])
    assert status_message(int(sol.status))


def test_max_steps_reached():
    sol = integrate(robertson, Y0, TS, jnp.array([0.04, 3e7, 1e4]), max_steps=5)
    assert int(sol.status) == RESULTS.MAX_STEPS_REACHED
    assert int(sol.stats["num_steps"]) == 5
    assert np.isnan(np.asarray(sol.ys[-1])).all()


def test_failing_lane_does_not_sink_the_batch():
    cs = jnp.array([-1.0, 1.0, -2.0])  # y' = c y^2: only c = +1 blows up before t = 2
    sols = jax.vmap(lambda c: integrate(_blowup, jnp.ones(1), jnp.array([0.0, 2.0]), c))(cs)
    status = np.asarray(sols.status)
    assert status[0] == RESULTS.SUCCESS and status[2] == RESULTS.SUCCESS
    assert status[1] != RESULTS.SUCCESS
    assert_close(sols.ys[0, 1, 0], 1.0 / 3.0, rtol=1e-6)
    assert_close(sols.ys[2, 1, 0], 1.0 / 5.0, rtol=1e-6)


def test_invalid_arguments_raise_eagerly():
    with pytest.raises(ValueError, match="y0"):
        integrate(_blowup, jnp.ones((2, 2)), TS, 1.0)
    with pytest.raises(ValueError, match="sparsity"):
        integrate(_blowup, jnp.ones(2), TS, 1.0, sparsity=np.ones((3, 3), bool))
    with pytest.raises(TypeError, match="solver"):
        integrate(_blowup, jnp.ones(2), TS, 1.0, solver="Rodas5P")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="status code"):
        status_message(99)
