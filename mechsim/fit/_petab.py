"""A :class:`Problem` from a PEtab problem, via ``mechsim.petab``."""

from __future__ import annotations

import os

import numpy as np

from mechsim.fit._objective import GradientMode
from mechsim.fit._options import Gradient, as_gradient
from mechsim.fit._problem import Problem

__all__ = ["petab_problem"]


def petab_problem(
    problem: str | os.PathLike[str],
    *,
    gradient: GradientMode = Gradient.FORWARD,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    sigma_floor: float | None = None,
    solver_max_steps: int = 100_000,
) -> Problem:
    """Wrap the PEtab objective (and, with normal noise everywhere, its residuals).

    The parameter scales come from the PEtab parameter table (estimated rows, in the
    objective's order). When every observable has normal noise the problem also gets
    ``residual_fn`` (weighted residuals plus sigma residuals, see
    :mod:`mechsim.petab._least_squares`), so :func:`~mechsim.fit.fit` uses
    Levenberg-Marquardt by default; with Laplace noise it has none and BFGS is used.
    ``rtol``/``atol`` are the integrator's tolerances; ``sigma_floor`` (observable
    units) the smallest noise level the sigma residuals must represent. ``gradient=Gradient.REVERSE``
    (old name ``"bwd"``) integrates with a checkpointed loop so that reverse mode works (one backward pass
    per gradient: the cheaper choice for BFGS with many parameters).
    ``solver_max_steps`` caps the integrator's steps per simulation: a start far out in
    the bounds whose model is too stiff to solve within it gets a non-finite objective
    (rejected by the optimiser) instead of grinding on (AMICI's default cap is 10^4).
    """
    from mechsim.petab import default_sigma_floor, load_tables, petab_functions
    from mechsim.petab._least_squares import residuals_from

    gradient = as_gradient(gradient, where="petab_problem")
    tables = load_tables(problem)
    # reverse mode needs the checkpointed solver loop; forward mode the plain one
    adjoint = gradient.adjoint if gradient is Gradient.REVERSE else None
    fns = petab_functions(tables, rtol=rtol, atol=atol, adjoint=adjoint, max_steps=solver_max_steps)
    residual_fn = fisher_fn = None
    if not np.any(fns.laplace):
        floor = sigma_floor if sigma_floor is not None else default_sigma_floor(tables)
        least_squares = residuals_from(fns, floor)
        residual_fn = least_squares.residuals
        fisher_fn = _fisher_residuals(fns, least_squares.c)
    label = os.path.splitext(os.path.basename(str(problem)))[0]
    lower, upper = fns.bounds
    return Problem(
        names=fns.names, scales=fns.scales, lower=np.asarray(lower), upper=np.asarray(upper),
        x_nominal=np.asarray(fns.x_nominal), nllh_fn=fns.nllh, residual_fn=residual_fn,
        gradient=gradient, label=label, fisher_fn=fisher_fn,
    )  # fmt: skip


def _fisher_residuals(fns, c: float):
    """``x -> (residuals, q)`` from one simulation (see ``Problem.fisher_fn``).

    ``residuals`` equal :func:`mechsim.petab._least_squares.residuals_from`'s (weighted
    residuals ``(h(m) - h(y)) / sigma``, then sigma residuals ``sqrt(2 log sigma + c)``);
    ``q = [h(y) / sigma, sqrt(2) log sigma]`` with ``sigma`` constant in the first part,
    so ``J_q^T J_q`` is the expected Fisher information of normal noise with
    parameter-dependent ``sigma`` (e.g. Raue et al. 2013, PLoS ONE 8:e74335, for the
    estimated-noise likelihood): ``sum (d h(y))^2 / sigma^2 + 2 (d log sigma)^2``.
    """
    import jax
    import jax.numpy as jnp

    m = np.asarray(fns.measurements, dtype=np.float64)
    transform = fns.transform

    def h(v):
        return jnp.where(transform == 0, v, jnp.where(transform == 1, jnp.log(v), jnp.log10(v)))

    mh = jnp.asarray(h(jnp.asarray(m)))

    def both(x):
        sim, sigma, ok = fns.predict(x)
        hs = h(sim)
        res = jnp.concatenate([(mh - hs) / sigma, jnp.sqrt(2.0 * jnp.log(sigma) + c)])
        q = jnp.concatenate([hs / jax.lax.stop_gradient(sigma), jnp.sqrt(2.0) * jnp.log(sigma)])
        return jnp.where(ok, res, jnp.inf), jnp.where(ok, q, jnp.inf)

    return both
