"""Fisher information, standard errors and an identifiability report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jax.numpy as jnp
import numpy as np

from mechsim.fit._objective import value_and_jacobian
from mechsim.fit._problem import Problem
from mechsim.fit._trust_region import _uses_fisher, tr_evaluator
from mechsim.solver import solver_jit

__all__ = ["FisherResult", "fisher_information"]


@dataclass(frozen=True)
class FisherResult:
    """Fisher information at ``x`` and what it says about each parameter.

    Attributes
    ----------
    names, x:
        Free parameters and the point (fitting scales), usually the best fit.
    fim:
        Fisher information matrix on the fitting scales (``method``: ``"hessian"``, the
        observed information = Hessian of the negative log-likelihood (+ priors), or
        ``"gauss_newton"``, ``J^T J`` of the weighted residuals).
    covariance, se:
        Pseudo-inverse of the FIM (eigenvalues below ``rel_tol * max`` dropped) and the
        standard errors on the fitting scales (``inf`` in null directions). A log10
        parameter with ``se = 0.1`` is known to a factor of about ``10**(1.96*0.1) = 1.6``.
    eigenvalues, eigenvectors:
        Of the FIM (ascending); columns of ``eigenvectors``.
    non_identifiable:
        Names flagged as practically non-identifiable: loading (|component| > 0.3) on a
        near-null eigenvector (eigenvalue < ``rel_tol * max``), or a Wald 95% interval
        ``x +- 1.96 se`` wider than the parameter's bounds interval.
    """

    names: tuple[str, ...]
    x: np.ndarray
    fim: np.ndarray
    covariance: np.ndarray
    se: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    non_identifiable: tuple[str, ...]
    method: str
    condition_number: float

    def report(self) -> str:
        """A plain-text table: parameter, value, SE, Wald 95% CI, flag."""
        lines = [f"Fisher information ({self.method}); condition number "
                 f"{self.condition_number:.3g}",
                 f"{'parameter':<24}{'x (scale)':>12}{'SE':>12}{'95% Wald CI':>28}  flag"]  # fmt: skip
        for n, v, s in zip(self.names, self.x, self.se, strict=True):
            flag = "NON-IDENTIFIABLE" if n in self.non_identifiable else ""
            ci = f"[{v - 1.96 * s:.4g}, {v + 1.96 * s:.4g}]"
            lines.append(f"{n:<24}{v:>12.4g}{s:>12.3g}{ci:>28}  {flag}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        return {
            "method": self.method,
            "se": dict(zip(self.names, map(float, self.se), strict=True)),
            "non_identifiable": list(self.non_identifiable),
            "eigenvalues": [float(v) for v in self.eigenvalues],
            "condition_number": self.condition_number,
        }


def fisher_information(
    problem: Problem,
    x,
    *,
    method: Literal["hessian", "gauss_newton"] = "hessian",
    rel_tol: float = 1e-10,
) -> FisherResult:
    """Fisher information, standard errors and identifiability flags at ``x``.

    ``x`` is a point on the fitting scales or a :class:`~mechsim.fit.FitResult` (its
    best point). Derivatives use the problem's gradient mode (forward sensitivities by
    default); the Hessian is forward-mode over that gradient. ``gauss_newton``: ``J^T J``
    of the weighted residuals (of the problem's Fisher residuals where it has them: the
    expected Fisher information with estimated noise), with forward sensitivities from
    the trust region's compiled evaluator, the one :func:`~mechsim.fit.fit` and
    :func:`~mechsim.fit.profile` use.
    """
    x = np.asarray(getattr(x, "x_best", x), dtype=np.float64)
    if method == "hessian":
        fim = np.asarray(_hessian(problem)(jnp.asarray(x)))
        fim = 0.5 * (fim + fim.T)
    elif method == "gauss_newton":
        if problem.residual_fn is None:
            raise ValueError("method='gauss_newton' needs a problem with residuals; use 'hessian'")
        if _uses_fisher(problem):
            # the trust region's compiled evaluator: J^T J from the forward sensitivities
            # (with the problem's Fisher residuals where it has them), shared with fit()
            # and profile(), so the model compiles once for all three
            fim = np.asarray(tr_evaluator(problem, fisher=True)(jnp.asarray(x))[2])
        else:
            _, jac = _residual_jacobian(problem)(jnp.asarray(x))
            jac = np.asarray(jac)
            fim = jac.T @ jac
    else:
        raise ValueError(f"method must be 'hessian' or 'gauss_newton', got {method!r}")
    evals, evecs = np.linalg.eigh(fim)
    top = max(float(evals[-1]), 1e-300)
    keep = evals > rel_tol * top
    inv = np.where(keep, 1.0 / np.where(keep, evals, 1.0), 0.0)
    cov = (evecs * inv) @ evecs.T
    var = np.diag(cov).copy()
    null = evecs[:, ~keep]
    in_null = np.any(np.abs(null) > 0.3, axis=1) if null.size else np.zeros(len(x), bool)
    se = np.where(in_null, np.inf, np.sqrt(np.maximum(var, 0.0)))
    wide = 2 * 1.96 * se > (problem.upper - problem.lower)
    flagged = tuple(n for n, a, b in zip(problem.names, in_null, wide, strict=True) if a or b)
    cond = float(top / evals[0]) if evals[0] > 0 else float("inf")
    return FisherResult(problem.names, x, fim, cov, se, evals, evecs, flagged, method, cond)


def _residual_jacobian(problem: Problem):
    cache = problem.__dict__.setdefault("_fit_cache", {})
    if "residual_jacobian" not in cache:
        cache["residual_jacobian"] = solver_jit(
            lambda z: value_and_jacobian(problem._raw_residuals, z, problem.gradient))
    return cache["residual_jacobian"]


def _hessian(problem: Problem):
    cache = problem.__dict__.setdefault("_fit_cache", {})
    if "hessian" not in cache:
        cache["hessian"] = solver_jit(problem.hessian)
    return cache["hessian"]
