"""The fides trust region (the default of ``fit``) on problems with known optima,
per-start failure handling and budgets."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest

from mechsim.fit import Curvature, Problem, TrustRegion, fit, uniform_starts
from tests.helpers import assert_close


def _bounded_rosenbrock() -> Problem:
    """Rosenbrock residuals ``[10 (x1 - x0^2), 1 - x0]`` with ``x0 <= 0.5``: the free
    minimum (1, 1) is cut off; for fixed ``x0`` the best ``x1 = x0^2`` leaves
    ``(1 - x0)^2``, decreasing up to the bound, so the optimum is (0.5, 0.25) with
    ``f = 0.5 * 0.25`` and an active bound (gradient -0.5 along x0 there)."""

    def res(x):
        return jnp.array([10 * (x[1] - x[0] ** 2), 1 - x[0]])

    return Problem.from_function(lambda x: 0.5 * jnp.sum(res(x) ** 2), [-2.0, -2.0], [0.5, 2.0],
                                 residuals=res)  # fmt: skip


@pytest.mark.parametrize("curvature", list(Curvature), ids=lambda c: c.name)
def test_bounded_rosenbrock_reaches_the_optimum_on_the_bound(curvature):
    result = fit(_bounded_rosenbrock(), starts=8, seed=3, optimizer=TrustRegion(curvature))
    assert_close(result.x_best, [0.5, 0.25], atol=1e-5, what="constrained minimum")
    assert result.fval_best == pytest.approx(0.125, abs=1e-8)
    assert result.n_converged_to_best >= 6
    assert np.all(result.x <= np.array([0.5, 2.0])) and np.all(result.x >= -2.0)
    assert result.status[0] == 0, result.messages[0]


# Linear-Gaussian model y = A theta + e, e ~ N(0, SIGMA^2): the MLE is the least-squares
# solution and nllh(MLE) = n/2 log(2 pi SIGMA^2) + RSS / (2 SIGMA^2), in closed form.
SIGMA = 0.3
T = np.linspace(0.0, 2.0, 9)
A = np.stack([np.ones_like(T), T, T**2], axis=1)
Y = A @ np.array([1.0, -0.5, 0.25]) + SIGMA * np.random.default_rng(7).standard_normal(T.size)


def _linear_gaussian() -> Problem:
    const = 0.5 * T.size * math.log(2 * math.pi * SIGMA**2)

    def res(x):
        return (jnp.asarray(Y) - jnp.asarray(A) @ x) / SIGMA

    return Problem.from_function(lambda x: 0.5 * jnp.sum(res(x) ** 2) + const, [-5.0] * 3,
                                 [5.0] * 3, residuals=res)  # fmt: skip


def test_linear_gaussian_reaches_the_closed_form_mle():
    mle, rss, *_ = np.linalg.lstsq(A, Y, rcond=None)
    nllh = 0.5 * T.size * math.log(2 * math.pi * SIGMA**2) + float(rss[0]) / (2 * SIGMA**2)
    result = fit(_linear_gaussian(), starts=5, seed=1)  # default optimiser
    assert "TrustRegion" in result.optimizer
    assert_close(result.x_best, mle, atol=1e-6, what="MLE")
    # the fval includes the constant: the evaluator's offset is restored exactly
    assert result.fval_best == pytest.approx(nllh, abs=1e-8)
    assert result.n_converged_to_best == 5
    # Gauss-Newton is exact here: a few iterations per start
    assert int(np.max(result.n_steps)) < 30


def test_failing_starts_get_inf_and_a_status_while_others_finish():
    """The objective is non-finite for x0 > 1 (say, an integration failure): starts
    there end at once with inf and status 3; the others converge to (0, 0)."""

    def nllh(x):
        return jnp.where(x[0] > 1.0, jnp.inf, jnp.sum(x**2))

    prob = Problem.from_function(nllh, [-2.0, -2.0], [2.0, 2.0])
    starts = np.array([[1.5, 0.3], [-1.0, 1.0], [1.8, -1.0], [0.5, -1.5]])
    result = fit(prob, starts=starts)
    assert result.n_starts == 4
    assert np.sum(np.isinf(result.fvals)) == 2
    failed = np.isinf(result.fvals)
    assert set(result.status[failed]) == {3}
    assert all(m.startswith("nonfinite") for m, f in zip(result.messages, failed, strict=True) if f)
    assert_close(result.x_best, [0.0, 0.0], atol=1e-6)
    assert np.all(result.status[~failed] == 0)


def test_step_and_wall_budgets_stop_a_start_with_a_status():
    prob = _bounded_rosenbrock()
    x0 = np.array([[-1.5, 1.5]])
    one = fit(prob, starts=x0, max_steps=1)
    assert one.status[0] == 1 and one.n_steps[0] == 1
    assert np.isfinite(one.fvals[0])
    timed = fit(prob, starts=x0, optimizer=TrustRegion(max_time_s=1e-9))
    assert timed.status[0] == 2 and "max_time" in timed.messages[0]


def test_uniform_starts_are_in_the_bounds_and_reproducible():
    lo, hi = np.array([-1.0, 2.0]), np.array([1.0, 5.0])
    x = uniform_starts(lo, hi, 200, seed=4)
    assert x.shape == (200, 2) and np.all(x >= lo) and np.all(x <= hi)
    np.testing.assert_array_equal(x, uniform_starts(lo, hi, 200, seed=4))


def test_options_are_typed():
    with pytest.raises(TypeError, match="Curvature"):
        TrustRegion(curvature="hybrid")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_time_s"):
        TrustRegion(max_time_s=0.0)
    prob = Problem.from_function(lambda x: jnp.sum(x**2), [-1.0], [1.0])
    with pytest.raises(ValueError, match="residuals"):
        fit(prob, starts=2, optimizer=TrustRegion(Curvature.FISHER))
