"""Interior trust-region reflective optimisation (fides) driven by mechsim's objective.

:class:`TrustRegion` is the default optimiser of :func:`mechsim.fit.fit`. Each start is
minimised by ``fides.Optimizer`` (Fröhlich & Sorger 2022, PLoS Comput Biol 18:e1010322;
the interior trust-region reflective method of Coleman & Li 1994, 1996) in the scaled
parameter space (the problem's lin/log/log10 fitting scales) within the bounds. Every
iteration gets, from one compiled JAX call,

* the objective (negative log-likelihood plus priors),
* its exact gradient and
* the Gauss-Newton / Fisher information matrix ``J^T J`` of the weighted residuals, from
  the forward sensitivities (one forward-mode pass over the parameter basis),

when the problem has least-squares residuals (normal noise) and forward-mode
gradients. :attr:`Curvature.HYBRID` (default) starts on the FIM and switches to a BFGS
approximation after ``switch_iteration`` iterations without a trust-region radius
update, where the FIM is a poor model (fides' ``HybridFixed``, as pyPESTO uses it by
default). Without residuals (Laplace noise, reverse-mode gradients) the curvature is
BFGS from the gradients alone.

Failures are per start: a point where the model or its sensitivities cannot be computed
(non-finite value, gradient or curvature) has an infinite objective, so a step into it is
rejected and the trust region shrinks; a start whose initial point fails ends at once with
``fval = inf`` and status 3, never an exception; each start has a step budget (``max_steps``
of :func:`~mechsim.fit.fit`) and a wall budget (:attr:`TrustRegion.max_time_s`).
"""

from __future__ import annotations

import enum
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from mechsim.fit._objective import value_and_jacobian
from mechsim.fit._problem import Problem
from mechsim.solver import solver_jit

__all__ = ["Curvature", "StartOutcome", "TrustRegion", "minimize_pinned", "minimize_starts",
           "objective_value", "tr_evaluator"]

#: Status codes of a trust-region start (``FitResult.status``; 0 = converged) and their
#: messages, named as optimistix names the same outcomes where it has one.
STATUS = {
    0: "successful",
    1: "nonlinear_max_steps_reached",  # step budget spent
    2: "max_time",  # wall budget spent
    3: "nonfinite",  # objective/gradient/curvature non-finite
    4: "exceeded_boundary",
    5: "trust_region_too_small",
    6: "error",  # any other exception of the optimiser, message kept
}


class Curvature(enum.Enum):
    """Second-order model of the trust-region subproblem.

    ``FISHER``: the Gauss-Newton / Fisher information matrix ``J^T J`` of the residuals
    (needs residuals and forward-mode sensitivities). ``HYBRID``: the FIM, switching to a
    BFGS update when the FIM stalls (fides ``HybridFixed``). ``BFGS``: quasi-Newton from
    the gradients only.
    """

    FISHER = "fisher"
    HYBRID = "hybrid"
    BFGS = "bfgs"


@dataclass(frozen=True)
class TrustRegion:
    """Options of the fides trust-region optimiser (the default of :func:`~mechsim.fit.fit`).

    Attributes
    ----------
    curvature:
        :class:`Curvature` of the quadratic model (default ``HYBRID``).
    fatol, frtol:
        Stop when the objective decrease of a step is below ``fatol + frtol * |f|``
        (objective units, i.e. nllh units; fides' defaults).
    gatol:
        Stop when the gradient norm is below ``gatol`` (nllh per unit of the fitting scale).
    xtol:
        Stop when the (scaled) step norm is below ``xtol`` (fitting-scale units; 0: off).
    max_time_s:
        Wall budget per start in s (``inf``: none); the step budget is ``max_steps`` of
        :func:`~mechsim.fit.fit`.
    switch_iteration:
        ``HYBRID``: iterations without a radius update before switching to BFGS (fides'
        default 20).
    """

    curvature: Curvature = Curvature.HYBRID
    fatol: float = 1e-8
    frtol: float = 1e-8
    gatol: float = 1e-6
    xtol: float = 0.0
    max_time_s: float = math.inf
    switch_iteration: int = 20

    def __post_init__(self) -> None:
        if not isinstance(self.curvature, Curvature):
            raise TypeError(f"TrustRegion.curvature must be a Curvature, got {self.curvature!r} — "
                            "e.g. Curvature.HYBRID")  # fmt: skip
        for name in ("fatol", "frtol", "gatol", "xtol"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"TrustRegion.{name} must be finite and >= 0, got {v}")
        if not self.max_time_s > 0:
            raise ValueError(f"TrustRegion.max_time_s must be > 0, got {self.max_time_s}")
        if self.switch_iteration < 1:
            raise ValueError(
                f"TrustRegion.switch_iteration must be >= 1, got {self.switch_iteration}"
            )


