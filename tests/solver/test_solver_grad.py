"""Forward mode (jacfwd) and reverse mode (checkpointed) against central differences."""

from __future__ import annotations

import diffrax
import jax
import jax.numpy as jnp
import numpy as np

from mechsim.solver import integrate
from tests.helpers import assert_close

TS = jnp.array([0.0, 0.5, 2.0])


def _rhs(t, y, k):
    v1, v2 = k[0] * y[0], k[1] * y[1] * y[1]
    return jnp.stack([-v1, v1 - v2, v2])


def _central(f, k, eps=1e-6):
    cols = []
    for i in range(k.shape[0]):
        e = jnp.zeros_like(k).at[i].set(eps * k[i])
        cols.append((f(k + e) - f(k - e)) / (2 * eps * k[i]))
    return jnp.stack(cols, -1)


def test_jacfwd_matches_central_differences():
    k = jnp.array([1.3, 4.0])
    f = lambda k: integrate(_rhs, jnp.array([1.0, 0.0, 0.0]), TS, k, rtol=1e-11, atol=1e-13).ys  # noqa: E731
    assert_close(jax.jacfwd(f)(k), _central(f, k), rtol=1e-5, atol=1e-8, what="jacfwd")


def test_grad_with_checkpointed_adjoint_matches_central_differences():
    k = jnp.array([1.3, 4.0])

    def loss(k):
        sol = integrate(_rhs, jnp.array([1.0, 0.0, 0.0]), TS, k, rtol=1e-11, atol=1e-13,
                        adjoint=diffrax.RecursiveCheckpointAdjoint())  # fmt: skip
        return jnp.sum(sol.ys[-1] * jnp.array([1.0, 2.0, 3.0]))

    g = jax.grad(loss)(k)
    fd = _central(lambda k: jnp.atleast_1d(loss(k)), k)[0]
    assert_close(g, fd, rtol=1e-5, atol=1e-8, what="grad")
    assert np.all(np.isfinite(np.asarray(g)))
