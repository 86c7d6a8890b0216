"""``fit``: multi-start optimisation, all starts advanced as one compiled batch."""

from __future__ import annotations

import time
from collections.abc import Callable

import jax
import numpy as np
import optimistix as optx

from mechsim._validate import check_count
from mechsim.fit._batch import is_least_squares, run_batch
from mechsim.fit._lhs import uniform_starts
from mechsim.fit._options import FIT_LANES, Gradient, as_fit_lane_batch
from mechsim.fit._problem import Problem
from mechsim.fit._result import FitResult
from mechsim.fit._trust_region import STATUS, Curvature, TrustRegion, minimize_starts
from mechsim.solver import solver_jit
from mechsim.solver._options import AutoLaneBatch

__all__ = ["default_optimizer", "fit", "legacy_optimizer"]

#: Progress callback: ``(starts_done, n_starts, best_value_so_far, elapsed_s)``.
Progress = Callable[[int, int, float, float], None]

#: Start sampler: ``(lower, upper, n, seed) -> (n, d)`` points on the fitting scales.
Sampler = Callable[[np.ndarray, np.ndarray, int, int], np.ndarray]


def default_optimizer(problem: Problem) -> TrustRegion:
    """The fides trust region: Fisher-information/BFGS hybrid curvature when the problem
    has residuals (normal noise, forward sensitivities), else BFGS curvature."""
    if problem.residual_fn is not None and problem.gradient is Gradient.FORWARD:
        return TrustRegion(curvature=Curvature.HYBRID)
    return TrustRegion(curvature=Curvature.BFGS)


def legacy_optimizer(problem: Problem):
    """The previous default (optimistix): Levenberg-Marquardt when the problem has
    residuals (Gaussian noise), else BFGS."""
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
    lane_batch: int | AutoLaneBatch | str | None = FIT_LANES,
    sampler: Sampler = uniform_starts,
) -> FitResult:
    """Minimise ``problem.objective`` from many starts at once.

    Parameters
    ----------
    problem:
        The :class:`Problem`.
    starts:
        Number of starts drawn by ``sampler`` in the bounds, or an array ``(n_starts, n)``
        of starting points on the fitting scales.
    optimizer:
        :class:`~mechsim.fit.TrustRegion` (default, :func:`default_optimizer`): fides'
        interior trust-region reflective method with exact gradients and a Fisher
        information / BFGS hybrid curvature, one start after another, each with a step
        budget (``max_steps``) and a wall budget (``TrustRegion.max_time_s``). Or any optimistix minimiser (``optx.BFGS(rtol, atol)``, ``optx.NonlinearCG``, ...)
        or least-squares solver (``optx.LevenbergMarquardt(rtol, atol)``,
        ``optx.GaussNewton``, ``optx.Dogleg``), passed straight through. Least-squares
        solvers need a problem with residuals (Gaussian noise), advanced as one compiled
        batch (the previous default, :func:`legacy_optimizer`).
    max_steps:
        Cap on optimiser steps per start.
    seed:
        Seed of the start sampler.
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
        Starts per vmapped group inside the compiled optimiser segment:
        :data:`~mechsim.fit._options.FIT_LANES` (default, an :class:`~mechsim.AutoLaneBatch`;
        the old name ``"auto"`` is accepted) runs one start at a time on CPU, where a vmapped batch waits for its
        stiffest start at every step (Boehm, 50 starts: 33.9 s vs 65.6 s,
        ``benchmarks/results/fit_lane_batch_boehm.md``), and all
        starts as one vmap on GPU; or an int, or ``None`` for one vmap. Either way the
        starts are one compiled program, not a Python loop, and the results are the same.
        Ignored by :class:`~mechsim.fit.TrustRegion` (one start at a time).
    sampler:
        Draws ``starts`` points when ``starts`` is an int: :func:`uniform_starts`
        (default; uniform on the fitting scales within the bounds, PEtab's default
        ``parameterScaleUniform`` initialisation) or :func:`latin_hypercube`.

    Returns
    -------
    FitResult
        All starts, sorted best first; status codes instead of exceptions for failed
        starts (non-finite objective, step cap): optimistix ``RESULTS`` codes, or for
        :class:`~mechsim.fit.TrustRegion` 0 converged, 1 step budget, 2 wall budget,
        3 non-finite, 4 left the bounds, 5 trust region too small, 6 other error.
    """
    lane_batch = as_fit_lane_batch(lane_batch)  # old strings converted, typos refused
    optimizer = optimizer if optimizer is not None else default_optimizer(problem)
    if isinstance(optimizer, TrustRegion):
        return _fit_trust_region(problem, optimizer, starts=starts, max_steps=max_steps,
                                 seed=seed, tol_best=tol_best, progress=progress,
                                 polish=polish, polish_steps=polish_steps,
                                 polish_within=polish_within, sampler=sampler)  # fmt: skip
    ls = is_least_squares(optimizer)
    if ls and problem.residuals is None:
        raise ValueError(
            f"{type(optimizer).__name__} is a least-squares solver but this problem has no "
            "residuals (non-Gaussian noise or a likelihood-only objective); use a minimiser "
            "such as optimistix.BFGS(rtol=1e-8, atol=1e-8)"
        )
    check_count(max_steps, arg="max_steps", where="fit")
    x0 = _start_points(problem, starts, seed, sampler)
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


def _start_points(problem: Problem, starts, seed: int, sampler: Sampler) -> np.ndarray:
    if isinstance(starts, int | np.integer):
        n = check_count(starts, arg="starts", where="fit")
        return np.asarray(sampler(problem.lower, problem.upper, n, seed), dtype=np.float64)
    x0 = np.atleast_2d(np.asarray(starts, dtype=np.float64))
    if x0.shape[1] != problem.n:
        raise ValueError(f"starts must have shape (n_starts, {problem.n}), got {x0.shape}")
    return x0


def _fit_trust_region(problem, options, *, starts, max_steps, seed, tol_best, progress,
                      polish, polish_steps, polish_within, sampler) -> FitResult:  # fmt: skip
    """:func:`fit` with :class:`TrustRegion`: fides from every start, in turn."""
    check_count(max_steps, arg="max_steps", where="fit")
    x0 = _start_points(problem, starts, seed, sampler)
    t0 = time.perf_counter()

    def on_start(i, best):
        if progress is not None:
            progress(i + 1, x0.shape[0], best, time.perf_counter() - t0)

    out = minimize_starts(problem, x0, options, max_steps=max_steps, on_start=on_start)
    y, fvals, status, messages = out.x, out.fvals, out.status, out.messages
    n_steps, compile_s = out.n_steps, out.compile_s
    if polish is not None:
        y, fvals, status, messages, n_steps, c_s = _polish(
            problem, polish, polish_steps, polish_within, 25, y, fvals, status, messages,
            n_steps, None)  # fmt: skip
        compile_s += c_s
    wall = time.perf_counter() - t0
    order = np.argsort(fvals, kind="stable")
    extra = {"n_evaluations": [int(v) for v in out.n_evals[order]],
             "seconds_per_evaluation": out.eval_s,
             "status_codes": {str(k): v for k, v in STATUS.items()}}  # fmt: skip
    return FitResult(
        names=problem.names, scales=problem.scales, x=y[order], fvals=fvals[order],
        x_starts=x0[order], status=status[order],
        messages=tuple(messages[i] for i in order), n_steps=n_steps[order],
        wall_s=wall, compile_s=compile_s, tol_best=tol_best,
        optimizer=repr(options) + ("" if polish is None else f" + polish {polish!r}"),
        extra=extra,
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
    lane_batch=FIT_LANES,
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
