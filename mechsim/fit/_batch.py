"""A batch of optimistix solves advanced together in one compiled step loop.

optimistix's own ``minimise``/``least_squares`` run a whole solve inside one call. Here
the same ``solver.init`` / ``solver.step`` / ``solver.terminate`` protocol runs for a
batch of starting points (under ``vmap``, or in vmapped groups mapped one after another
on CPU, see :data:`CPU_FIT_LANE_BATCH`), in segments of ``chunk`` steps, so the host can
report progress between segments without recompiling and without a Python loop over
starts. Finished lanes stop changing (their status is kept, as inside ``vmap`` of a
while loop). Bounds are enforced by evaluating the function at the clipped point plus a
quadratic penalty on the distance outside the box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx

from ..solver._lanes import map_lanes
from ..solver._options import AutoLaneBatch
from ..solver._xla import solver_jit
from ._options import CPU_FIT_LANE_BATCH, FIT_LANES, as_fit_lane_batch

__all__ = ["CPU_FIT_LANE_BATCH", "BatchOutcome", "fit_lane_batch", "run_batch"]

_TAGS: frozenset = frozenset()
PENALTY = 1e2

def fit_lane_batch(lane_batch: int | AutoLaneBatch | str | None = FIT_LANES) -> int | None:
    """Resolve ``lane_batch`` for :func:`run_batch`: :data:`~mechsim.fit._options.FIT_LANES`
    (default; old name ``"auto"``) is :data:`~mechsim.fit._options.CPU_FIT_LANE_BATCH` on
    CPU and ``None`` (one vmap of all starts) on accelerators, where lanes run in parallel."""
    lane_batch = as_fit_lane_batch(lane_batch)
    return lane_batch.resolve() if isinstance(lane_batch, AutoLaneBatch) else lane_batch


@dataclass(frozen=True)
class BatchOutcome:
    """Final points (fitting scale, clipped into bounds), status codes and step counts."""

    y: np.ndarray
    status: np.ndarray
    messages: tuple[str, ...]
    n_steps: np.ndarray
    compile_s: float


def is_least_squares(solver) -> bool:
    """Whether ``solver`` is an optimistix least-squares solver (needs residuals)."""
    return isinstance(solver, optx.AbstractLeastSquaresSolver) and not isinstance(
        solver, optx.AbstractMinimiser
    )


class Bounded(eqx.Module):
    """``fn(y, args)`` at the clipped ``y`` plus a penalty for leaving the box.

    Calling it gives ``(value, None)`` as optimistix expects. A module (not a closure),
    so a new instance with the same ``fn`` does not trigger recompilation.
    """

    fn: Callable
    lower: jnp.ndarray
    upper: jnp.ndarray
    least_squares: bool = eqx.field(static=True)

    def __call__(self, y, args):
        yc = jnp.clip(y, self.lower, self.upper)
        out = self.fn(yc, args)
        if self.least_squares:
            return jnp.concatenate([out, jnp.sqrt(2 * PENALTY) * (y - yc)]), None
        return out + PENALTY * jnp.sum((y - yc) ** 2), None


def _status_name(code: int) -> str:
    for name in ("successful", "nonlinear_max_steps_reached", "nonlinear_divergence",
                 "nonfinite", "singular", "breakdown", "stagnation"):  # fmt: skip
        item = getattr(optx.RESULTS, name, None)
        if item is not None and int(item._value) == code:
            return name
    return f"status {code}"


@solver_jit(equinox=True)
def _init(solver, fn, y0, args, options, f_struct):
    def one(y, a):
        state = solver.init(fn, y, a, options, f_struct, None, _TAGS)
        done, result = solver.terminate(fn, y, a, options, state, _TAGS)
        return state, done, result

    return eqx.filter_vmap(one)(y0, args)


@solver_jit(equinox=True)
def _advance(
    solver, fn, options, y, args, state, steps, done, result, k, max_steps, lane_batch=None
):
    def one(y, a, state, steps, done, result):
        dyn, static = eqx.partition(state, eqx.is_array)
        success = optx.RESULTS.successful

        def cond(c):
            return jnp.logical_not(c[3]) & (c[5] < k)

        def body(c):
            y_, dyn_, steps_, _, _, i = c
            st = eqx.combine(static, dyn_)
            ny, nst, _ = solver.step(fn, y_, a, options, st, _TAGS)
            term, res = solver.terminate(fn, y_, a, options, nst, _TAGS)
            finite = jnp.all(jnp.isfinite(ny))
            res = optx.RESULTS.where(finite, res, optx.RESULTS.nonfinite)
            steps_ = steps_ + 1
            out_of_steps = (steps_ >= max_steps) & jnp.logical_not(term) & (res == success)
            res = optx.RESULTS.where(out_of_steps, optx.RESULTS.nonlinear_max_steps_reached, res)
            new_done = term | (res != success) | (steps_ >= max_steps)
            ndyn, _ = eqx.partition(nst, eqx.is_array)
            return ny, ndyn, steps_, new_done, res, i + 1

        init = (y, dyn, steps, done | (result != success), result, jnp.array(0))
        yf, dynf, stepsf, donef, resf, _ = jax.lax.while_loop(cond, body, init)
        return yf, eqx.combine(static, dynf), stepsf, donef, resf

    if lane_batch is None:
        return eqx.filter_vmap(one)(y, args, state, steps, done, result)
    dyn_in, static_in = eqx.partition((y, args, state, steps, done, result), eqx.is_array)
    static_out = []

    def one_dyn(d):
        out = one(*eqx.combine(d, static_in))
        dyn_out, s_out = eqx.partition(out, eqx.is_array)
        static_out.append(s_out)
        return dyn_out

    dyn_out = map_lanes(one_dyn, lane_batch)(dyn_in)
    return eqx.combine(dyn_out, static_out[0])


def run_batch(
    fn: Callable,
    y0: np.ndarray,
    solver,
    lower,
    upper,
    *,
    args=None,
    least_squares: bool,
    out_size: int | None = None,
    max_steps: int = 1000,
    chunk: int = 50,
    on_chunk: Callable[[np.ndarray, np.ndarray, np.ndarray], None] | None = None,
    lane_batch: int | AutoLaneBatch | str | None = FIT_LANES,
) -> BatchOutcome:
    """Advance every row of ``y0`` with ``solver`` on ``fn(y, args)`` (scalar, or residuals).

    ``args`` is a pytree whose leaves have a leading axis of one entry per row (or None).
    ``on_chunk(y, done, steps)`` is called on the host after every segment.
    ``lane_batch``: rows per vmapped group inside the one compiled segment (groups run
    one after another, see :func:`mechsim.solver.map_lanes`); ``None``: one vmap of
    all rows; an :class:`~mechsim.AutoLaneBatch`: :func:`fit_lane_batch`. Results do not
    depend on it.
    """
    import time

    lane_batch = fit_lane_batch(lane_batch)
    options: dict = {} if least_squares else {"autodiff_mode": "bwd"}
    f = Bounded(fn, jnp.asarray(lower), jnp.asarray(upper), least_squares)
    n_extra = y0.shape[1]
    f_struct = jax.ShapeDtypeStruct(
        (out_size + n_extra,) if least_squares else (),
        jnp.float64,  # type: ignore[operator]
    )
    y = jnp.asarray(y0, dtype=jnp.float64)
    t0 = time.perf_counter()
    state, done, result = _init(solver, f, y, args, options, f_struct)
    steps = jnp.zeros(y.shape[0], dtype=jnp.int32)
    compile_s = None
    k, ms = jnp.array(chunk), jnp.array(max_steps)
    while True:
        y, state, steps, done, result = _advance(solver, f, options, y, args, state, steps, done,
                                                 result, k, ms, lane_batch)  # fmt: skip
        done_np = np.asarray(done)
        if compile_s is None:
            compile_s = time.perf_counter() - t0
        if on_chunk is not None:
            on_chunk(np.asarray(y), done_np, np.asarray(steps))
        if done_np.all():
            break
    codes = np.asarray(result._value, dtype=int)
    y_final = np.clip(np.asarray(y), np.asarray(lower), np.asarray(upper))
    return BatchOutcome(y_final, codes, tuple(_status_name(int(c)) for c in codes),
                        np.asarray(steps), float(compile_s))  # fmt: skip
