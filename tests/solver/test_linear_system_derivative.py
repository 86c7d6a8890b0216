"""The solve's derivative rule dx = M⁻¹(db - dM x) equals differentiating a dense solve."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mechsim.solver._rosenbrock import LinearSystem
from mechsim.solver._sparse_lu import LevelScheduledLU, SparsityPattern
from tests.helpers import assert_close

pytestmark = pytest.mark.large_memory  # see tests/conftest.py


def _system(seed: int = 0, n: int = 9, density: float = 0.3):
    rng = np.random.default_rng(seed)
    pattern = rng.random((n, n)) < density
    np.fill_diagonal(pattern, True)
    J = np.where(pattern, rng.normal(size=(n, n)), 0.0)
    return SparsityPattern.from_array(pattern), J, rng.normal(size=n)


def _reference(J, hg, b):
    """x(J, hg, b) = (I - hg J)^-1 b through jnp.linalg.solve (JAX's own derivative)."""
    return jnp.linalg.solve(jnp.eye(J.shape[0]) - hg * J, b)


@pytest.mark.parametrize("kind", ["sparse", "level", "dense"])
def test_jvp_and_vjp_match_a_differentiated_dense_solve(kind, monkeypatch):
    pat, J, b = _system()
    rows, cols = np.asarray(pat.rows), np.asarray(pat.cols)
    if kind == "level":  # force the level-scheduled LU whatever the pattern's size
        monkeypatch.setattr("mechsim.solver._rosenbrock.sparse_lu", LevelScheduledLU)
    linsys = LinearSystem(None if kind == "dense" else pat)

    def ours(jv, hg, b):
        factors, _ = linsys.factor(jv, hg)
        return linsys.solve(factors, b)

    def ref(jv, hg, b):
        Jd = jnp.zeros(J.shape).at[rows, cols].set(jv) if kind != "dense" else jv
        return _reference(Jd, hg, b)

    jv = jnp.asarray(J) if kind == "dense" else jnp.asarray(J[rows, cols])
    args = (jv, jnp.asarray(0.3), jnp.asarray(b))
    assert_close(jax.jit(ours)(*args), ref(*args), rtol=1e-12, what="solve")
    # jitted: one program per derivative instead of op-by-op dispatch of the unrolled LU
    for argnum in range(3):
        jf_ours = jax.jit(jax.jacfwd(ours, argnums=argnum))(*args)
        jf_ref = jax.jacfwd(ref, argnums=argnum)(*args)
        assert_close(jf_ours, jf_ref, rtol=1e-10, atol=1e-12, what=f"jacfwd wrt arg {argnum}")
        jr_ours = jax.jit(jax.jacrev(ours, argnums=argnum))(*args)
        assert_close(jr_ours, jf_ref, rtol=1e-10, atol=1e-12, what=f"jacrev wrt arg {argnum}")


def test_second_derivative_matches():
    """Forward-over-reverse (Hessian-vector products, used by NUTS) goes through the rule."""
    pat, J, b = _system(seed=1)
    rows, cols = np.asarray(pat.rows), np.asarray(pat.cols)
    linsys = LinearSystem(pat)

    def ours(hg):
        factors, _ = linsys.factor(jnp.asarray(J[rows, cols]), hg)
        return jnp.sum(linsys.solve(factors, jnp.asarray(b)) ** 2)

    def ref(hg):
        return jnp.sum(_reference(jnp.asarray(J), hg, jnp.asarray(b)) ** 2)

    h = jnp.asarray(0.2)
    assert_close(jax.jacfwd(jax.grad(ours))(h), jax.jacfwd(jax.grad(ref))(h), rtol=1e-9)
