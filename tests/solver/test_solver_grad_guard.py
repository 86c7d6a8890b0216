"""Reverse mode through a vmapped batch: lanes that finish early or blow up do not poison it."""

import diffrax
import jax
import jax.numpy as jnp
import numpy as np

from mechsim.solver import Rodas5P, integrate
from mechsim.solver._loop import _finite_cotangent


def _riccati(t, y, k):
    return k * y**2  # y0 = 1, k = 1: blows up at t = 1; k = -1: y = 1 / (1 + t)


def _final(k):
    sol = integrate(_riccati, jnp.array([1.0]), jnp.array([0.0, 2.0]), k, solver=Rodas5P(),
                    rtol=1e-8, atol=1e-12, adjoint=diffrax.RecursiveCheckpointAdjoint())  # fmt: skip
    return jnp.where(sol.status == 0, sol.ys[-1, 0], 0.0), sol.status


def test_finite_cotangent_zeroes_only_nonfinite_entries():
    _, vjp = jax.vjp(_finite_cotangent, jnp.ones(3))
    (ct,) = vjp(jnp.array([jnp.inf, 2.0, jnp.nan]))
    np.testing.assert_array_equal(np.asarray(ct), [0.0, 2.0, 0.0])


def test_vmapped_reverse_gradient_with_early_and_failed_lanes():
    # lane 1 needs fewer steps (idles with h = 0 while lane 0 runs); lane 2 blows up
    ks = jnp.array([-1.0, -0.5, 1.0])
    _, status = jax.vmap(_final)(ks)
    assert np.asarray(status).tolist()[:2] == [0, 0] and int(status[2]) != 0
    grads = np.asarray(jax.vmap(jax.grad(lambda k: _final(k)[0]))(ks))
    # y(2) = 1 / (1 - 2k), dy/dk = 2 / (1 - 2k)^2: 2/9 at k = -1, 1/2 at k = -1/2
    np.testing.assert_allclose(grads[:2], [2.0 / 9.0, 0.5], rtol=1e-6)
    assert np.isfinite(grads[2])