@dataclass(frozen=True)
class StartOutcome:
    """Per-start results of :func:`minimize_starts` (host numpy, in the order of ``x0``)."""

    x: np.ndarray
    fvals: np.ndarray
    status: np.ndarray
    messages: tuple[str, ...]
    n_steps: np.ndarray
    n_evals: np.ndarray
    eval_s: float
    compile_s: float


def _uses_fisher(problem: Problem) -> bool:
    return problem.residual_fn is not None and problem.gradient == "fwd"


def tr_evaluator(problem: Problem, *, fisher: bool | None = None) -> Callable:
    """A compiled ``x -> (f, grad, fim)`` (``fisher``) or ``x -> (f, grad)``.

    With residuals ``r`` (``nllh = 0.5 |r|^2 + const``) one forward-sensitivity pass gives
    ``r`` and ``J``: ``grad = J^T r``, ``FIM = J^T J``; priors without a residual form
    (uniform) add their exact value, gradient and Hessian. ``f`` omits the constant
    (:func:`minimize_starts` adds it back). Cached on the problem: a second fit does not
    recompile.
    """
    fisher = _uses_fisher(problem) if fisher is None else fisher
    cache = problem.__dict__.setdefault("_fit_cache", {})
    key = ("tr_evaluator", fisher)
    if key in cache:
        return cache[key]
    if fisher:
        if not _uses_fisher(problem):
            raise ValueError("Curvature.FISHER/HYBRID need a problem with residuals (normal noise) "
                             "and gradient='fwd'; use Curvature.BFGS")  # fmt: skip
        others = [(i, p) for i, nm in enumerate(problem.names)
                  if (p := problem.priors.get(nm)) is not None and p.kind != "normal"]  # fmt: skip

        def prior_rest(x):
            total = jnp.zeros((), dtype=jnp.float64)
            for i, p in others:
                total = total + p.neg_log_density(x[i])
            return total

        normal = [(i, p) for i, nm in enumerate(problem.names)
                  if (p := problem.priors.get(nm)) is not None and p.kind == "normal"]  # fmt: skip

        def with_priors(x):
            r, q = problem.fisher_fn(x)  # type: ignore[misc]
            pr = [jnp.reshape(p.residual(x[i]), (1,)) for i, p in normal]
            return jnp.concatenate([r, *pr]), jnp.concatenate([q, *pr])

        def evaluate(x):
            if problem.fisher_fn is None:
                r, jac = value_and_jacobian(problem._raw_residuals, x, "fwd")
                jq = jac
            else:
                (r, _), (jac, jq) = value_and_jacobian(with_priors, x, "fwd")
            f = 0.5 * jnp.sum(r**2) + prior_rest(x)
            grad = jac.T @ r + jax.grad(prior_rest)(x)
            fim = jq.T @ jq + jax.hessian(prior_rest)(x)
            return f, grad, fim

    else:

        def evaluate(x):
            return value_and_jacobian(problem._raw_objective, x, problem.gradient)

    cache[key] = solver_jit(evaluate)
    return cache[key]


def _jit_objective(problem: Problem) -> Callable:
    cache = problem.__dict__.setdefault("_fit_cache", {})
    if "objective" not in cache:
        cache["objective"] = solver_jit(problem.objective)
    return cache["objective"]


def _hessian_update(options: TrustRegion, fisher: bool):
    import fides

    if not fisher or options.curvature is Curvature.BFGS:
        return fides.BFGS()
    if options.curvature is Curvature.HYBRID:
        return fides.HybridFixed(fides.BFGS(), switch_iteration=options.switch_iteration)
    return None


