"""Adapter: run a diffrax solver behind :func:`mechsim.solver.integrate`.

Schedules are handled by integrating segment by segment between event times (a static
Python loop over the m + 1 segments; segments outside [t0, t_end] have zero length).
diffrax ``RESULTS`` are mapped onto mechsim's :class:`~mechsim.solver.RESULTS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import diffrax
import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array

from ._results import RESULTS
from ._schedule import Schedule

__all__ = ["DiffraxSolver", "solve_diffrax"]


class DiffraxSolver(eqx.Module):
    """Use a diffrax solver (e.g. ``diffrax.Kvaerno5()``, ``diffrax.Tsit5()``) in ``integrate``.

    Attributes:
        solver: any ``diffrax.AbstractSolver``.
        stepsize_controller: a diffrax controller; ``None`` means
            ``diffrax.PIDController(rtol=rtol, atol=atol)`` with ``integrate``'s tolerances.
    """

    solver: diffrax.AbstractSolver
    stepsize_controller: diffrax.AbstractStepSizeController | None = None


def _map_result(result: Any) -> Array:
    """diffrax RESULTS -> mechsim RESULTS code (int32 scalar)."""
    R = diffrax.RESULTS
    table = [
        (R.successful, RESULTS.SUCCESS),
        (R.max_steps_reached, RESULTS.MAX_STEPS_REACHED),
        (R.dt_min_reached, RESULTS.DT_UNDERFLOW),
        (R.nonfinite, RESULTS.NONFINITE_STATE),
        (R.nonfinite_input, RESULTS.NONFINITE_STATE),
        (R.singular, RESULTS.LINEAR_SOLVE_FAILED),
        (R.breakdown, RESULTS.LINEAR_SOLVE_FAILED),
    ]
    code = jnp.asarray(RESULTS.SOLVER_FAILED, jnp.int32)
    for item, ours in reversed(table):
        code = jnp.where(result == item, jnp.int32(ours), code)
    return code


def solve_diffrax(
    wrapper: DiffraxSolver,
    rhs: Callable[..., Array],
    y0: Array,
    ts: Array,
    args: Any,
    *,
    rtol: Array,
    atol: Array,
    t0: Array,
    schedule: Schedule | None,
    dt0: Array | None,
    max_steps: int,
    adjoint: diffrax.AbstractAdjoint,
) -> tuple[Array, Array, dict[str, Array]]:
    """Integrate one trajectory with diffrax; returns ``(ys, status, stats)``."""
    t_end = ts[-1]
    controller = wrapper.stepsize_controller
    if controller is None:
        controller = diffrax.PIDController(rtol=rtol, atol=atol)
    n = y0.shape[0]
    if schedule is None:
        times = jnp.zeros((0,), y0.dtype)
        jumps = jnp.zeros((0, n), y0.dtype)
        rates = jnp.zeros((1, n), y0.dtype)
    else:
        times, jumps, rates = schedule.times, schedule.jumps, schedule.rates
        y0 = y0 + jnp.sum(jnp.where((times == t0)[:, None], jumps, 0.0), axis=0)
    m = times.shape[0]
    edges = jnp.concatenate([t0[None], jnp.clip(times, t0, t_end), t_end[None]])

    ys = jnp.full((ts.shape[0], n), jnp.nan, y0.dtype)
    status = jnp.asarray(RESULTS.SUCCESS, jnp.int32)
    stats = {k: jnp.zeros((), jnp.int32) for k in ("num_steps", "num_accepted", "num_rejected")}
    y = y0
    for j in range(m + 1):
        if j > 0:
            apply = (times[j - 1] > t0) & (times[j - 1] <= t_end)
            y = y + jnp.where(apply, jumps[j - 1], 0.0)
        rate = rates[j]
        term = diffrax.ODETerm(lambda t, yy, a, rate=rate: rhs(t, yy, a) + rate)
        lo, hi = edges[j], edges[j + 1]
        sol = diffrax.diffeqsolve(
            term, wrapper.solver, lo, hi, dt0, y, args=args,
            saveat=diffrax.SaveAt(ts=jnp.clip(ts, lo, hi), t1=True),
            stepsize_controller=controller, max_steps=max_steps, throw=False, adjoint=adjoint,
        )  # fmt: skip
        code = _map_result(sol.result)
        seg_ys = sol.ys[:-1]
        mine = (ts >= lo) & (t0 <= ts)
        ok_prev = status == RESULTS.SUCCESS
        ys = jnp.where(mine[:, None] & ok_prev, seg_ys, ys)
        status = jnp.where(ok_prev, code, status)
        y = sol.ys[-1]
        stats["num_steps"] += sol.stats["num_steps"].astype(jnp.int32)
        stats["num_accepted"] += sol.stats["num_accepted_steps"].astype(jnp.int32)
        stats["num_rejected"] += sol.stats["num_rejected_steps"].astype(jnp.int32)
    failed = status != RESULTS.SUCCESS
    ys = jnp.where(failed & ~jnp.isfinite(ys), jnp.nan, ys)
    return ys, status, stats
