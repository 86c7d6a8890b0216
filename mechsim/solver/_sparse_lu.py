"""Symbolic sparse LU without pivoting, generated as straight-line JAX code.

The Rosenbrock matrix M = I - hγJ has the (static) structure of the Jacobian plus the
diagonal. At trace time we

1. choose a diagonal pivot order by the Markowitz criterion (min (r-1)(c-1) over the
   active submatrix, updated with fill; Markowitz 1957, Duff, Erisman & Reid, *Direct
   Methods for Sparse Matrices*, 2nd ed. 2017, §7), keeping pivots on the diagonal, which
   is stable for the (nearly) column diagonally dominant M of mass-action kinetics;
2. compute the fill pattern of L and U;
3. emit one scalar JAX operation per structural nonzero update. Under ``vmap`` every
   scalar becomes a vector over the batch, so the factorisation vectorises across
   trajectories with no gathers, scatters or pivot searches.

A zero or non-finite pivot is reported through ``ok`` (never raised); the integrator then
rejects the step and shrinks h, which drives M towards I.
"""

from __future__ import annotations

import dataclasses
import functools

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float

__all__ = ["DenseLU", "SparseLU", "SparsityPattern", "markowitz_order"]

_PIVOT_RTOL = 1e-13


@dataclasses.dataclass(frozen=True)
class SparsityPattern:
    """Hashable (static) structural pattern of an n x n Jacobian; always includes the diagonal."""

    n: int
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    #: for each entry, its index among the caller's (diagonal-less) nonzeros, or -1
    user_index: tuple[int, ...]

    @staticmethod
    def from_array(pattern: np.ndarray) -> SparsityPattern:
        """Build from a boolean (n, n) array (row-major order); the diagonal is added."""
        p = np.asarray(pattern)
        if p.ndim != 2 or p.shape[0] != p.shape[1]:
            raise ValueError(f"sparsity must be a square (n, n) boolean array, got shape {p.shape}")
        user = p.astype(bool)
        full = user | np.eye(p.shape[0], dtype=bool)
        rows, cols = np.nonzero(full)
        order = np.cumsum(user[rows, cols]) - 1
        user_index = np.where(user[rows, cols], order, -1)
        return SparsityPattern(
            int(p.shape[0]),
            tuple(map(int, rows)),
            tuple(map(int, cols)),
            tuple(map(int, user_index)),
        )

    @property
    def user_nnz(self) -> int:
        """Number of nonzeros of the caller's pattern (before adding the diagonal)."""
        return sum(1 for i in self.user_index if i >= 0)

    def to_array(self) -> np.ndarray:
        """Boolean (n, n) array of the pattern."""
        p = np.zeros((self.n, self.n), dtype=bool)
        p[list(self.rows), list(self.cols)] = True
        return p

    @property
    def nnz(self) -> int:
        """Number of structural nonzeros (diagonal included)."""
        return len(self.rows)


