"""pyPESTO interoperability: a :class:`Problem` as a ``pypesto.Problem`` (optional extra).

The pyPESTO objective calls mechsim's compiled evaluator (:func:`tr_evaluator`): the
negative log-likelihood (plus priors), its exact gradient and, with residuals and
forward sensitivities, the Fisher information matrix as the Hessian. So pyPESTO's
optimisers (fides with its hybrid FIM/BFGS scheme by default), profiles, samplers and
plots run on mechsim's model. Install with ``pip install mechsim[pypesto]``.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from mechsim.fit._problem import Problem
from mechsim.fit._trust_region import _jit_objective, _uses_fisher, tr_evaluator

__all__ = ["to_pypesto"]


def to_pypesto(problem: Problem):
    """A ``pypesto.Problem`` whose objective is ``problem``'s (fun, grad[, FIM]).

    Parameters are on mechsim's fitting scales (the PEtab scales for PEtab problems),
    which pyPESTO treats as its optimisation space; ``lb``/``ub`` are the bounds there,
    ``x_names`` the free parameter names. The objective value includes every constant
    (``-log L``), so pyPESTO's ``fval`` equals mechsim's ``FitResult.fvals``.
    ``objective.has_hess`` is true only where the FIM is available (residuals and
    ``gradient="fwd"``); pyPESTO's fides then uses its hybrid scheme, otherwise BFGS.

    Raises:
        ImportError: with the install hint, when pyPESTO is not installed.
    """
    try:
        import pypesto
    except ImportError:
        raise ImportError(
            "to_pypesto needs pyPESTO — pip install 'mechsim[pypesto]' (or pip install pypesto)"
        ) from None
    fisher = _uses_fisher(problem)
    evaluate = tr_evaluator(problem, fisher=fisher)
    objective_fn = _jit_objective(problem)
    offset: list[float] = []

    def _eval(x):
        out = evaluate(jnp.asarray(np.asarray(x, dtype=np.float64)))
        f = float(out[0])
        if fisher and np.isfinite(f):
            if not offset:
                offset.append(float(objective_fn(jnp.asarray(x))) - f)
            f += offset[0]
        if not np.isfinite(f):
            f = np.inf
        return f, *(np.asarray(v, dtype=np.float64) for v in out[1:])

    obj = pypesto.Objective(fun=_combined(_eval, fisher), grad=True, hess=True if fisher else None,
                            x_names=list(problem.names))  # fmt: skip
    return pypesto.Problem(objective=obj, lb=np.asarray(problem.lower), ub=np.asarray(problem.upper),
                           x_names=list(problem.names))  # fmt: skip


def _combined(evaluate, fisher: bool):
    """pyPESTO's ``grad=True``/``hess=True`` convention: ``fun`` returns the tuple
    ``(fval, grad[, hess])`` from one evaluation."""

    def fun(x):
        out = evaluate(x)
        return out if fisher else out[:2]

    return fun
