"""Multi-start optimisation: Latin hypercube, optimistix solvers passed through, results."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import optimistix as optx
import pytest

from mechsim.fit import Problem, fit, latin_hypercube
from tests.fit.problems import TRUE
from tests.helpers import assert_close


def test_latin_hypercube_one_point_per_stratum():
    lo, hi = np.array([-1.0, 2.0, 0.0]), np.array([1.0, 5.0, 10.0])
    x = latin_hypercube(lo, hi, 20, seed=3)
    strata = np.floor((x - lo) / (hi - lo) * 20).astype(int)
    for j in range(3):
        assert sorted(strata[:, j]) == list(range(20))


def _rosenbrock() -> Problem:
    def res(x):
        return jnp.array([10 * (x[1] - x[0] ** 2), 1 - x[0]])

    return Problem.from_function(lambda x: 0.5 * jnp.sum(res(x) ** 2), [-2.0, -2.0], [2.0, 2.0],
                                 residuals=res)  # fmt: skip


@pytest.mark.parametrize(
    "optimizer",
    [optx.BFGS(rtol=1e-10, atol=1e-10), optx.LevenbergMarquardt(rtol=1e-10, atol=1e-10)],
    ids=["BFGS", "LM"],
)
def test_rosenbrock_all_starts_reach_the_minimum(optimizer):
    result = fit(_rosenbrock(), starts=12, optimizer=optimizer)
    assert result.n_starts == 12
    assert_close(result.x_best, [1.0, 1.0], atol=1e-6)
    assert result.n_converged_to_best == 12
    assert np.all(np.diff(result.fvals) >= 0)
    assert result.messages[0] == "successful"


def test_bounds_are_respected():
    prob = Problem.from_function(lambda x: jnp.sum((x - 3.0) ** 2), [0.0, 0.0], [1.0, 2.0])
    result = fit(prob, starts=4, optimizer=optx.BFGS(rtol=1e-9, atol=1e-9))
    assert_close(result.x_best, [1.0, 2.0], atol=1e-6, what="minimum on the bound")


def test_least_squares_solver_needs_residuals():
    prob = Problem.from_function(lambda x: jnp.sum(x**2), [-1.0], [1.0])
    with pytest.raises(ValueError, match="least-squares"):
        fit(prob, starts=2, optimizer=optx.LevenbergMarquardt(rtol=1e-8, atol=1e-8))


def test_release_fit_recovers_rates(release):
    seen = []
    result = fit(release, starts=6, seed=2, progress=lambda *a: seen.append(a))
    best = result.best_parameters()
    assert_close(best["k0"], TRUE["k0"], rtol=0.15, what="k0 (1/h)")
    assert_close(best["kH"], TRUE["kH"], rtol=0.1, what="kH (1/M/h)")
    assert result.n_converged_to_best >= 4
    assert seen and seen[-1][0] == 6
    summary = result.summary()
    assert summary["n_starts"] == 6 and summary["best_llh"] == -result.fval_best


def _mean_and_log_sigma() -> tuple[Problem, float, float]:
    """Normal data with unknown mean and log sigma, as least squares with a sigma residual
    (the form PEtab problems with estimated noise take): ``nllh = 0.5 |r|^2 + const``."""
    data = jnp.array([1.3, 0.2, 2.9, 1.7, 0.8, 2.2])
    c = 10.0  # s_i = sqrt(2 log sigma + c) is real for sigma > exp(-5)

    def res(x):
        mu, log_sigma = x
        sigma = jnp.exp(log_sigma)
        s = jnp.sqrt(2 * log_sigma + c) * jnp.ones_like(data)
        return jnp.concatenate([(data - mu) / sigma, s])

    prob = Problem.from_function(lambda x: 0.5 * jnp.sum(res(x) ** 2), [-5.0, -4.0], [5.0, 3.0],
                                 residuals=res)  # fmt: skip
    mu = float(jnp.mean(data))
    return prob, mu, 0.5 * float(jnp.log(jnp.mean((data - mu) ** 2)))


def test_bfgs_polish_after_levenberg_marquardt_reaches_the_closed_form_optimum():
    prob, mu, log_sigma = _mean_and_log_sigma()
    result = fit(
        prob,
        starts=8,
        seed=4,
        optimizer=optx.LevenbergMarquardt(rtol=1e-4, atol=1e-4),
        max_steps=5,
        polish=optx.BFGS(rtol=1e-10, atol=1e-10),
        polish_steps=200,
    )
    assert_close(result.x_best, [mu, log_sigma], atol=1e-6, what="ML mean and log sigma")
    assert result.n_converged_to_best == 8
    assert np.all(result.n_steps > 5), "every finite start was polished"
    assert "polish" in result.optimizer
    with pytest.raises(ValueError, match="polish must be a minimiser"):
        fit(
            prob,
            starts=2,
            optimizer=optx.LevenbergMarquardt(rtol=1e-4, atol=1e-4),
            polish=optx.LevenbergMarquardt(rtol=1e-4, atol=1e-4),
        )


def test_polish_within_polishes_only_the_starts_near_the_best():
    prob, mu, log_sigma = _mean_and_log_sigma()
    lm = optx.LevenbergMarquardt(rtol=1e-4, atol=1e-4)
    first = fit(prob, starts=8, seed=4, optimizer=lm, max_steps=5)
    within = float(first.fvals[2] - first.fvals[0])  # the three best first-stage starts
    result = fit(
        prob,
        starts=8,
        seed=4,
        optimizer=lm,
        max_steps=5,
        polish=optx.BFGS(rtol=1e-10, atol=1e-10),
        polish_within=within,
    )
    assert_close(result.x_best, [mu, log_sigma], atol=1e-6)
    polished = result.n_steps > 5
    assert 1 <= polished.sum() <= 3 < 8


@pytest.mark.parametrize("lane_batch", [1, 5])
def test_lane_groups_give_the_same_fit_as_one_vmap(lane_batch):
    """Starts run one at a time (the CPU default) or in groups: same end points as one vmap."""
    prob = _rosenbrock()
    opt = optx.LevenbergMarquardt(rtol=1e-10, atol=1e-10)
    one_vmap = fit(prob, starts=7, optimizer=opt, lane_batch=None, max_steps=40)
    grouped = fit(prob, starts=7, optimizer=opt, lane_batch=lane_batch, max_steps=40)
    assert_close(grouped.x, one_vmap.x, rtol=1e-12, atol=1e-14, what="end points")
    assert np.array_equal(grouped.n_steps, one_vmap.n_steps)
    assert grouped.messages == one_vmap.messages


def test_lane_batch_is_validated():
    from mechsim.fit._batch import CPU_FIT_LANE_BATCH, fit_lane_batch

    assert fit_lane_batch("auto") == CPU_FIT_LANE_BATCH  # the test machine is a CPU
    assert fit_lane_batch(None) is None and fit_lane_batch(4) == 4
    for bad in (0, "fast", True):
        with pytest.raises(ValueError, match="lane_batch"):
            fit_lane_batch(bad)
