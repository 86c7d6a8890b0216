"""``fit``: multi-start optimisation, all starts advanced as one compiled batch."""

from __future__ import annotations

import time
from collections.abc import Callable

import jax
import numpy as np
import optimistix as optx

from mechsim._validate import check_count
from mechsim.fit._batch import is_least_squares, run_batch
from mechsim.fit._lhs import latin_hypercube
from mechsim.fit._problem import Problem
from mechsim.fit._result import FitResult
from mechsim.solver import solver_jit

__all__ = ["default_optimizer", "fit"]

#: Progress callback: ``(starts_done, n_starts, best_value_so_far, elapsed_s)``.
Progress = Callable[[int, int, float, float], None]


def default_optimizer(problem: Problem):
    """Levenberg-Marquardt when the problem has residuals (Gaussian noise), else BFGS."""
    if problem.residuals is not None:
        return optx.LevenbergMarquardt(rtol=1e-8, atol=1e-8)
    return optx.BFGS(rtol=1e-8, atol=1e-8)


def fit(
    problem: Problem,
    *,
    starts: int | np.ndarray = 50,
    optimizer=None,
    max_steps: int = 1000,
    seed: int = 0,
    chunk: int = 25,
    tol_best: float = 1e-3,
    progress: Progress | None = None,
    polish=None,
    polish_steps: int = 200,
    polish_within: float | None = None,
    lane_batch: int | str | None = "auto",
) -> FitResult:
    """Minimise ``problem.objective`` from many starts at once.

    Parameters
    ----------
    problem:
        The :class:`Problem`.
    starts:
        Number of Latin-hypercube starts in the bounds, or an array ``(n_starts, n)`` of
        starting points on the fitting scales.
    optimizer:
        Any optimistix minimiser (``optx.BFGS(rtol, atol)``, ``optx.NonlinearCG``, ...)
        or least-squares solver (``optx.LevenbergMarquardt(rtol, atol)``,
        ``optx.GaussNewton``, ``optx.Dogleg``), passed straight through. Least-squares
        solvers need a problem with residuals (Gaussian noise). Default:
        :func:`default_optimizer`.
    max_steps:
        Cap on optimiser steps per start.
    seed:
        Seed of the Latin hypercube.
    chunk:
        Steps per vmapped segment between progress reports.
    tol_best:
        Tolerance (in objective units) for counting starts converged to the best.
    progress:
        Optional callback after every segment.
    polish:
        Optional optimistix minimiser (e.g. ``optx.BFGS(rtol=1e-8, atol=1e-8)``) run from
        every finite end point of ``optimizer``, for at most ``polish_steps`` steps.
        Gauss-Newton/Levenberg-Marquardt converge only linearly where the Gauss-Newton
        Hessian is a poor model, as for estimated noise levels (the sigma residuals'
        curvature is underestimated); a quasi-Newton polish then converges
        superlinearly. A polished point replaces the first-stage one only where its
        objective is lower; ``n_steps`` counts both stages, ``status`` is the polish's
        where it ran.
    polish_within:
        Polish only the starts whose first-stage objective is within this many units of
        the best first-stage value (``None``: every finite start). The polished batch is
        smaller, and cheaper: its cost grows with the number of lanes.
    lane_batch:
        Starts per vmapped group inside the compiled optimiser segment: ``"auto"``
        (default) runs one start at a time on CPU, where a vmapped batch waits for its
        stiffest start at every step (Boehm, 50 starts: 33.9 s vs 65.6 s,
        ``benchmarks/results/fit_lane_batch_boehm.md``), and all
        starts as one vmap on GPU; or an int, or ``None`` for one vmap. Either way the
        starts are one compiled program, not a Python loop, and the results are the same.

    Returns
    -------
    FitResult
        All starts, sorted best first; status codes instead of exceptions for failed
        starts (non-finite objective, step cap).
    """
    optimizer = optimizer if optimizer is not None else default_optimizer(problem)
    ls = is_least_squares(optimizer)
    if ls and problem.residuals is None:
        raise ValueError(
            f"{type(optimizer).__name__} is a least-squares solver but this problem has no "
            "residuals (non-Gaussian noise or a likelihood-only objective); use a minimiser "
            "such as optimistix.BFGS(rtol=1e-8, atol=1e-8)"
        )
    check_count(max_steps, arg="max_steps", where="fit")
    if isinstance(starts, int | np.integer):
        x0 = latin_hypercube(problem.lower, problem.upper, check_count(starts, arg="starts", where="fit"), seed)
    else:
        x0 = np.atleast_2d(np.asarray(starts, dtype=np.float64))
        if x0.shape[1] != problem.n:
            raise ValueError(f"starts must have shape (n_starts, {problem.n}), got {x0.shape}")
    target = problem.residuals if ls else problem.objective
    out_size = int(jax.eval_shape(target, x0[0]).shape[0]) if ls else None
    fn = _lane_fn(problem, ls)
    objective = _batched_objective(problem)
    t0 = time.perf_counter()

    def on_chunk(y, done, steps):
        if progress is not None:
            best = float(np.nanmin(np.asarray(objective(problem.in_bounds(y)))))
            progress(int(done.sum()), len(done), best, time.perf_counter() - t0)

    out = run_batch(fn, x0, optimizer, problem.lower, problem.upper, least_squares=ls,
                    out_size=out_size, max_steps=max_steps, chunk=chunk,
                    on_chunk=on_chunk if progress is not None else None,
                    lane_batch=lane_batch)  # fmt: skip
    fvals = np.asarray(objective(out.y), dtype=np.float64)
    fvals = np.where(np.isfinite(fvals), fvals, np.inf)
    y, status, messages = out.y, out.status, out.messages
    n_steps, compile_s = out.n_steps, out.compile_s
    if polish is not None:
        y, fvals, status, messages, n_steps, c_s = _polish(
            problem, polish, polish_steps, polish_within, chunk, y, fvals, status, messages,
            n_steps, on_chunk if progress is not None else None, lane_batch)  # fmt: skip
        compile_s += c_s
    wall = time.perf_counter() - t0
    order = np.argsort(fvals, kind="stable")
    return FitResult(
        names=problem.names, scales=problem.scales, x=y[order], fvals=fvals[order],
        x_starts=x0[order], status=status[order],
        messages=tuple(messages[i] for i in order), n_steps=n_steps[order],
        wall_s=wall, compile_s=compile_s, tol_best=tol_best,
        optimizer=repr(optimizer) + ("" if polish is None else f" + polish {polish!r}"),
    )  # fmt: skip


