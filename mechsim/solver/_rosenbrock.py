"""Rosenbrock solvers (Rodas4, Rodas5P) and one adaptive-step attempt.

One step from (t, y) with step h (Hairer & Wanner 1996, §IV.7, W-transformed form):

    W = I - hγJ,   W k_i = hγ [ f(t + c_i h, y + Σ a_ij k_j) + d_i h ∂f/∂t ] + γ Σ C_ij k_j

With a constant, possibly singular mass matrix M (linearly implicit systems
M y' = f(t, y), Hairer & Wanner 1996, §VI.4) the same tableau gives

    W = M - hγJ,   W k_i = hγ [ f(t + c_i h, y + Σ a_ij k_j) + d_i h ∂f/∂t ] + γ M Σ C_ij k_j

(stiffly accurate Rodas methods keep their order for index-1 DAEs, where the algebraic
rows of M are zero). ``mass=None`` is the identity at no cost.

W is factorised once per step (sparse straight-line LU, or dense LAPACK LU), then solved
once per stage. The Jacobian is re-evaluated at every step, as the order conditions of a
Rosenbrock (not W-) method require.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float

from ._controller import StepController
from ._sparse_lu import DenseLU, SparsityPattern, sparse_lu
from ._tableau import RODAS4, RODAS5P, RosenbrockTableau

__all__ = ["AbstractRosenbrock", "LinearSystem", "Rodas4", "Rodas5P", "interpolate", "step"]


#: with ``unroll_stages=None`` the stages are inlined for systems up to this size
AUTO_UNROLL_MAX_N = 24


class AbstractRosenbrock(eqx.Module):
    """A stiffly accurate, L-stable Rosenbrock method with embedded error estimate.

    Attributes:
        unroll_stages: inline every stage (fastest at run time; the program, and so the
            XLA compile time, grows with the number of stages) or run the stages in a
            ``fori_loop`` (rhs and linear solve appear once). ``None``: inline when
            n <= 24.
        stepsize_controller: the constants of the adaptive step control (static), used
            by the JAX loop and compiled into the native kernel; see
            :class:`~mechsim.solver.StepController`.
    """

    tableau: ClassVar[RosenbrockTableau]
    unroll_stages: bool | None = None
    stepsize_controller: StepController = eqx.field(default=StepController(), static=True)

    def __check_init__(self) -> None:
        if not isinstance(self.stepsize_controller, StepController):
            raise TypeError(
                "stepsize_controller must be a mechsim.solver.StepController, got "
                f"{type(self.stepsize_controller).__name__} (diffrax controllers go with "
                "DiffraxSolver)"
            )

    def unrolled(self, n: int) -> bool:
        """Whether stages are inlined for a system of n species."""
        return n <= AUTO_UNROLL_MAX_N if self.unroll_stages is None else bool(self.unroll_stages)


class Rodas5P(AbstractRosenbrock):
    """Rodas5P: order 5 (embedded 4), 8 stages, L-stable, order-4 dense output.

    Reference: G. Steinebach, BIT Numer. Math. 63 (2023) 27. The default solver.
    """

    tableau: ClassVar[RosenbrockTableau] = RODAS5P


class Rodas4(AbstractRosenbrock):
    """Rodas4: order 4 (embedded 3), 6 stages, L-stable, order-3 dense output.

    Reference: Hairer & Wanner, Solving ODEs II (1996), §IV.7.
    """

    tableau: ClassVar[RosenbrockTableau] = RODAS4


class LinearSystem:
    """W = M - hγJ (M = I by default) from Jacobian values: sparse straight-line LU or
    dense pivoted LU. With a sparse ``pattern`` and a ``mass`` matrix, the pattern must
    hold every nonzero of ``mass`` (the union of M's and J's patterns).

    Derivatives of a solve x = M⁻¹b are propagated as dx = M⁻¹(db - dM x), reusing the
    primal factors (a ``custom_jvp``; reverse mode transposes the same linear rule), not
    by differentiating through the factorisation: the same derivative of the same
    discrete scheme, at the cost of one sparse product and one pair of triangular
    solves per tangent instead of the tangent of every elimination update.
    """

    def __init__(self, pattern: SparsityPattern | None, mass: np.ndarray | None = None):
        self.pattern = pattern
        self.mass = None if mass is None else np.asarray(mass, dtype=np.float64)
        if pattern is None:
            self._dense = DenseLU()
        else:
            self._lu = sparse_lu(pattern)
            self._diag = np.asarray(pattern.rows) == np.asarray(pattern.cols)
            self._rows = np.asarray(pattern.rows)
            self._cols = np.asarray(pattern.cols)
            if self.mass is not None:
                on = np.zeros(self.mass.shape, dtype=bool)
                on[self._rows, self._cols] = True
                if np.any((self.mass != 0) & ~on):
                    raise ValueError("the sparsity pattern must contain every nonzero of the "
                                     "mass matrix (use the union of both patterns)")
                self._mass_values = self.mass[self._rows, self._cols]
        self._solve = jax.custom_jvp(self._raw_solve)
        self._solve.defjvp(self._solve_jvp)

    def mass_times(self, x: Array) -> Array:
        """M x (x itself when M is the identity)."""
        return x if self.mass is None else jnp.asarray(self.mass) @ x

    def factor(self, jac_values: Array, hg: Array) -> tuple[Any, Bool[Array, ""]]:
        """Factorise W = M - hg * J; ``jac_values`` as returned by the point evaluator.

        Returns ``((M, factors), ok)``: M is kept for the derivative rule of
        :meth:`solve`, which never uses the factors' tangents (XLA drops them); they
        stay differentiable for transposed solves under higher-order derivatives.
        """
        if self.pattern is None:
            n = jac_values.shape[0]
            eye = jnp.eye(n, dtype=jac_values.dtype) if self.mass is None else jnp.asarray(self.mass)
            m = eye - hg * jac_values
            factors, ok = self._dense.factor(m)
        else:
            ones = (jnp.where(self._diag, 1.0, 0.0) if self.mass is None
                    else jnp.asarray(self._mass_values))
            m = ones - hg * jac_values
            factors, ok = self._lu.factor(m)
        return (m, factors), ok

    def solve(self, factors: Any, b: Array) -> Array:
        """Solve M x = b with ``factors`` from :meth:`factor`."""
        m, lu = factors
        return self._solve(m, lu, b)

    def _raw_solve(self, m: Array, lu: Any, b: Array) -> Array:
        if self.pattern is None:
            return self._dense.solve(lu, b)
        return self._lu.solve(lu, b)

    def _matvec(self, m: Array, x: Array) -> Array:
        if self.pattern is None:
            return m @ x
        return jnp.zeros_like(x).at[self._rows].add(m * x[self._cols])

    def _solve_jvp(self, primals, tangents):
        m, lu, b = primals
        dm, _, db = tangents
        # through self._solve, not the raw solve: higher derivatives (forward-over-reverse
        # for NUTS) then use the rule again instead of the factorisation's derivative
        x = self._solve(m, lu, b)
        return x, self._solve(m, lu, db - self._matvec(dm, x))


def step(
    tab: RosenbrockTableau,
    fun: Callable[[Array, Array], Array],
    f0: Float[Array, " n"],
    dfdt: Float[Array, " n"],
    jac_values: Array,
    linsys: LinearSystem,
    t: Float[Array, ""],
    y: Float[Array, " n"],
    h: Float[Array, ""],
    unroll: bool = True,
) -> tuple[Array, Array, Array, Bool[Array, ""]]:
    """Attempt one step of size h.

    Args:
        tab: the method's tableau.
        fun: right-hand side ``fun(t, y)`` (schedule rates included).
        f0, dfdt, jac_values: f, ∂f/∂t and J at (t, y) (see ``make_point_evaluator``).
        linsys: the linear-system strategy.
        t, y, h: current time, state, step size (same time unit as ``fun``).
        unroll: inline the stages (else a ``fori_loop`` over stages).

    Returns:
        ``(y1, err, q, ok)``: the order-p solution, the error estimate y1 - ŷ1, the
        dense-output vectors q (3, n), and ``ok`` (False if a pivot was zero/non-finite).
    """
    g = tab.gamma
    hg = h * g
    factors, ok = linsys.factor(jac_values, hg)
    if unroll:
        K = _stages_unrolled(tab, fun, f0, dfdt, linsys, factors, t, y, h)
    else:
        K = _stages_loop(tab, fun, dfdt, linsys, factors, t, y, h)
    y1 = y + jnp.asarray(tab.b) @ K
    err = jnp.asarray(tab.e) @ K
    q = jnp.asarray(tab.H) @ K
    return y1, err, q, ok


def _stages_unrolled(tab, fun, f0, dfdt, linsys, factors, t, y, h) -> Array:
    """All stages inlined (fastest at run time, largest program)."""
    g = tab.gamma
    hg = h * g
    ks: list[Array] = []
    for i in range(tab.stages):
        if i == 0:
            fi = f0
        else:
            ui = y
            for j in range(i):
                if tab.a[i, j] != 0.0:
                    ui = ui + float(tab.a[i, j]) * ks[j]
            fi = fun(t + float(tab.c[i]) * h, ui)
        rhs = hg * fi
        if tab.d[i] != 0.0:
            rhs = rhs + (hg * h * float(tab.d[i])) * dfdt
        if linsys.mass is None:  # the ODE path, unchanged
            for j in range(i):
                if tab.C[i, j] != 0.0:
                    rhs = rhs + float(g * tab.C[i, j]) * ks[j]
        else:  # γ M Σ C_ij k_j
            corr = None
            for j in range(i):
                if tab.C[i, j] != 0.0:
                    term = float(g * tab.C[i, j]) * ks[j]
                    corr = term if corr is None else corr + term
            if corr is not None:
                rhs = rhs + linsys.mass_times(corr)
        ks.append(linsys.solve(factors, rhs))
    return jnp.stack(ks)


def _stages_loop(tab, fun, dfdt, linsys, factors, t, y, h) -> Array:
    """Stages in a ``fori_loop``: the rhs and the solve appear once in the program."""
    g = tab.gamma
    hg = h * g
    s = tab.stages
    a, gC = jnp.asarray(tab.a), jnp.asarray(g * tab.C)
    c, d = jnp.asarray(tab.c), jnp.asarray(tab.d)
    # Σ_j a_ij K_j and Σ_j γC_ij K_j as one small product: 2 (s - 1) scalar-weighted vector
    # updates run at 0.87x and compile 0.8 s longer under vmap on CPU (trofosfamide, 64 lanes,
    # benchmarks/results/solver_ablation_trofosfamide.md)
    aC = jnp.stack([a, gC], axis=1)  # (s, 2, s)

    def body(i, K):
        mix = aC[i] @ K
        ui, corr = y + mix[0], mix[1]
        fi = fun(t + c[i] * h, ui)
        rhs = hg * fi + (hg * h * d[i]) * dfdt + linsys.mass_times(corr)
        return K.at[i].set(linsys.solve(factors, rhs))

    return jax.lax.fori_loop(0, s, body, jnp.zeros((s, *y.shape), y.dtype))


def interpolate(
    theta: Float[Array, ""],
    y0: Float[Array, " n"],
    y1: Float[Array, " n"],
    q: Float[Array, "3 n"],
) -> Float[Array, " n"]:
    """Rodas dense output at fraction θ of the last step (exact at θ = 0 and θ = 1)."""
    th1 = 1.0 - theta
    return th1 * y0 + theta * (y1 + th1 * (q[0] + theta * (q[1] + theta * q[2])))
