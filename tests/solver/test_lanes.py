"""map_lanes: grouped vmapping gives the vmap result exactly, for any batch size."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mechsim.solver import Rodas5P, default_lane_batch, integrate, map_lanes
from mechsim.solver._lanes import CPU_LANE_BATCH


def _decay(t, y, k):
    return jnp.stack([-k * y[0], k * y[0] - 0.5 * y[1]])


def _solve(k):
    sol = integrate(_decay, jnp.array([1.0, 0.0]), jnp.linspace(0.0, 4.0, 5), k,
                    solver=Rodas5P(), rtol=1e-8, atol=1e-12)  # fmt: skip
    return sol.ys, sol.status


@pytest.mark.parametrize("lane_batch", [1, 3, 7, 64, None])
def test_map_lanes_matches_vmap(lane_batch):
    ks = jnp.linspace(0.1, 3.0, 7)  # 7 lanes: 3 does not divide it (remainder group)
    ys_v, st_v = jax.jit(jax.vmap(_solve))(ks)
    ys_m, st_m = jax.jit(map_lanes(_solve, lane_batch))(ks)
    np.testing.assert_array_equal(np.asarray(st_m), np.asarray(st_v))
    # same steps, same arithmetic; XLA may contract differently for a 1-lane group (~1e-10)
    np.testing.assert_allclose(np.asarray(ys_m), np.asarray(ys_v), rtol=1e-9, atol=1e-15)
    exact = np.exp(-np.outer(np.asarray(ks), np.linspace(0.0, 4.0, 5)))
    np.testing.assert_allclose(np.asarray(ys_m)[:, :, 0], exact, rtol=1e-6)


@pytest.mark.parametrize("bad", [0, -2, True])
def test_map_lanes_rejects_bad_lane_batch(bad):
    with pytest.raises(ValueError, match="lane_batch must be a positive int"):
        map_lanes(_solve, bad)


def test_default_lane_batch_by_platform():
    assert default_lane_batch("cpu") == CPU_LANE_BATCH == 128
    assert default_lane_batch("gpu") is None