def markowitz_order(pattern: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal pivot order minimising Markowitz counts, and the filled pattern.

    Args:
        pattern: boolean (n, n) structure with a full diagonal.

    Returns:
        ``(perm, filled)``: ``perm[k]`` is the original index eliminated at step k;
        ``filled`` is the boolean pattern of L + U in permuted coordinates.
    """
    active = np.asarray(pattern, dtype=bool).copy()
    n = active.shape[0]
    remaining = np.ones(n, dtype=bool)
    perm = []
    for _ in range(n):
        sub = active & remaining[:, None] & remaining[None, :]
        r = sub.sum(axis=1) - 1
        c = sub.sum(axis=0) - 1
        cost = np.where(remaining, r * c * (n + 1) + r + c, np.iinfo(np.int64).max)
        p = int(np.argmin(cost))
        rows = np.nonzero(sub[:, p])[0]
        cols = np.nonzero(sub[p, :])[0]
        active[np.ix_(rows, cols)] = True  # fill-in of the rank-one update
        remaining[p] = False
        perm.append(p)
    perm_arr = np.asarray(perm)
    return perm_arr, active[np.ix_(perm_arr, perm_arr)]


class SparseLU:
    """Straight-line LU factorisation and solve of M (pattern given) without pivoting.

    Values of M are passed as a vector ordered like ``pattern.rows``/``pattern.cols``.
    """

    def __init__(self, pattern: SparsityPattern):
        self.pattern = pattern
        n = pattern.n
        perm, filled = markowitz_order(pattern.to_array())
        self.perm = perm
        self.inv_perm = np.argsort(perm)
        self.n = n
        # position of each given entry in permuted coordinates
        ip = self.inv_perm
        self.entries = [
            (int(ip[i]), int(ip[j])) for i, j in zip(pattern.rows, pattern.cols, strict=True)
        ]
        self.lower = [
            np.nonzero(filled[k + 1 :, k])[0] + k + 1 for k in range(n)
        ]  # rows of L col k
        self.upper = [
            np.nonzero(filled[k, k + 1 :])[0] + k + 1 for k in range(n)
        ]  # cols of U row k
        self.fill = int(filled.sum()) - pattern.nnz
        self.l_rows = [[int(j) for j in np.nonzero(filled[i, :i])[0]] for i in range(n)]
        self.u_rows = [
            [int(j) for j in np.nonzero(filled[i, i + 1 :])[0] + i + 1] for i in range(n)
        ]

    def factor(self, values: Float[Array, " nnz"]) -> tuple[dict, Bool[Array, ""]]:
        """Factorise; returns (factors, ok) where ok is False for a tiny or non-finite pivot."""
        vals = list(jnp.unstack(values)) if values.shape[0] > 0 else []
        a: dict[tuple[int, int], Array] = dict(zip(self.entries, vals, strict=True))
        inv_piv = []
        pivots = []
        for k in range(self.n):
            piv = a[(k, k)]
            pivots.append(piv)
            ip = 1.0 / piv
            inv_piv.append(ip)
            ukj = [(int(j), a[(k, int(j))]) for j in self.upper[k]]
            for i in self.lower[k]:
                i = int(i)
                lik = a[(i, k)] * ip
                a[(i, k)] = lik
                for j, u in ukj:
                    old = a.get((i, j))
                    a[(i, j)] = -(lik * u) if old is None else old - lik * u
        piv_arr = jnp.stack(pivots)
        ok = jnp.all(jnp.isfinite(piv_arr) & (jnp.abs(piv_arr) > _PIVOT_RTOL))
        return {"a": a, "inv_piv": inv_piv}, ok

    def solve(self, factors: dict, b: Float[Array, " n"]) -> Float[Array, " n"]:
        """Solve M x = b with the factors of :meth:`factor`."""
        a, inv_piv = factors["a"], factors["inv_piv"]
        bs = jnp.unstack(b)
        z: list[Array] = []
        for i in range(self.n):
            acc = bs[int(self.perm[i])]
            for j in self.l_rows[i]:
                acc = acc - a[(i, j)] * z[j]
            z.append(acc)
        x: list[Array | None] = [None] * self.n
        for i in reversed(range(self.n)):
            acc = z[i]
            for j in self.u_rows[i]:
                acc = acc - a[(i, j)] * x[j]  # type: ignore[operator]
            x[i] = acc * inv_piv[i]
        return jnp.stack([x[int(k)] for k in self.inv_perm])  # type: ignore[misc]


@functools.lru_cache(maxsize=64)
def sparse_lu(pattern: SparsityPattern) -> SparseLU:
    """Cached symbolic analysis (one per pattern per process)."""
    return SparseLU(pattern)


class DenseLU:
    """Dense partial-pivoting LU (LAPACK getrf via ``jax.scipy.linalg``); values are (n, n)."""

    def factor(self, m: Float[Array, "n n"]) -> tuple[tuple[Array, Array], Bool[Array, ""]]:
        """Factorise; ok is False for a zero or non-finite pivot."""
        from jax.scipy.linalg import lu_factor

        lu, piv = lu_factor(m)
        d = jnp.diagonal(lu)
        ok = jnp.all(jnp.isfinite(d) & (jnp.abs(d) > _PIVOT_RTOL))
        return (lu, piv), ok

    def solve(self, factors: tuple[Array, Array], b: Float[Array, " n"]) -> Float[Array, " n"]:
        """Solve M x = b."""
        from jax.scipy.linalg import lu_solve

        return lu_solve(factors, b)
