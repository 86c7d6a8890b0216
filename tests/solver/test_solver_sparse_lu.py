"""The straight-line sparse LU equals a dense solve; column colouring is valid."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mechsim.solver._jacobian import color_columns
from mechsim.solver._sparse_lu import SparseLU, SparsityPattern
from tests.helpers import assert_close


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sparse_lu_matches_dense_solve(seed):
    rng = np.random.default_rng(seed)
    n = 12
    pattern = rng.random((n, n)) < 0.2
    A = np.where(pattern, rng.normal(size=(n, n)), 0.0)
    np.fill_diagonal(A, np.abs(A).sum(1) + 1.0)  # diagonally dominant
    pat = SparsityPattern.from_array(pattern)
    lu = SparseLU(pat)
    values = jnp.asarray(A[np.asarray(pat.rows), np.asarray(pat.cols)])
    B = rng.normal(size=(4, n))

    @jax.jit
    def solve_all(values, B):
        factors, ok = lu.factor(values)
        return jax.vmap(lambda b: lu.solve(factors, b))(B), ok

    X, ok = solve_all(values, jnp.asarray(B))
    assert bool(ok)
    assert_close(X, np.linalg.solve(A, B.T).T, rtol=1e-12, atol=1e-13)


def test_zero_pivot_is_reported_not_raised():
    pat = SparsityPattern.from_array(np.ones((2, 2), bool))
    lu = SparseLU(pat)
    _, ok = lu.factor(jnp.array([1.0, 1.0, 1.0, 1.0]))  # singular [[1, 1], [1, 1]]
    assert not bool(ok)


def test_column_colouring_separates_shared_rows():
    rng = np.random.default_rng(5)
    pattern = rng.random((30, 30)) < 0.1
    pat = SparsityPattern.from_array(pattern)
    colors = color_columns(pat)
    p = pat.to_array()
    for c in np.unique(colors):
        cols = np.nonzero(colors == c)[0]
        assert (p[:, cols].sum(1) <= 1).all()
    assert colors.max() + 1 < 30
