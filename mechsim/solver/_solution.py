"""The result of one (or, under vmap, a batch of) integration(s)."""

from __future__ import annotations

import equinox as eqx
from jaxtyping import Array, Float, Int

__all__ = ["Solution"]


class Solution(eqx.Module):
    """Trajectory at the requested output times.

    Attributes:
        ts: (k,) output times (unit of the caller's t).
        ys: (k, n) states at ``ts`` (caller's units); NaN after a failure.
        status: int32 scalar, a :class:`~mechsim.solver.RESULTS` code (0 = success).
        stats: ``num_steps`` (attempted), ``num_accepted``, ``num_rejected`` (int32).
    """

    ts: Float[Array, " k"]
    ys: Float[Array, "k n"]
    status: Int[Array, ""]
    stats: dict[str, Int[Array, ""]]
