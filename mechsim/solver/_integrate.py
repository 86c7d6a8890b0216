"""Entry point: :func:`integrate` one trajectory (and :func:`integrate_batch`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, PyTree

import mechsim._config  # noqa: F401  (float64)

from ._diffrax import DiffraxSolver, solve_diffrax
from ._loop import solve_adaptive
from ._mass import check_mass_matrix
from ._rosenbrock import AbstractRosenbrock, Rodas5P
from ._schedule import Schedule
from ._solution import Solution
from ._sparse_lu import SparsityPattern
from ._xla import solver_jit

__all__ = ["integrate", "integrate_batch"]

Rhs = Callable[[Array, Array, Any], Array]


@solver_jit(equinox=True)
def _integrate_jit(rhs, y0, ts, args, jac, pattern, solver, rtol, atol, t0, schedule, dt0,
                   max_steps, adjoint, mass=None) -> Solution:  # fmt: skip
    if isinstance(solver, DiffraxSolver):
        ys, status, stats = solve_diffrax(
            solver, rhs, y0, ts, args, rtol=rtol, atol=atol, t0=t0, schedule=schedule,
            dt0=dt0, max_steps=max_steps, adjoint=adjoint,
        )  # fmt: skip
    else:
        if isinstance(adjoint, diffrax.RecursiveCheckpointAdjoint):
            checkpoints = True if adjoint.checkpoints is None else adjoint.checkpoints
        else:
            checkpoints = False
        ys, status, stats = solve_adaptive(
            solver.tableau, solver.unrolled(y0.shape[0]), rhs, y0, ts, args, jac=jac, pattern=pattern, rtol=rtol,
            atol=atol, t0=t0, schedule=schedule, dt0=dt0, max_steps=max_steps,
            checkpoints=checkpoints, ctrl=solver.stepsize_controller,
            mass=None if mass is None else mass.array,
        )  # fmt: skip
    return Solution(ts=ts, ys=ys, status=status, stats=stats)


def integrate(
    rhs: Rhs,
    y0: ArrayLike,
    ts: ArrayLike,
    args: PyTree = None,
    *,
    jac: Callable[[Array, Array, Any], Array] | None = None,
    sparsity: np.ndarray | None = None,
    solver: AbstractRosenbrock | DiffraxSolver = Rodas5P(),
    rtol: float | ArrayLike = 1e-6,
    atol: float | ArrayLike = 1e-9,
    t0: float | ArrayLike | None = None,
    schedule: Schedule | None = None,
    dt0: float | ArrayLike | None = None,
    max_steps: int = 100_000,
    adjoint: diffrax.AbstractAdjoint | None = None,
    mass_matrix: np.ndarray | None = None,
) -> Solution:
    """Integrate one stiff ODE trajectory dy/dt = rhs(t, y, args) (+ schedule rates), or a
    linearly implicit system M dy/dt = rhs(t, y, args) with a constant mass matrix M.

    Jit-, vmap- and forward-mode-differentiable; a failed trajectory never raises: it sets
    ``Solution.status`` (a :class:`RESULTS` code) and its outputs after the failure are NaN.
    Batch with ``jax.vmap(lambda p: integrate(rhs, y0, ts, p))(params)``: every lane keeps
    its own adaptive step size and status.

    Args:
        rhs: ``rhs(t, y, args) -> dy/dt`` of shape (n,), pure JAX, float64. Units: state
            units per time unit of ``ts``.
        y0: (n,) initial state at ``t0``.
        ts: (k,) increasing output times (k >= 1); outputs come from the Rodas dense output
            (order 4 for Rodas5P, 3 for Rodas4) or exact step ends, so they cost no steps.
        args: pytree of parameters passed to ``rhs`` (arrays: new values do not recompile).
        jac: optional ``jac(t, y, args) -> (n, n)``; default forward-mode AD (compressed by
            column colouring when ``sparsity`` is given).
        sparsity: static boolean (n, n) pattern of the Jacobian; enables the straight-line
            sparse LU (much faster under vmap). ``None``: dense pivoted LU.
        solver: :class:`Rodas5P` (default), :class:`Rodas4`, or :class:`DiffraxSolver`;
            a Rodas solver's ``stepsize_controller`` (:class:`StepController`) holds the
            constants of the step control, e.g. ``Rodas5P(stepsize_controller=
            StepController(safety=0.8))``.
        rtol, atol: tolerances of the error norm
            ``RMS(err / (atol + rtol * max(|y|, |y_new|)))``; atol scalar or (n,).
        t0: start time (default ``ts[0]``); outputs before t0 are NaN.
        schedule: dosing events (right-continuous jumps, segment rates), see
            :class:`Schedule`; jumps before t0 are ignored, at t0 applied.
        dt0: initial step (default: Hairer's starting-step heuristic).
        max_steps: cap on attempted steps (static); exceeding it gives ``MAX_STEPS_REACHED``.
        adjoint: ``None`` / ``diffrax.ForwardMode()`` (lax while loop: jvp/jacfwd work) or
            ``diffrax.RecursiveCheckpointAdjoint(checkpoints)`` (checkpointed loop:
            ``jax.grad`` works, forward mode does not). DiffraxSolver passes it through.
        mass_matrix: constant (n, n) float64 numpy array M of ``M dy/dt = rhs`` (``None``:
            the identity, at no cost). A singular M makes a DAE (index 1 required):
            ``y0``'s algebraic components (the null space of M) are first made consistent
            by Newton's method (``RESULTS.INCONSISTENT_INITIAL_STATE`` if that fails);
            schedule rates r enter as M r. With ``sparsity``, the pattern must contain
            M's nonzeros. Rosenbrock solvers only (Hairer & Wanner 1996, §VI.4).

    Returns:
        :class:`Solution` with ``ts``, ``ys`` (k, n), ``status`` and ``stats``.
    """
    y0 = jnp.asarray(y0, dtype=jnp.float64)
    ts = jnp.asarray(ts, dtype=jnp.float64)
    if y0.ndim != 1:
        raise ValueError(f"y0 must be a 1-D state vector (n,), got shape {y0.shape}")
    if ts.ndim != 1 or ts.shape[0] < 1:
        raise ValueError(f"ts must be a non-empty 1-D array of output times, got shape {ts.shape}")
    n = y0.shape[0]
    pattern = None
    if sparsity is not None:
        pattern = SparsityPattern.from_array(np.asarray(sparsity))
        if pattern.n != n:
            raise ValueError(f"sparsity must have shape ({n}, {n}) to match y0, got {pattern.n}")
    if not isinstance(solver, AbstractRosenbrock | DiffraxSolver):
        raise TypeError(
            "solver must be Rodas5P(), Rodas4() or DiffraxSolver(diffrax_solver), "
            f"got {type(solver).__name__}"
        )
    if adjoint is None:
        adjoint = diffrax.ForwardMode()
    if not isinstance(solver, DiffraxSolver) and not isinstance(
        adjoint, diffrax.ForwardMode | diffrax.RecursiveCheckpointAdjoint
    ):
        raise TypeError(
            "adjoint must be None, diffrax.ForwardMode() or diffrax.RecursiveCheckpointAdjoint() "
            f"for Rosenbrock solvers, got {type(adjoint).__name__}"
        )
    atol = jnp.asarray(atol, dtype=jnp.float64)
    if atol.shape not in ((), (n,)):
        raise ValueError(f"atol must be a scalar or shape ({n},), got shape {atol.shape}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise ValueError(f"max_steps must be a positive int, got {max_steps!r}")
    if schedule is not None and schedule.jumps.shape[-1] != n:
        raise ValueError(f"schedule is for {schedule.jumps.shape[-1]} species, y0 has {n}")
    mass = None
    if mass_matrix is not None:
        if isinstance(solver, DiffraxSolver):
            raise ValueError("mass_matrix needs a Rosenbrock solver (Rodas5P() or Rodas4()); "
                             "DiffraxSolver has no mass-matrix support")
        m = check_mass_matrix(mass_matrix, n)
        if pattern is not None:
            missing = (m != 0) & ~pattern.to_array()
            if missing.any():
                i, j = map(int, np.argwhere(missing)[0])
                raise ValueError(f"sparsity must contain every nonzero of mass_matrix, missing "
                                 f"({i}, {j}); pass the union of the two patterns")
        mass = _StaticMatrix(m)
    return _integrate_jit(
        rhs, y0, ts, args, jac, pattern, solver, jnp.asarray(rtol, dtype=jnp.float64), atol,
        ts[0] if t0 is None else jnp.asarray(t0, dtype=jnp.float64), schedule,
        None if dt0 is None else jnp.asarray(dt0, dtype=jnp.float64), max_steps, adjoint, mass,
    )  # fmt: skip


class _StaticMatrix:
    """A constant numpy matrix as a hashable static argument of the jitted solve (hashed by
    its bytes: the same M does not recompile)."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = np.array(array, dtype=np.float64)
        self.array.flags.writeable = False
        self._key = (self.array.shape, self.array.tobytes())

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _StaticMatrix) and self._key == other._key


