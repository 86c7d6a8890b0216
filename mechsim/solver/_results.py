"""Status codes returned by :func:`mechsim.solver.integrate`.

Inside ``jit``/``vmap`` a failing trajectory cannot raise: it records one of these codes
in ``Solution.status`` and fills its outputs after the failure with NaN, while the other
lanes of a batch carry on (the pattern of diffrax's ``RESULTS`` and ``throw=False``).
"""

from __future__ import annotations

import enum

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Int

__all__ = ["RESULTS", "is_successful", "status_message"]


class RESULTS(enum.IntEnum):
    """Outcome of one trajectory, stored as an ``int32`` scalar in ``Solution.status``."""

    SUCCESS = 0
    MAX_STEPS_REACHED = 1
    NONFINITE_STATE = 2
    DT_UNDERFLOW = 3
    LINEAR_SOLVE_FAILED = 4
    SOLVER_FAILED = 5
    INCONSISTENT_INITIAL_STATE = 6


_MESSAGES: dict[RESULTS, str] = {
    RESULTS.SUCCESS: "success",
    RESULTS.MAX_STEPS_REACHED: (
        "the maximum number of steps was reached before the last output time; raise "
        "max_steps or loosen rtol/atol"
    ),
    RESULTS.NONFINITE_STATE: (
        "the state became non-finite (inf/NaN) and shrinking the step did not help: the "
        "solution probably blows up or the right-hand side returns NaN"
    ),
    RESULTS.DT_UNDERFLOW: (
        "the step size fell below the resolution of t (error control kept rejecting): "
        "the solution is probably singular here"
    ),
    RESULTS.LINEAR_SOLVE_FAILED: (
        "the linear system I - h*gamma*J had a zero or non-finite pivot even at the "
        "smallest step size"
    ),
    RESULTS.SOLVER_FAILED: "the wrapped diffrax solver reported a failure (see its RESULTS)",
    RESULTS.INCONSISTENT_INITIAL_STATE: (
        "no consistent initial state: Newton's method on the algebraic equations (zero rows "
        "of the mass matrix) did not converge; give a better initial guess for the "
        "algebraic variables or check that the DAE has index 1"
    ),
}


def status_message(code: int | ArrayLike) -> str:
    """Human-readable explanation of a status code (a Python int or a concrete array).

    Args:
        code: a value of :class:`RESULTS` (e.g. ``int(sol.status)``).

    Returns:
        One sentence describing the outcome.

    Raises:
        ValueError: if ``code`` is not a known status code.
    """
    value = int(code)  # type: ignore[arg-type]
    try:
        return _MESSAGES[RESULTS(value)]
    except ValueError:
        raise ValueError(
            f"status code must be one of {[int(r) for r in RESULTS]}, got {value}"
        ) from None


def is_successful(status: Int[Array, ...]) -> Array:
    """Boolean mask (same shape as ``status``): which trajectories succeeded."""
    return jnp.asarray(status) == RESULTS.SUCCESS