def _polish(
    problem,
    polish,
    max_steps,
    within,
    chunk,
    y,
    fvals,
    status,
    messages,
    n_steps,
    on_chunk,
    lane_batch="auto",
):
    """Second stage of :func:`fit` from the finite first-stage end points (those within
    ``within`` of the best, if given)."""
    if is_least_squares(polish):
        raise ValueError(f"polish must be a minimiser (e.g. optimistix.BFGS), got "
                         f"{type(polish).__name__}")  # fmt: skip
    keep = np.isfinite(fvals)
    if within is not None and keep.any():
        keep &= fvals <= np.min(fvals[keep]) + within
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        return y, fvals, status, messages, n_steps, 0.0
    out = run_batch(
        _lane_fn(problem, False),
        y[idx],
        polish,
        problem.lower,
        problem.upper,
        least_squares=False,
        max_steps=max_steps,
        chunk=chunk,
        on_chunk=on_chunk,
        lane_batch=lane_batch,
    )
    f2 = np.asarray(_batched_objective(problem)(out.y), dtype=np.float64)
    better = np.isfinite(f2) & (f2 < fvals[idx])
    y, fvals, status, n_steps = y.copy(), fvals.copy(), status.copy(), n_steps.copy()
    messages = list(messages)
    n_steps[idx] += out.n_steps
    take = idx[better]
    y[take], fvals[take] = out.y[better], f2[better]
    status[idx] = out.status
    for j, i in enumerate(idx):
        messages[i] = out.messages[j]
    return y, fvals, status, tuple(messages), n_steps, out.compile_s


def _lane_fn(problem: Problem, least_squares: bool):
    """One function object per problem and kind (so repeated fits do not recompile)."""
    cache = problem.__dict__.setdefault("_fit_cache", {})
    key = ("lane", least_squares)
    if key not in cache:
        target = problem.residuals if least_squares else problem.objective
        cache[key] = lambda y, args: target(y)
    return cache[key]


def _batched_objective(problem: Problem):
    cache = problem.__dict__.setdefault("_fit_cache", {})
    if "batched_objective" not in cache:
        cache["batched_objective"] = solver_jit(jax.vmap(problem.objective))
    return cache["batched_objective"]
