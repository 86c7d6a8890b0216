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

__all__ = ["Curvature", "StartOutcome", "TrustRegion", "minimize_starts", "tr_evaluator"]

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
    import fides

    fisher = _uses_fisher(problem) and options.curvature is not Curvature.BFGS
    if options.curvature is Curvature.FISHER and not _uses_fisher(problem):
        raise ValueError("Curvature.FISHER needs a problem with residuals (normal noise) and "
                         "gradient='fwd'; use Curvature.HYBRID or Curvature.BFGS")  # fmt: skip
    evaluate = tr_evaluator(problem, fisher=fisher)
    lb, ub = np.asarray(problem.lower, float), np.asarray(problem.upper, float)
    n, d = x0.shape
    counter = {"n": 0, "s": 0.0}
    offset: list[float] = []  # constant between the evaluator's f and the objective

    def fun(x):
        t = time.perf_counter()
        out = tuple(np.asarray(v, dtype=np.float64) for v in evaluate(jnp.asarray(x)))
        counter["n"] += 1
        counter["s"] += time.perf_counter() - t
        f = float(out[0])
        if not (math.isfinite(f) and all(np.all(np.isfinite(v)) for v in out[1:])):
            # a failed point (integration failure, or sensitivities that did not converge):
            # infinite objective, so fides rejects the step and shrinks the trust region
            # (fides only reads fval here); at a start point the start ends as non-finite
            return (math.inf, np.zeros(d)) + ((np.zeros((d, d)),) if fisher else ())
        if fisher and not offset:
            offset.append(float(_jit_objective(problem)(jnp.asarray(x))) - f)
        return (f, *out[1:])

    t0 = time.perf_counter()
    fun(np.clip(problem.x_nominal, lb, ub))  # compile once, outside the per-start budgets
    compile_s = time.perf_counter() - t0
    counter["n"], counter["s"] = 0, 0.0
    fopts = {fides.Options.MAXITER: int(max_steps), fides.Options.FATOL: options.fatol,
             fides.Options.FRTOL: options.frtol, fides.Options.GATOL: options.gatol,
             fides.Options.XTOL: options.xtol}  # fmt: skip
    if math.isfinite(options.max_time_s):
        fopts[fides.Options.MAXTIME] = float(options.max_time_s)
    xs = np.array(x0, dtype=np.float64, copy=True)
    fvals = np.full(n, np.inf)
    status = np.zeros(n, dtype=int)
    messages: list[str] = []
    n_steps = np.zeros(n, dtype=int)
    n_evals = np.zeros(n, dtype=int)
    best = math.inf
    for i in range(n):
        opt = fides.Optimizer(fun, ub=ub, lb=lb, verbose=logging.ERROR, options=fopts,
                              hessian_update=_hessian_update(options, fisher))  # fmt: skip
        before = counter["n"]
        try:
            opt.minimize(xs[i])
            msg = None
        except RuntimeError as exc:  # fides' non-finite checks
            msg = f"nonfinite: {exc}"
        except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
            msg = f"error: {type(exc).__name__}: {exc}"
        n_evals[i] = counter["n"] - before
        n_steps[i] = opt.iteration
        if np.isfinite(opt.fval_min) and opt.x_min is not None and np.all(np.isfinite(opt.x_min)):
            xs[i] = np.clip(opt.x_min, lb, ub)
            fvals[i] = float(opt.fval_min) + (offset[0] if offset else 0.0)
        flag = int(opt.exitflag)
        if msg is not None:
            status[i] = 3 if msg.startswith("nonfinite") else 6
        else:
            status[i] = 0 if flag > 0 else {-1: 1, -2: 2, -3: 3, -4: 4, -5: 5}.get(flag, 6)
            msg = STATUS[int(status[i])]
        messages.append(msg)
        if np.isfinite(fvals[i]):
            best = min(best, float(fvals[i]))
        if on_start is not None:
            on_start(i, best)
    return StartOutcome(xs, fvals, status, tuple(messages), n_steps, n_evals,
                        counter["s"] / max(counter["n"], 1), compile_s)  # fmt: skip
