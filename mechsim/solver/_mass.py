"""Constant mass matrices M (linearly implicit systems M y' = f(t, y)) and consistent
initialisation of their algebraic components.

With a singular M the system is a differential-algebraic equation (DAE). Write the
singular value decomposition M = U Σ Vᵀ and split U = [U₁ U₀], V = [V₁ V₀] at the zero
singular values: the columns of U₀ span the left null space of M, so U₀ᵀ f(t, y) = 0 are
the algebraic constraints, and V₀ (the null space of M) spans the algebraic directions of
the state (the components M y' does not see). For the usual block form (zero rows and
columns of M for algebraic variables) U₀ and V₀ are unit vectors.

A state is *consistent* when U₀ᵀ f(t0, y0) = 0. :func:`consistent_initialization` moves
only the algebraic part, y = y0 + V₀ z (the differential part V₁ᵀ y0 is kept), and solves
U₀ᵀ f(t0, y0 + V₀ z) = 0 by Newton's method with the Jacobian U₀ᵀ J V₀, which is
nonsingular exactly when the DAE has differentiation index 1 (Hairer & Wanner 1996,
§VI.1; Brenan, Campbell & Petzold 1996, §5.3). Rodas methods are stiffly accurate and
keep their order for index-1 problems started on the constraint manifold (Hairer &
Wanner 1996, §VI.4).
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float

__all__ = ["algebraic_basis", "check_mass_matrix", "consistent_initialization", "dae_reinitializer"]

#: Newton iterations before the initialisation is declared failed.
MAX_NEWTON_ITERATIONS = 50
#: Newton stops once the scaled update ‖Δy / (atol + rtol |y|)‖_RMS is below this (the
#: next update would be ~its square: far below the integration tolerance).
NEWTON_TOL = 1e-3


def check_mass_matrix(mass: object, n: int) -> np.ndarray:
    """Validate a mass matrix: a finite float64 (n, n) numpy array (host-side).

    Raises:
        ValueError: naming the shape or the non-finite entry, and the fix.
    """
    if not isinstance(mass, np.ndarray | list | tuple):
        raise ValueError(
            f"mass_matrix must be a constant (n, n) numpy array (not a traced JAX value), "
            f"got {type(mass).__name__}"
        )
    m = np.asarray(mass, dtype=np.float64)
    if m.shape != (n, n):
        raise ValueError(f"mass_matrix must have shape ({n}, {n}) to match y0, got {m.shape}")
    if not np.all(np.isfinite(m)):
        raise ValueError("mass_matrix has non-finite entries; it must be a constant finite matrix")
    return m


def algebraic_basis(mass: np.ndarray, rtol: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """``(U0, V0)``: orthonormal bases (n, m) of the left null space and the null space of
    ``mass`` (m = n - rank; singular values below ``rtol * σ_max`` count as zero)."""
    m = np.asarray(mass, dtype=np.float64)
    n = m.shape[0]
    if n == 0:
        return np.zeros((0, 0)), np.zeros((0, 0))
    u, s, vt = np.linalg.svd(m)
    cut = rtol * (s[0] if s.size and s[0] > 0 else 1.0)
    rank = int(np.sum(s > cut))
    u0, v0 = u[:, rank:], vt[rank:].T
    # exact zeros where M has zero rows/columns (clean unit vectors for the block form)
    u0 = np.where(np.abs(u0) < 1e-15, 0.0, u0)
    v0 = np.where(np.abs(v0) < 1e-15, 0.0, v0)
    return u0, v0


def consistent_initialization(
    fun: Callable[[Array, Array], Array],
    t0: Float[Array, ""],
    y0: Float[Array, " n"],
    mass: np.ndarray,
    rtol: Float[Array, ""] | float,
    atol: Array | float,
    least_squares: bool = False,
) -> tuple[Float[Array, " n"], Bool[Array, ""]]:
    """Consistent initial state of M y' = fun(t, y): Newton on the algebraic constraints.

    Jit- and vmap-safe (a bounded ``while_loop``; no host round trip); derivatives (forward
    and reverse) follow the implicit function theorem, not the iterations. The event
    driver can call it after an event assignment to re-initialise the algebraic
    components (the differential components, V₁ᵀ y, are kept).

    Args:
        fun: ``fun(t, y) -> (n,)``, the right-hand side f (same units as M y').
        t0: time of the state.
        y0: (n,) state; its algebraic part is only a starting guess.
        mass: constant (n, n) numpy mass matrix (host value, static).
        rtol, atol: the integration tolerances; Newton stops when the scaled update
            ‖Δy / (atol + rtol |y|)‖_RMS < 1e-3.
        least_squares: take minimum-norm least-squares Newton steps (pseudo-inverse of
            U₀ᵀ J V₀), which pass through states where that matrix is singular; success
            then also needs every residual |U₀ᵀ f| <= 1e-9 (1 + |U₀ᵀ J| |y|). A fallback
            for an initial guess at a singular point; the default is plain Newton.

    Returns:
        ``(y, ok)``: the consistent state, and False if Newton did not converge within
        50 iterations or produced non-finite values (an inconsistent or higher-index
        system); ``y`` is then the last iterate.
    """
    u0, v0 = algebraic_basis(mass)
    if u0.shape[1] == 0:
        return y0, jnp.asarray(True)
    u0t, v0j = jnp.asarray(u0.T, dtype=y0.dtype), jnp.asarray(v0, dtype=y0.dtype)
    step = (lambda a, b: jnp.linalg.lstsq(a, b)[0]) if least_squares else jnp.linalg.solve

    def residual(y: Array) -> Array:
        return u0t @ fun(t0, y)

    # the iterations carry no tangents (stop_gradient on f and y0): reverse mode cannot
    # differentiate a while loop; derivatives come from the implicit-function step below
    def fixed(yy: Array) -> Array:
        return jax.lax.stop_gradient(fun(t0, yy))

    tol_a, tol_r = jax.lax.stop_gradient(atol), jax.lax.stop_gradient(rtol)

    def body(state):
        y, k, _, _ = state
        g = u0t @ fixed(y)
        jac = jax.lax.stop_gradient(u0t @ jax.jacfwd(lambda yy: fun(t0, yy))(y) @ v0j)
        dz = step(jac, -g)
        dy = v0j @ dz
        y_new = y + dy
        scale = tol_a + tol_r * jnp.maximum(jnp.abs(y), jnp.abs(y_new))
        size = jnp.sqrt(jnp.mean((dy / scale) ** 2))
        finite = jnp.all(jnp.isfinite(y_new))
        return y_new, k + 1, size, finite

    def cond(state):
        _, k, size, finite = state
        return (k < MAX_NEWTON_ITERATIONS) & finite & ~(size < NEWTON_TOL)

    y, _, size, finite = jax.lax.while_loop(
        cond, body, (jax.lax.stop_gradient(y0), jnp.zeros((), jnp.int32),
                     jnp.asarray(jnp.inf, y0.dtype), jnp.asarray(True))
    )
    # derivatives by the implicit function theorem: one more Newton step from the
    # converged point (held fixed), with the tangent of y0's differential part added back
    y = y + (y0 - jax.lax.stop_gradient(y0)) - v0j @ (v0j.T @ (y0 - jax.lax.stop_gradient(y0)))
    full = u0t @ jax.jacfwd(lambda yy: fun(t0, yy))(y)
    g = residual(y)
    y = y + v0j @ step(full @ v0j, -g)
    ok = finite & (size < NEWTON_TOL) & jnp.all(jnp.isfinite(y))
    if least_squares:
        g_scale = 1.0 + jnp.abs(full) @ jnp.abs(y)
        ok = ok & jnp.all(jnp.abs(g) <= 1e-9 * g_scale)
    return y, ok


def dae_reinitializer(rhs: Callable, mass_matrix: np.ndarray, rtol: float,
                      atol: float | np.ndarray) -> Callable[[float, np.ndarray, np.ndarray], tuple[np.ndarray, bool]]:
    """The event driver's re-initialiser (:data:`mechsim.solver._events.Reinitializer`) for ``M y' = rhs(t, y, p)``: Newton on the algebraic
    constraints (:func:`consistent_initialization`), jitted once.

    Args:
        rhs: ``rhs(t, y, p) -> (n,)``.
        mass_matrix: the constant (n, n) mass matrix (numpy).
        rtol, atol: the integration tolerances (Newton's stopping test; ``atol`` a scalar
            or per state).
    """
    mass = np.asarray(mass_matrix, dtype=float)

    @jax.jit
    def project(t, y, p):
        return consistent_initialization(lambda tt, v: rhs(tt, v, p), t, y, mass, rtol, atol)

    def reinit(t: float, y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, bool]:
        yy, ok = project(jnp.asarray(t, dtype=jnp.float64), jnp.asarray(y, dtype=jnp.float64),
                         jnp.asarray(p, dtype=jnp.float64))
        return np.array(yy, dtype=float), bool(ok)

    return reinit
