"""Profile-likelihood confidence intervals.

For parameter ``i`` the profile is ``PL(v) = min_{x: x_i = v} objective(x)``. The
likelihood-ratio interval at level 0.95 is ``{v : 2 (PL(v) - PL_min) <= chi2_1(0.95)}``
with ``chi2_1(0.95) = 3.841`` (Wilks; Raue et al. 2009, Bioinformatics 25:1923), i.e. a
rise of 1.921 in the negative log-likelihood. Every (parameter, grid value) pair is
re-optimised from the best fit; the interval end points are then refined at the
interpolated crossings. With :class:`~mechsim.fit.TrustRegion` (the default, as in
:func:`~mechsim.fit.fit`) the inner fits run one after another on the fit's compiled
evaluator, so a fit, its Fisher information and its profiles compile the model once;
with an optimistix solver they run as ONE vmapped batch (its own compile).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from scipy.stats import chi2

from mechsim.fit._batch import is_least_squares, run_batch
from mechsim.fit._noise import from_scale
from mechsim.fit._problem import Problem
from mechsim.fit._trust_region import TrustRegion, minimize_pinned, objective_value
from mechsim.solver import solver_jit

__all__ = ["ProfileResult", "profile"]

#: Grid offsets from the optimum, in units of the (capped) Fisher standard error.
OFFSETS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0)


@dataclass(frozen=True)
class ProfileResult:
    """The profile of one parameter (all values on its fitting scale).

    ``values``/``fvals``: profile grid (sorted) and profiled objective values;
    ``threshold``: the allowed rise of the objective, ``chi2_1(level) / 2``;
    ``ci``: interval end points (the bound, with ``closed`` False, where the profile
    stays below the threshold up to the bound).
    """

    name: str
    scale: str
    x_hat: float
    f_hat: float
    values: np.ndarray
    fvals: np.ndarray
    threshold: float
    level: float
    ci: tuple[float, float]
    closed: tuple[bool, bool]

    @property
    def identifiable(self) -> bool:
        """True when the interval is closed on both sides."""
        return all(self.closed)

    @property
    def ci_declared(self) -> tuple[float, float]:
        """The interval in declared units."""
        return (float(from_scale(self.ci[0], self.scale)),  # type: ignore[arg-type]
                float(from_scale(self.ci[1], self.scale)))  # type: ignore[arg-type]  # fmt: skip

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        return {"x_hat": self.x_hat, "ci": list(self.ci), "ci_declared": list(self.ci_declared),
                "closed": list(self.closed), "level": self.level,
                "threshold_delta_nllh": self.threshold,
                "values": self.values.tolist(), "fvals": self.fvals.tolist()}  # fmt: skip


def profile(
    problem: Problem,
    x_hat,
    *,
    parameters: Sequence[str] | None = None,
    f_hat: float | None = None,
    se: Sequence[float] | None = None,
    level: float = 0.95,
    optimizer=None,
    max_steps: int = 500,
    offsets: Sequence[float] = OFFSETS,
) -> dict[str, ProfileResult]:
    """Profile likelihood intervals of ``parameters`` (default: all free parameters).

    ``x_hat`` is the best fit (fitting scales) or a :class:`~mechsim.fit.FitResult`.
    ``se`` sets the grid spacing (default: Fisher standard errors, capped at a tenth
    of the bounds width). ``optimizer``: :class:`~mechsim.fit.TrustRegion` (default:
    :func:`~mechsim.fit.default_optimizer`; inner fits in turn, on the fit's compiled
    evaluator) or an optimistix minimiser or least-squares solver (e.g.
    :func:`~mechsim.fit.legacy_optimizer`: the inner fits run as one vmapped batch).
    ``max_steps``: iteration budget of each inner fit. ``offsets``: the grid on each
    side of the optimum, in units of the (capped) standard error (default
    :data:`OFFSETS`; for near-quadratic profiles a few points past the expected crossing
    at 1.96 suffice, the refinement then places the end points).
    """
    from mechsim.fit._fisher import fisher_information
    from mechsim.fit._multistart import default_optimizer

    if hasattr(x_hat, "x_best"):
        f_hat = x_hat.fval_best if f_hat is None else f_hat
        x_hat = x_hat.x_best
    x_hat = np.asarray(x_hat, dtype=np.float64)
    names = list(parameters) if parameters is not None else list(problem.names)
    idx = np.array([problem.names.index(n) for n in names])
    optimizer = optimizer if optimizer is not None else default_optimizer(problem)
    tr = isinstance(optimizer, TrustRegion)
    ls = not tr and is_least_squares(optimizer)
    if f_hat is None:
        if tr:
            f_hat = objective_value(problem, x_hat, optimizer)
        else:
            f_hat = float(_fns(problem, ls)[1](x_hat[None], idx[:1], x_hat[idx[:1]])[0])
    width = problem.upper - problem.lower
    if se is None:
        se = fisher_information(problem, x_hat).se
    offsets = tuple(float(m) for m in offsets)
    if not offsets or not all(np.isfinite(m) and m > 0 for m in offsets):
        raise ValueError(f"offsets must be positive, finite multiples of the standard error, got {offsets}")
    step = np.minimum(np.nan_to_num(np.asarray(se, float), nan=np.inf), width / 10.0)
    threshold = float(chi2.ppf(level, 1)) / 2.0
    lo, hi = problem.lower, problem.upper

    size: list[int] = []

    def solve(pairs: list[tuple[int, float]]) -> np.ndarray:
        if tr:  # walk each side of each profile outward, each fit from the previous optimum
            order = sorted(range(len(pairs)), key=lambda k: (pairs[k][0],
                           pairs[k][1] > x_hat[pairs[k][0]], abs(pairs[k][1] - x_hat[pairs[k][0]])))  # fmt: skip
            f_sorted = minimize_pinned(problem, x_hat, [pairs[k] for k in order], optimizer,
                                       max_steps=max_steps, continuation=True)[1]  # fmt: skip
            f = np.empty(len(pairs))
            f[order] = f_sorted
            return f
        fn, objective = _fns(problem, ls)
        # pad to the first batch's size: the refinement reuses the compiled batch
        n_real = len(pairs)
        size.append(max(size[0] if size else 0, n_real))
        pairs = pairs + [pairs[-1]] * (size[-1] - n_real)
        ii = np.array([p[0] for p in pairs])
        vv = np.array([p[1] for p in pairs])
        y0 = np.tile(x_hat, (len(pairs), 1))
        y0[np.arange(len(pairs)), ii] = vv
        out_size = None
        if ls:
            out_size = int(jax.eval_shape(problem.residuals, x_hat).shape[0])
        out = run_batch(fn, y0, optimizer, lo, hi, args=(jnp.asarray(ii), jnp.asarray(vv)),
                        least_squares=ls, out_size=out_size, max_steps=max_steps)  # fmt: skip
        return np.asarray(objective(out.y, ii, vv))[:n_real]

    pairs = []
    for i in idx:
        for sign in (-1.0, 1.0):
            for m in offsets:
                v = float(np.clip(x_hat[i] + sign * m * step[i], lo[i], hi[i]))
                if (i, v) not in pairs and v != x_hat[i]:
                    pairs.append((int(i), v))
    f = solve(pairs)
    grid: dict[int, dict[float, float]] = {int(i): {float(x_hat[i]): f_hat} for i in idx}
    for (i, v), fv in zip(pairs, f, strict=True):
        grid[i][v] = float(fv)
    refine = []
    for i in idx:
        for side in (-1, 1):
            c, closed = _crossing(grid[int(i)], x_hat[i], f_hat, threshold, side)
            if closed and all(abs(c - v) > 1e-12 for v in grid[int(i)]):
                refine.append((int(i), c))
    if refine:
        for (i, v), fv in zip(refine, solve(refine), strict=True):
            grid[i][v] = float(fv)
    out: dict[str, ProfileResult] = {}
    for name, i in zip(names, idx, strict=True):
        g = grid[int(i)]
        values = np.array(sorted(g))
        fvals = np.array([g[v] for v in values])
        (cl, ok_l), (cu, ok_u) = (_crossing(g, x_hat[i], f_hat, threshold, s) for s in (-1, 1))
        out[name] = ProfileResult(name, problem.scales[i], float(x_hat[i]), float(f_hat), values,
                                  fvals, threshold, level, (cl, cu), (ok_l, ok_u))  # fmt: skip
    return out


def _crossing(g: dict[float, float], x0: float, f0: float, thr: float, side: int):
    """First crossing of ``f0 + thr`` walking from ``x0`` towards ``side`` (linear interp)."""
    pts = sorted((v for v in g if (v - x0) * side > 0), key=lambda v: abs(v - x0))
    prev_v, prev_f = x0, f0
    for v in pts:
        fv = g[v]
        if fv - f0 > thr:
            t = (f0 + thr - prev_f) / (fv - prev_f) if fv != prev_f else 1.0
            return float(prev_v + t * (v - prev_v)), True
        prev_v, prev_f = v, fv
    return float(pts[-1] if pts else x0), False


def _fns(problem: Problem, least_squares: bool):
    """Lane function (x_i pinned to v) and a batched objective at pinned points; cached."""
    cache = problem.__dict__.setdefault("_fit_cache", {})
    key = ("profile", least_squares)
    if key not in cache:
        target = problem.residuals if least_squares else problem.objective

        def lane(y, args):
            i, v = args
            return target(y.at[i].set(v))

        objective = solver_jit(jax.vmap(lambda y, i, v: problem.objective(y.at[i].set(v))))
        cache[key] = (lane, objective)
    return cache[key]
