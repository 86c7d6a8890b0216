"""Jacobian, time derivative and right-hand side at one point, for a Rosenbrock step.

With a sparsity pattern the Jacobian is compressed by column colouring (Curtis, Powell &
Reid 1974, "On the estimation of sparse Jacobian matrices", IMA J. Appl. Math. 13:117):
columns with no row in common share one forward-mode JVP, so a 20-species network needs
a handful of JVPs instead of 20. Entries are gathered straight into the value vector of
the sparse LU; no dense n x n matrix is formed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from ._sparse_lu import SparsityPattern

__all__ = ["color_columns", "make_point_evaluator"]

_Fun = Callable[[Array, Array], Array]


@functools.lru_cache(maxsize=64)
def color_columns(pattern: SparsityPattern) -> np.ndarray:
    """Greedy (largest-first) colouring of the column-intersection graph.

    Returns ``colors`` (n,): columns of one colour have disjoint row supports.
    """
    p = pattern.to_array()
    conflict = (p.T.astype(np.int64) @ p.astype(np.int64)) > 0  # share a row
    n = pattern.n
    order = np.argsort(-conflict.sum(axis=1), kind="stable")
    colors = -np.ones(n, dtype=np.int64)
    for j in order:
        used = set(colors[conflict[j] & (colors >= 0)].tolist())
        c = 0
        while c in used:
            c += 1
        colors[j] = c
    return colors


def _time_derivative(fun: _Fun, t: Array, y: Array) -> tuple[Array, Array]:
    """f(t, y) and ∂f/∂t (one JVP in t; XLA removes it when f does not depend on t)."""
    return jax.jvp(lambda tt: fun(tt, y), (t,), (jnp.ones_like(t),))


def make_point_evaluator(
    fun: _Fun,
    pattern: SparsityPattern | None,
    jac: Callable[[Array, Array], Array] | None,
) -> Callable[[Array, Array], tuple[Array, Array, Array]]:
    """Return ``evaluate(t, y) -> (f, dfdt, jac_values)``.

    ``jac_values`` is the vector of J entries at ``pattern`` (diagonal included) when a
    pattern is given, otherwise the dense (n, n) Jacobian. A user ``jac`` may return the
    dense (n, n) matrix or, with a pattern, the vector of its nonzeros in the row-major
    order of ``np.nonzero(sparsity)`` (cheaper: no dense matrix is formed).
    """
    if pattern is None:

        def evaluate_dense(t: Array, y: Array) -> tuple[Array, Array, Array]:
            f0, dfdt = _time_derivative(fun, t, y)
            J = jax.jacfwd(fun, argnums=1)(t, y) if jac is None else jac(t, y)
            return f0, dfdt, J

        return evaluate_dense

    rows = np.asarray(pattern.rows)
    cols = np.asarray(pattern.cols)
    if jac is not None:
        user_index = np.asarray(pattern.user_index)
        pick = np.where(user_index >= 0, user_index, pattern.user_nnz)
        identity = bool(np.array_equal(pick, np.arange(pattern.nnz)))

        def evaluate_user(t: Array, y: Array) -> tuple[Array, Array, Array]:
            f0, dfdt = _time_derivative(fun, t, y)
            J = jac(t, y)
            if J.ndim == 2:
                return f0, dfdt, J[rows, cols]
            if J.shape != (pattern.user_nnz,):
                raise ValueError(
                    f"jac must return shape ({pattern.n}, {pattern.n}) or the ({pattern.user_nnz},) "
                    f"nonzeros of sparsity in row-major order, got shape {J.shape}"
                )
            if identity:  # the pattern already holds the diagonal: no gather
                return f0, dfdt, J
            return f0, dfdt, jnp.concatenate([J, jnp.zeros((1,), J.dtype)])[pick]

        return evaluate_user

    colors = color_columns(pattern)
    seeds = np.zeros((int(colors.max()) + 1, pattern.n))
    seeds[colors, np.arange(pattern.n)] = 1.0
    gather_color = colors[cols]

    def evaluate_sparse(t: Array, y: Array) -> tuple[Array, Array, Array]:
        f0, dfdt = _time_derivative(fun, t, y)
        push = lambda v: jax.jvp(lambda yy: fun(t, yy), (y,), (v,))[1]  # noqa: E731
        compressed: Float[Array, "c n"] = jax.vmap(push)(jnp.asarray(seeds, dtype=y.dtype))
        return f0, dfdt, compressed[gather_color, rows]

    return evaluate_sparse