class _Evaluations:
    """The host-side objective fides calls: one compiled evaluator, failures as ``inf``.

    ``__call__(x)`` returns ``(f, grad)`` or ``(f, grad, fim)`` (``fisher``) with ``f``
    the evaluator's value (constants omitted); :meth:`full` adds the constant back.
    Counts evaluations and their time.
    """

    def __init__(self, problem: Problem, options: TrustRegion) -> None:
        if options.curvature is Curvature.FISHER and not _uses_fisher(problem):
            raise ValueError("Curvature.FISHER needs a problem with residuals (normal noise) "
                             "and gradient='fwd'; use Curvature.HYBRID or Curvature.BFGS")  # fmt: skip
        self.problem = problem
        self.fisher = _uses_fisher(problem) and options.curvature is not Curvature.BFGS
        self.evaluate = tr_evaluator(problem, fisher=self.fisher)
        self.n = 0
        self.s = 0.0

    def __call__(self, x):
        t = time.perf_counter()
        out = tuple(np.asarray(v, dtype=np.float64) for v in self.evaluate(jnp.asarray(x)))
        self.n += 1
        self.s += time.perf_counter() - t
        f = float(out[0])
        d = len(x)
        if not (math.isfinite(f) and all(np.all(np.isfinite(v)) for v in out[1:])):
            # a failed point (integration failure, or sensitivities that did not converge):
            # infinite objective, so fides rejects the step and shrinks the trust region
            # (fides only reads fval here); at a start point the start ends as non-finite
            return (math.inf, np.zeros(d)) + ((np.zeros((d, d)),) if self.fisher else ())
        cache = self.problem.__dict__.setdefault("_fit_cache", {})
        if self.fisher and "tr_offset" not in cache:  # once per problem, at a finite point
            cache["tr_offset"] = float(_jit_objective(self.problem)(jnp.asarray(x))) - f
        return (f, *out[1:])

    @property
    def offset(self) -> float:
        """The constant between the evaluator's value and the objective (0 without the
        Fisher evaluator), known after the first finite evaluation."""
        if not self.fisher:
            return 0.0
        return self.problem.__dict__.get("_fit_cache", {}).get("tr_offset", 0.0)


def _fides_options(options: TrustRegion, max_steps: int) -> dict:
    import fides

    fopts = {fides.Options.MAXITER: int(max_steps), fides.Options.FATOL: options.fatol,
             fides.Options.FRTOL: options.frtol, fides.Options.GATOL: options.gatol,
             fides.Options.XTOL: options.xtol}  # fmt: skip
    if math.isfinite(options.max_time_s):
        fopts[fides.Options.MAXTIME] = float(options.max_time_s)
    return fopts


def _run_fides(fun, x0, lb, ub, options: TrustRegion, fopts: dict, fisher: bool):
    """One fides start: ``(x_min or None, fval_min, status, message, iterations)``."""
    import fides

    opt = fides.Optimizer(fun, ub=ub, lb=lb, verbose=logging.ERROR, options=fopts,
                          hessian_update=_hessian_update(options, fisher))  # fmt: skip
    try:
        opt.minimize(x0)
        msg = None
    except RuntimeError as exc:  # fides' non-finite checks
        msg = f"nonfinite: {exc}"
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
        msg = f"error: {type(exc).__name__}: {exc}"
    ok = np.isfinite(opt.fval_min) and opt.x_min is not None and np.all(np.isfinite(opt.x_min))
    x = np.clip(opt.x_min, lb, ub) if ok else None
    if msg is not None:
        status = 3 if msg.startswith("nonfinite") else 6
    else:
        flag = int(opt.exitflag)
        status = 0 if flag > 0 else {-1: 1, -2: 2, -3: 3, -4: 4, -5: 5}.get(flag, 6)
        msg = STATUS[status]
    return x, (float(opt.fval_min) if ok else math.inf), status, msg, int(opt.iteration)


def objective_value(problem: Problem, x, options: TrustRegion) -> float:
    """The objective at ``x`` (constants included) from the trust region's compiled
    evaluator (``inf`` where the model fails)."""
    ev = _Evaluations(problem, options)
    return float(ev(np.asarray(x, np.float64))[0]) + ev.offset


