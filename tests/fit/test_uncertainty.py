"""Profiles, Fisher information and NUTS against exact Gaussian answers."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import optimistix as optx
import pytest

from mechsim.fit import Problem, fisher_information, fit, profile, sample_posterior
from tests.fit.problems import TRUE
from tests.helpers import assert_close

Z95 = 1.959963984540054  # sqrt(chi2_1(0.95)) = sqrt(3.841...)


def test_fisher_of_a_quadratic_is_its_hessian(quad):
    prob, a, h = quad
    fi = fisher_information(prob, a)
    assert_close(fi.fim, h, rtol=1e-10, atol=1e-12)
    assert_close(fi.se, np.sqrt(np.diag(np.linalg.inv(h))), rtol=1e-10)
    gn = fisher_information(prob, a, method="gauss_newton")
    assert_close(gn.fim, h, rtol=1e-10, atol=1e-12)
    assert fi.non_identifiable == ()


def test_profile_intervals_of_a_quadratic_are_exact(quad):
    prob, a, h = quad
    cov = np.linalg.inv(h)
    prof = profile(prob, a, f_hat=0.0, optimizer=optx.BFGS(rtol=1e-10, atol=1e-10))
    for i, name in enumerate(prob.names):
        half = Z95 * np.sqrt(cov[i, i])
        assert prof[name].identifiable
        assert_close(prof[name].ci, [a[i] - half, a[i] + half], atol=2e-3, what=name)
        assert_close(prof[name].threshold, 3.841458820694124 / 2, rtol=1e-12)


def test_trust_region_profile_of_a_quadratic_is_exact(quad):
    """The default inner fits (fides, one after another) give the exact intervals."""
    prob, a, h = quad
    cov = np.linalg.inv(h)
    prof = profile(prob, a)
    for i, name in enumerate(prob.names):
        half = Z95 * np.sqrt(cov[i, i])
        assert prof[name].identifiable
        assert_close(prof[name].ci, [a[i] - half, a[i] + half], atol=2e-3, what=name)
        assert abs(prof[name].f_hat) < 1e-12  # f_hat from the evaluator, constant added back


def test_fit_fisher_and_profile_share_one_compiled_evaluator():
    """fit -> fisher_information(gauss_newton) -> profile compile the objective's
    sensitivities once (the trust region's evaluator) and the plain objective once."""
    a = np.array([0.4, -0.2])
    prob = Problem.from_function(lambda x: 0.5 * jnp.sum((3.0 * (x - a)) ** 2) + 7.0,
                                 [-2.0, -2.0], [2.0, 2.0],
                                 residuals=lambda x: 3.0 * (x - a))  # fmt: skip
    result = fit(prob, starts=np.array([[1.0, 1.0], [-1.0, 0.5]]))
    fi = fisher_information(prob, result, method="gauss_newton")
    prof = profile(prob, result, se=fi.se)
    assert_close(fi.fim, 9.0 * np.eye(2), rtol=1e-12)
    assert_close(result.fval_best, 7.0, atol=1e-9, what="constant added back")
    assert_close(prof["x0"].ci, [a[0] - Z95 / 3, a[0] + Z95 / 3], atol=2e-3, what="x0")
    cache = prob.__dict__["_fit_cache"]
    assert set(cache) == {("tr_evaluator", True), "objective", "tr_offset"}, set(cache)
    for key in (("tr_evaluator", True), "objective"):
        assert cache[key]._cache_size() == 1, key  # one trace: no recompilation


def test_non_identifiable_direction_is_flagged():
    prob = Problem.from_function(lambda x: 0.5 * (x[0] + x[1] - 1.0) ** 2 + 0.5 * x[2] ** 2,
                                 [-3.0] * 3, [3.0] * 3)  # fmt: skip
    x = np.array([0.5, 0.5, 0.0])
    fi = fisher_information(prob, x)
    assert set(fi.non_identifiable) == {"x0", "x1"}
    assert "NON-IDENTIFIABLE" in fi.report()
    prof = profile(prob, x, parameters=["x0", "x2"], f_hat=0.0,
                   optimizer=optx.BFGS(rtol=1e-9, atol=1e-9))  # fmt: skip
    assert not prof["x0"].identifiable and prof["x2"].identifiable


def test_nuts_samples_a_gaussian_posterior():
    mean = np.array([0.5, -1.0])
    cov = np.array([[0.5, 0.2], [0.2, 0.3]])
    prec = np.linalg.inv(cov)
    prob = Problem.from_function(lambda x: 0.5 * (x - mean) @ prec @ (x - mean),
                                 [-10.0, -10.0], [10.0, 10.0])  # fmt: skip
    post = sample_posterior(prob, mean, num_chains=4, num_warmup=200, num_samples=400)
    assert post.x.shape == (4, 400, 2)
    assert np.all(post.rhat < 1.05) and np.all(post.ess > 200)
    draws = post.x.reshape(-1, 2)
    assert_close(draws.mean(axis=0), mean, atol=0.1, what="posterior mean")
    assert_close(np.cov(draws.T), cov, atol=0.08, what="posterior covariance")


def test_release_synthetic_recovery_true_values_in_profile_intervals(release):
    """Fit from perturbed starts; the true rates lie inside the 95% profile intervals."""
    truth = np.log10([TRUE["k0"], TRUE["kH"]])
    # six starts, as in test_release_fit_recovers_rates: the compiled batch is reused
    starts = truth + np.array([[0.8, -0.7], [-0.6, 0.9], [0.5, 0.5], [-0.5, -0.5],
                               [1.0, 0.2], [-0.9, -0.3]])  # fmt: skip
    result = fit(release, starts=starts)
    fi = fisher_information(release, result, method="gauss_newton")
    prof = profile(release, result, se=fi.se)
    for name, t in zip(release.names, truth, strict=True):
        lo, hi = prof[name].ci
        assert prof[name].identifiable, name
        assert lo < t < hi, f"{name}: true {t:.4f} outside [{lo:.4f}, {hi:.4f}]"
        assert hi - lo < 0.3  # informative data: the interval is narrower than 2x


def test_nuts_tree_depth_is_validated(quad):
    prob, a, _ = quad
    with pytest.raises(ValueError, match="max_num_doublings must be in"):
        sample_posterior(prob, a, max_num_doublings=0)
