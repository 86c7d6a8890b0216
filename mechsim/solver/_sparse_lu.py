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

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float

__all__ = ["DenseLU", "LevelScheduledLU", "SparseLU", "SparsityPattern", "markowitz_order"]

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
        #: scalar multiply-subtract updates of the factorisation (the program's size)
        self.n_updates = sum(
            len(lo) * len(up) for lo, up in zip(self.lower, self.upper, strict=True)
        )
        #: rows of each level of the forward (L) and backward (U) substitutions
        self.fwd_levels = _row_levels(self.l_rows, range(n))
        self.bwd_levels = _row_levels(self.u_rows, reversed(range(n)))

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
        """Solve M x = b with the factors of :meth:`factor`.

        Straight-line substitutions, materialised level by level: the rows of one level
        (rows whose dependencies are all in earlier levels) are stacked into one array
        behind an ``optimization_barrier``. Without it XLA's CPU fusion copies each
        shared z_j into every later row that reads it and launches one kernel per row:
        on the 88-state trofosfamide mechanism the fused stage (right-hand side + solve)
        held 8.6x the arithmetic of the traced one (counted in the optimised HLO). Without
        the barriers the batched solver runs at 0.90x, and at 0.73x together with the
        scalar stage mixing that the stage loop replaced
        (``benchmarks/results/solver_ablation_trofosfamide.md``, 64 lanes).
        """
        a, inv_piv = factors["a"], factors["inv_piv"]
        bs = jnp.unstack(b)
        z: list[Array | None] = [None] * self.n
        for rows in self.fwd_levels:
            vals = []
            for i in rows:
                acc = bs[int(self.perm[i])]
                for j in self.l_rows[i]:
                    acc = acc - a[(i, j)] * z[j]
                vals.append(acc)
            _scatter_level(z, rows, vals)
        x: list[Array | None] = [None] * self.n
        for rows in self.bwd_levels:
            vals = []
            for i in rows:
                acc = z[i]
                for j in self.u_rows[i]:
                    acc = acc - a[(i, j)] * x[j]  # type: ignore[operator]
                vals.append(acc * inv_piv[i])
            _scatter_level(x, rows, vals)
        return jnp.stack([x[int(k)] for k in self.inv_perm])  # type: ignore[misc]


def _row_levels(deps: list[list[int]], order) -> tuple[tuple[int, ...], ...]:
    """Rows of a triangular solve grouped by level (1 + max level of the rows they read).

    ``order`` is a topological order of the rows (every row after those it reads).
    Rows within a level are in index order: any order is exact, but it shapes XLA's
    fusion, and with this one the vmapped and the unbatched programs round alike
    (``tests/core/test_simulate_closed_forms.py::test_vmap_equals_loop``, rtol 1e-12).
    """
    order = list(order)
    lev = [0] * len(deps)
    for i in order:
        lev[i] = 1 + max((lev[j] for j in deps[i]), default=-1)
    levels = range(max(lev, default=-1) + 1)
    return tuple(tuple(i for i in range(len(deps)) if lev[i] == v) for v in levels)


def _scatter_level(out: list, rows: tuple[int, ...], vals: list[Array]) -> None:
    """``out[rows] = vals`` through one stacked, fusion-opaque array."""
    arr = jax.lax.optimization_barrier(jnp.stack(vals))
    for t, i in enumerate(rows):
        out[i] = arr[t]


def _pad(rows: list[list[int]], fill: int) -> np.ndarray:
    """Ragged index lists as an (m, K) array padded with ``fill`` (K >= 1)."""
    k = max(1, max((len(r) for r in rows), default=0))
    return np.asarray([r + [fill] * (k - len(r)) for r in rows], dtype=np.int32).reshape(
        len(rows), k
    )


