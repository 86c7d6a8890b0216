"""Posterior sampling with NUTS (blackjax), with R-hat and effective sample size.

The sampler works on unconstrained coordinates ``u`` with
``x = lower + (upper - lower) * sigmoid(u)`` (fitting scale), so the bounds act as a
uniform prior on the fitting scale, times any priors of the problem; the log-Jacobian
of the transform is added. Chains run as one vmapped batch: window adaptation (step
size and diagonal mass matrix, Stan's schedule) per chain, then NUTS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import blackjax
import jax
import jax.numpy as jnp
import numpy as np

from mechsim.fit._problem import Problem
from mechsim.solver import solver_jit

__all__ = ["PosteriorSamples", "sample_posterior"]


@dataclass(frozen=True)
class PosteriorSamples:
    """NUTS draws on the fitting scales, ``x`` of shape ``(chains, draws, n)``.

    ``rhat``: split-free potential scale reduction (Gelman-Rubin) per parameter,
    ``ess``: effective sample size over all chains; trust summaries when every
    ``rhat < 1.01`` and ``ess > 400`` (Vehtari et al. 2021). ``acceptance`` is the mean
    acceptance probability per chain, ``divergences`` the divergent transitions.
    """

    names: tuple[str, ...]
    x: np.ndarray
    rhat: np.ndarray
    ess: np.ndarray
    acceptance: np.ndarray
    divergences: int
    wall_s: float

    def mean(self) -> np.ndarray:
        """Posterior mean on the fitting scales."""
        return self.x.reshape(-1, self.x.shape[-1]).mean(axis=0)

    def quantiles(self, q=(0.025, 0.5, 0.975)) -> np.ndarray:
        """Quantiles (rows) of each parameter (columns) on the fitting scales."""
        return np.quantile(self.x.reshape(-1, self.x.shape[-1]), q, axis=0)

    def to_dict(self) -> dict:
        """JSON-ready diagnostics and summaries."""
        qs = self.quantiles()
        return {
            n: {"mean": float(m), "q2.5": float(a), "median": float(b), "q97.5": float(c),
                "rhat": float(r), "ess": float(e)}
            for n, m, a, b, c, r, e in zip(self.names, self.mean(), *qs, self.rhat, self.ess,
                                           strict=True)
        } | {"divergences": self.divergences, "wall_s": self.wall_s}  # fmt: skip


def sample_posterior(
    problem: Problem,
    x_init,
    *,
    num_chains: int = 4,
    num_warmup: int = 500,
    num_samples: int = 500,
    seed: int = 0,
    target_acceptance_rate: float = 0.8,
    jitter: float = 0.05,
    max_num_doublings: int = 10,
) -> PosteriorSamples:
    """Sample ``exp(-objective(x))`` within the bounds with NUTS.

    ``x_init``: a point on the fitting scales or a :class:`~mechsim.fit.FitResult`;
    chains start there with a relative jitter of ``jitter`` (fraction of the bounds
    width). Meant for up to ~20 parameters (each NUTS step costs one gradient per
    leapfrog step, through the problem's gradient mode). ``max_num_doublings`` caps the
    NUTS trajectory at ``2**max_num_doublings - 1`` leapfrog steps per draw: lower it
    to bound the cost on posteriors with long flat (non-identifiable) directions, where
    trees otherwise hit the cap on every draw.
    """
    if not 1 <= max_num_doublings <= 15:
        raise ValueError(f"max_num_doublings must be in [1, 15], got {max_num_doublings}")
    if problem.n > 50:
        raise ValueError(f"NUTS on {problem.n} parameters is impractical here; use <= ~20")
    x0 = np.asarray(getattr(x_init, "x_best", x_init), dtype=np.float64)
    lo, hi = jnp.asarray(problem.lower), jnp.asarray(problem.upper)
    width = hi - lo

    def to_x(u):
        return lo + width * jax.nn.sigmoid(u)

    def logdensity(u):
        log_jac = jnp.sum(jnp.log(width) + jax.nn.log_sigmoid(u) + jax.nn.log_sigmoid(-u))
        value = -problem.objective(to_x(u)) + log_jac
        return jnp.where(jnp.isfinite(value), value, -jnp.inf)

    rng = np.random.default_rng(seed)
    x_start = np.clip(x0 + jitter * np.asarray(width) * rng.standard_normal((num_chains, x0.size)),
                      problem.lower + 1e-6 * (problem.upper - problem.lower),
                      problem.upper - 1e-6 * (problem.upper - problem.lower))  # fmt: skip
    p = (x_start - problem.lower) / (problem.upper - problem.lower)
    u0 = jnp.asarray(np.log(p) - np.log1p(-p))
    keys = jax.random.split(jax.random.PRNGKey(seed), 2 * num_chains).reshape(2, num_chains, 2)
    t0 = time.perf_counter()
    xs, acc, div = _run(logdensity, to_x, u0, keys, num_warmup, num_samples,
                        target_acceptance_rate, max_num_doublings)  # fmt: skip
    xs = np.asarray(xs)
    rhat = np.asarray(blackjax.diagnostics.potential_scale_reduction(xs, 0, 1))
    ess = np.asarray(blackjax.diagnostics.effective_sample_size(xs, 0, 1))
    return PosteriorSamples(problem.names, xs, rhat, ess, np.asarray(acc).mean(axis=1),
                            int(np.asarray(div).sum()), time.perf_counter() - t0)  # fmt: skip


def _run(logdensity, to_x, u0, keys, num_warmup, num_samples, target, max_num_doublings):
    def chain(u, warm_key, sample_key):
        warmup = blackjax.window_adaptation(blackjax.nuts, logdensity,
                                            target_acceptance_rate=target,
                                            max_num_doublings=max_num_doublings)  # fmt: skip
        (state, params), _ = warmup.run(warm_key, u, num_steps=num_warmup)
        kernel = blackjax.nuts(logdensity, **params)  # params carry max_num_doublings

        def step(st, key):
            st, info = kernel.step(key, st)
            return st, (to_x(st.position), info.acceptance_rate, info.is_divergent)

        _, (xs, acc, div) = jax.lax.scan(step, state, jax.random.split(sample_key, num_samples))
        return xs, acc, div

    return solver_jit(jax.vmap(chain))(u0, keys[0], keys[1])