def minimize_pinned(
    problem: Problem,
    x_start: np.ndarray,
    pairs: list[tuple[int, float]],
    options: TrustRegion,
    *,
    max_steps: int,
    continuation: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each ``(i, v)``: minimise the objective over the other parameters with
    ``x_i = v``, by fides from ``x_start`` (the profile likelihood's inner fits).

    Uses the same compiled evaluator as :func:`minimize_starts` (a fit followed by a
    profile compiles the model once); the pinned coordinate is dropped from the
    gradient and the curvature. ``continuation``: a pair that pins the same parameter
    on the same side of ``x_start`` as the pair before it starts from that pair's
    optimum (walk the pairs outward along a profile; fewer iterations per inner fit). Returns the points
    ``(len(pairs), d)``, the full objective values (``inf`` where a fit failed) and the
    status codes of :data:`STATUS`.
    """
    ev = _Evaluations(problem, options)
    fopts = _fides_options(options, max_steps)
    lb, ub = np.asarray(problem.lower, float), np.asarray(problem.upper, float)
    d = len(x_start)
    xs = np.tile(np.asarray(x_start, np.float64), (len(pairs), 1))
    fvals = np.full(len(pairs), np.inf)
    status = np.zeros(len(pairs), dtype=int)
    for k, (i, v) in enumerate(pairs):
        keep = np.arange(d) != i
        pi, pv = pairs[k - 1] if k else (-1, 0.0)
        same_side = (v - x_start[i]) * (pv - x_start[i]) > 0
        if continuation and pi == i and same_side and np.isfinite(fvals[k - 1]):
            xs[k] = xs[k - 1]
        xs[k, i] = v
        if d == 1:  # nothing left to fit
            out = ev(xs[k])
            fvals[k] = out[0] + ev.offset
            status[k] = 0 if math.isfinite(out[0]) else 3
            continue

        def fun(z, i=i, v=v, keep=keep):
            out = ev(np.insert(z, i, v))
            red = (out[0], out[1][keep])
            return red + ((out[2][np.ix_(keep, keep)],) if ev.fisher else ())

        x, f, status[k], _, _ = _run_fides(fun, np.clip(xs[k, keep], lb[keep], ub[keep]),
                                           lb[keep], ub[keep], options, fopts, ev.fisher)  # fmt: skip
        if x is not None:
            xs[k, keep] = x
            fvals[k] = f + ev.offset
    return xs, fvals, status


def minimize_starts(
    problem: Problem,
    x0: np.ndarray,
    options: TrustRegion,
    *,
    max_steps: int,
    on_start: Callable[[int, float], None] | None = None,
) -> StartOutcome:
    """Run fides from every row of ``x0`` (fitting scales), one start after another.

    ``on_start(i, best_fval_so_far)`` is called after each start. Final values are the
    full objective (constants included).
    """
    ev = _Evaluations(problem, options)
    lb, ub = np.asarray(problem.lower, float), np.asarray(problem.upper, float)
    n = x0.shape[0]
    t0 = time.perf_counter()
    ev(np.clip(problem.x_nominal, lb, ub))  # compile once, outside the per-start budgets
    compile_s = time.perf_counter() - t0
    ev.n, ev.s = 0, 0.0
    fopts = _fides_options(options, max_steps)
    xs = np.array(x0, dtype=np.float64, copy=True)
    fvals = np.full(n, np.inf)
    status = np.zeros(n, dtype=int)
    messages: list[str] = []
    n_steps = np.zeros(n, dtype=int)
    n_evals = np.zeros(n, dtype=int)
    best = math.inf
    for i in range(n):
        before = ev.n
        x, f, status[i], msg, n_steps[i] = _run_fides(ev, xs[i], lb, ub, options, fopts,
                                                      ev.fisher)  # fmt: skip
        n_evals[i] = ev.n - before
        if x is not None:
            xs[i] = x
            fvals[i] = f + ev.offset
        messages.append(msg)
        if np.isfinite(fvals[i]):
            best = min(best, float(fvals[i]))
        if on_start is not None:
            on_start(i, best)
    return StartOutcome(xs, fvals, status, tuple(messages), n_steps, n_evals,
                        ev.s / max(ev.n, 1), compile_s)  # fmt: skip