def integrate_batch(
    rhs: Rhs,
    y0: ArrayLike,
    ts: ArrayLike,
    args: PyTree,
    *,
    batch_y0: bool = False,
    batch_schedule: bool = False,
    **kwargs: Any,
) -> Solution:
    """``jax.vmap`` of :func:`integrate` over the leading axis of every leaf of ``args``.

    Args:
        rhs, y0, ts, args: as :func:`integrate`, with a leading batch axis (B, ...) on every
            leaf of ``args`` (and on ``y0`` if ``batch_y0``).
        batch_y0: whether ``y0`` is (B, n) rather than (n,).
        batch_schedule: whether ``kwargs['schedule']`` has a leading batch axis.
        **kwargs: the keyword options of :func:`integrate` (unbatched, except schedule).

    Returns:
        A :class:`Solution` whose fields have a leading batch axis (B, ...).
    """
    schedule = kwargs.pop("schedule", None)

    def one(p: PyTree, y: Array, sch: Schedule | None) -> Solution:
        return integrate(rhs, y, ts, p, schedule=sch, **kwargs)

    in_axes = (0, 0 if batch_y0 else None, 0 if batch_schedule else None)
    return jax.vmap(one, in_axes=in_axes)(args, jnp.asarray(y0, dtype=jnp.float64), schedule)