class LevelScheduledLU(SparseLU):
    """The same LU (pivot order, fill, arithmetic) evaluated level by level.

    The straight-line code of :class:`SparseLU` emits one JAX op per scalar update, so
    the compiled program has thousands of ops on (batch,) vectors: slow to compile and,
    under ``vmap``, dominated by per-op overhead. Here every entry of L + U is computed
    once by the Doolittle formula

        U_ij = M_ij - Σ_{k<i} L_ik U_kj,    L_ij = (M_ij - Σ_{k<j} L_ik U_kj) / U_jj,

    from entries finished earlier; entries whose inputs are all finished form a *level*
    (Anderson & Saad 1989, "Solving sparse triangular linear systems on parallel
    computers", Int. J. High Speed Comput. 1:73). Values are stored level by level, so a
    level is one gather of its products, a reduction and one contiguous slice update;
    the triangular solves are levelled the same way. A 88-state mechanism needs 19 + 19
    + 10 levels instead of ~300 + 2 x 88 sequential ops. The program's size grows with
    the number of levels, not of updates, so heavy fill stays cheap to compile; per
    step it is slower than the straight-line code on CPU (see :func:`sparse_lu`).
    """

    def __init__(self, pattern: SparsityPattern):
        super().__init__(pattern)
        n = self.n
        entries = [(i, j) for i in range(n) for j in sorted(self.l_rows[i] + [i] + self.u_rows[i])]
        pos = {e: t for t, e in enumerate(entries)}
        l_of_row = [set(self.l_rows[i]) for i in range(n)]
        terms: list[list[tuple[int, int]]] = []
        deps: list[list[int]] = []
        # Doolittle dependencies; nodes in an order where every dependency comes first
        order = sorted(range(len(entries)), key=lambda t: (min(entries[t]), entries[t]))
        for t in order:
            i, j = entries[t]
            ks = [k for k in sorted(l_of_row[i]) if k < min(i, j) and (k, j) in pos]
            terms.append([(pos[(i, k)], pos[(k, j)]) for k in ks])
            d = [pos[(i, k)] for k in ks] + [pos[(k, j)] for k in ks]
            if i > j:
                d.append(pos[(j, j)])
            deps.append(d)
        # levels in entry numbering
        level = np.zeros(len(entries), dtype=np.int64)
        for t, d in zip(order, deps, strict=True):
            level[t] = 1 + max((int(level[k]) for k in d), default=-1)
        term_of = dict(zip(order, terms, strict=True))
        # storage slot of each entry: sorted by level; two constant slots at the end
        slot_order = sorted(range(len(entries)), key=lambda t: (level[t], t))
        slot = np.empty(len(entries), dtype=np.int64)
        slot[slot_order] = np.arange(len(entries))
        S = len(entries)
        self._zero, self._one = S, S + 1
        given = {e: q for q, e in enumerate(self.entries)}
        nnz = len(self.entries)
        src = np.full(S + 2, nnz, dtype=np.int32)  # fill-in starts at 0
        for t in range(S):
            src[slot[t]] = given.get(entries[t], nnz)
        src[S + 1] = nnz + 1
        self._src = src
        self._factor_levels = []
        bounds = np.searchsorted(level[slot_order], np.arange(int(level.max()) + 2))
        for lv in range(1, int(level.max()) + 1):
            lo, hi = int(bounds[lv]), int(bounds[lv + 1])
            ts = slot_order[lo:hi]
            lk = _pad([[int(slot[a]) for a, _ in term_of[t]] for t in ts], self._zero)
            uk = _pad([[int(slot[b]) for _, b in term_of[t]] for t in ts], self._zero)
            dg = np.asarray([int(slot[pos[(entries[t][1], entries[t][1])]]) if entries[t][0] > entries[t][1]
                             else self._one for t in ts], dtype=np.int32)  # fmt: skip
            self._factor_levels.append((lo, hi, lk, uk, dg))
        self._diag_slots = np.asarray([slot[pos[(i, i)]] for i in range(n)], dtype=np.int32)
        self.n_factor_levels = int(level.max()) + 1
        # forward solve (unit L): z_i = b_i - Σ L_ij z_j
        self._fwd, self._fwd_slot, self.n_fwd_levels = self._tri_levels(
            self.l_rows, self.fwd_levels, slot, pos
        )
        # backward solve: x_i = (z_i - Σ U_ij x_j) / U_ii, rows from the last
        self._bwd, self._bwd_slot, self.n_bwd_levels = self._tri_levels(
            self.u_rows, self.bwd_levels, slot, pos
        )
        # gathers between orderings: b -> forward slots, forward -> backward slots, and
        # x back to original coordinates (original k sits at permuted index inv_perm[k])
        self._b_to_fwd = np.asarray(self.perm)[np.argsort(self._fwd_slot)]
        self._fwd_to_bwd = self._fwd_slot[np.argsort(self._bwd_slot)]
        self._out = self._bwd_slot[self.inv_perm]

    def _tri_levels(self, row_deps, row_levels, slot, pos):
        """Per level of a triangular solve (from :func:`_row_levels`): (lo, hi, M slots
        (m, K), x slots (m, K), rows); the x slot of each row; the number of levels."""
        n = self.n
        rows_sorted = [i for rows in row_levels for i in rows]
        xslot = np.empty(n, dtype=np.int64)
        xslot[rows_sorted] = np.arange(n)
        levels, lo = [], 0
        for rs in row_levels:
            hi = lo + len(rs)
            ms = _pad([[int(slot[pos[(i, j)]]) for j in row_deps[i]] for i in rs], self._zero)
            xs = _pad([[int(xslot[j]) for j in row_deps[i]] for i in rs], n)
            levels.append((lo, hi, ms, xs, np.asarray(rs, dtype=np.int32)))
            lo = hi
        return levels, xslot, len(row_levels)

    def factor(self, values: Float[Array, " nnz"]) -> tuple[dict, Bool[Array, ""]]:
        """Factorise; returns (factors, ok) where ok is False for a tiny or non-finite pivot."""
        ext = jnp.concatenate([values, jnp.zeros((1,), values.dtype), jnp.ones((1,), values.dtype)])
        v = ext[self._src]
        for lo, hi, lk, uk, dg in self._factor_levels:
            new = (v[lo:hi] - jnp.sum(v[lk] * v[uk], axis=-1)) / v[dg]
            v = v.at[lo:hi].set(new)
        piv = v[self._diag_slots]
        ok = jnp.all(jnp.isfinite(piv) & (jnp.abs(piv) > _PIVOT_RTOL))
        return {"v": v, "inv_piv": 1.0 / piv}, ok

    def solve(self, factors: dict, b: Float[Array, " n"]) -> Float[Array, " n"]:
        """Solve M x = b with the factors of :meth:`factor`."""
        v, inv_piv = factors["v"], factors["inv_piv"]
        zero = jnp.zeros((1,), b.dtype)
        # forward: z in forward-level order (+ a zero slot)
        z = jnp.concatenate([b[self._b_to_fwd], zero])
        for lo, hi, ms, xs, _ in self._fwd[1:]:
            z = z.at[lo:hi].set(z[lo:hi] - jnp.sum(v[ms] * z[xs], axis=-1))
        # backward: x in backward-level order (+ a zero slot)
        x = jnp.concatenate([z[self._fwd_to_bwd], zero])
        for lo, hi, ms, xs, rows in self._bwd:
            x = x.at[lo:hi].set((x[lo:hi] - jnp.sum(v[ms] * x[xs], axis=-1)) * inv_piv[rows])
        return x[self._out]


#: above this many scalar updates the straight-line program is too large to compile
#: quickly (a 40 x 40 pattern with heavy fill: ~10^4 updates, minutes and GBs of XLA
#: compile); the level-scheduled LU compiles it in seconds
STRAIGHT_LINE_MAX_UPDATES = 3000


@functools.lru_cache(maxsize=64)
def sparse_lu(pattern: SparsityPattern) -> SparseLU:
    """Cached symbolic analysis (one per pattern per process).

    The straight-line :class:`SparseLU` is the faster of the two at run time on CPU
    (88-state trofosfamide mechanism, 64 lanes, the solver's XLA options, 256 grid
    points: 376 vs 276 solves/s; XLA's CPU gathers cost more than the per-op overhead
    they save), while :class:`LevelScheduledLU` compiles faster (the whole solver in 7.7
    vs 9.2 s; ``benchmarks/results/solver_ablation_trofosfamide.md``). It takes over when fill makes the straight-line
    program large (more than ``STRAIGHT_LINE_MAX_UPDATES`` updates).
    """
    lu = SparseLU(pattern)
    if lu.n_updates > STRAIGHT_LINE_MAX_UPDATES:
        return LevelScheduledLU(pattern)
    return lu


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
