"""Both sparse LUs (straight-line, level-scheduled) equal a dense solve; colouring is valid."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mechsim.solver._jacobian import color_columns
from mechsim.solver._sparse_lu import LevelScheduledLU, SparseLU, SparsityPattern, sparse_lu
from tests.helpers import assert_close

_CASES = [(0, 12, 0.2), (1, 12, 0.2), (2, 12, 0.2), (3, 40, 0.08), (5, 1, 1.0)]


# the straight-line LU of a 40 x 40 pattern with heavy fill is an XLA program of ~10^4
# scalar ops (minutes and GBs to compile): that case runs for the level-scheduled LU only
@pytest.mark.parametrize(
    ("cls", "seed", "n", "density"),
    [(SparseLU, *c) for c in _CASES] + [(LevelScheduledLU, *c) for c in [*_CASES, (4, 40, 0.3)]],
)
def test_sparse_lu_matches_dense_solve(cls, seed, n, density):
    rng = np.random.default_rng(seed)
    pattern = rng.random((n, n)) < density
    A = np.where(pattern, rng.normal(size=(n, n)), 0.0)
    np.fill_diagonal(A, np.abs(A).sum(1) + 1.0)  # diagonally dominant
    pat = SparsityPattern.from_array(pattern)
    lu = cls(pat)
    values = jnp.asarray(A[np.asarray(pat.rows), np.asarray(pat.cols)])
    B = rng.normal(size=(4, n))

    @jax.jit
    def solve_all(values, B):
        factors, ok = lu.factor(values)
        return jax.vmap(lambda b: lu.solve(factors, b))(B), ok

    X, ok = solve_all(values, jnp.asarray(B))
    assert bool(ok)
    assert_close(X, np.linalg.solve(A, B.T).T, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("cls", [SparseLU, LevelScheduledLU])
def test_zero_pivot_is_reported_not_raised(cls):
    pat = SparsityPattern.from_array(np.ones((2, 2), bool))
    lu = cls(pat)
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


def test_level_schedule_of_a_chain_is_shallow_where_it_can_be():
    # A -> B -> C -> ... (lower bidiagonal): the forward solve is a chain (n levels), but
    # the factorisation has no updates (1 level + the L/U split) and backward is 1 level
    n = 30
    pattern = np.eye(n, k=-1, dtype=bool)
    lu = LevelScheduledLU(SparsityPattern.from_array(pattern))
    assert lu.n_factor_levels <= 2
    assert lu.n_bwd_levels == 1
    # independent species: everything is one level
    lu = LevelScheduledLU(SparsityPattern.from_array(np.zeros((n, n), bool)))
    assert (lu.n_factor_levels, lu.n_fwd_levels, lu.n_bwd_levels) == (1, 1, 1)


def test_sparse_lu_picks_level_schedule_for_heavy_fill():
    sparse = np.eye(30, k=-1, dtype=bool)
    assert type(sparse_lu(SparsityPattern.from_array(sparse))) is SparseLU
    dense = np.ones((40, 40), dtype=bool)  # 40^3/3 updates: too large for straight-line code
    assert type(sparse_lu(SparsityPattern.from_array(dense))) is LevelScheduledLU
