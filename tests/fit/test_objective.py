"""The objective: noise models against scipy, gradients against finite differences."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from mechsim.fit import Noise, Prior, Problem, value_and_jacobian, with_gradient
from tests.fit.problems import TRUE
from tests.helpers import assert_close

Y, H, S = np.array([0.5, 1.2, 3.0]), np.array([0.6, 1.0, 2.5]), np.array([0.1, 0.3, 0.5])


@pytest.mark.parametrize(
    ("noise", "expected"),
    [
        (Noise("normal", "lin"), -stats.norm.logpdf(Y, H, S)),
        (Noise("laplace", "lin"), -stats.laplace.logpdf(Y, H, S)),
        (Noise("normal", "log"), -stats.lognorm.logpdf(Y, S, scale=H)),
        (
            Noise("normal", "log10"),
            -stats.norm.logpdf(np.log10(Y), np.log10(H), S) + np.log(Y * np.log(10)),
        ),
        (Noise("laplace", "log"), -stats.laplace.logpdf(np.log(Y), np.log(H), S) + np.log(Y)),
    ],
)
def test_noise_nllh_matches_scipy(noise, expected):
    assert_close(noise.nllh(Y, H, S), expected, rtol=1e-12, what=f"{noise}")


def test_prior_densities():
    assert_close(Prior("normal", 1.0, 2.0).neg_log_density(0.3), -stats.norm.logpdf(0.3, 1, 2),
                 rtol=1e-12)  # fmt: skip
    assert_close(Prior("uniform", -1.0, 3.0).neg_log_density(0.3), np.log(4.0), rtol=1e-12)
    assert np.isinf(Prior("uniform", -1.0, 3.0).neg_log_density(5.0))
    with pytest.raises(ValueError, match="sd"):
        Prior("normal", 0.0, -1.0)


@pytest.mark.parametrize("mode", ["fwd", "bwd"])
def test_with_gradient_supplies_exact_derivatives(mode):
    def fn(x):
        return jnp.sum(jnp.sin(x) * x**2)

    x = jnp.array([0.3, -1.2, 2.0])
    g_exact = jnp.cos(x) * x**2 + 2 * x * jnp.sin(x)
    wrapped = with_gradient(fn, mode)
    assert_close(jax.grad(wrapped)(x), g_exact, rtol=1e-12, what="grad")
    assert_close(jax.jvp(wrapped, (x,), (jnp.ones(3),))[1], jnp.sum(g_exact), rtol=1e-12)
    assert_close(value_and_jacobian(fn, x, mode)[1], g_exact, rtol=1e-12)


def test_release_gradient_matches_central_differences(release):
    x = jnp.asarray(release.x_nominal) + jnp.array([0.1, -0.2])
    value, grad = jax.jit(release.value_and_grad)(x)
    f = jax.jit(release.objective)
    h = 1e-5
    fd = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(2)])
    assert_close(value, f(x), rtol=1e-12, what="value")
    assert_close(grad, fd, rtol=1e-5, what="gradient vs central differences")
    assert np.linalg.norm(grad) > 1.0  # away from the optimum: a test that can fail


def test_release_residuals_give_the_nllh_up_to_a_constant(release):
    r = jax.jit(release.residuals)
    f = jax.jit(release.objective)
    x1 = jnp.asarray(release.x_nominal)
    x2 = x1 + jnp.array([0.3, -0.1])
    d_res = 0.5 * jnp.sum(r(x2) ** 2) - 0.5 * jnp.sum(r(x1) ** 2)
    assert_close(d_res, f(x2) - f(x1), rtol=1e-10)
    # 35 data with sigma = 0.02: the constant is 35 * log(sqrt(2 pi) * 0.02)
    assert_close(f(x1) - 0.5 * jnp.sum(r(x1) ** 2), 35 * np.log(np.sqrt(2 * np.pi) * 0.02),
                 rtol=1e-10)  # fmt: skip


def test_release_no_recompilation_for_new_values(release):
    traces = []

    def counted(x):
        traces.append(1)
        return release.objective(x)

    f = jax.jit(counted)
    f(jnp.asarray(release.x_nominal))
    f(jnp.asarray(release.x_nominal) + 0.1)
    assert len(traces) == 1


def test_true_values_are_near_the_nominal_point(release):
    assert release.names == ("k0", "kH")
    assert_close(release.to_declared(release.x_nominal)["kH"], TRUE["kH"], rtol=1e-12)


def test_problem_validation():
    with pytest.raises(ValueError, match="finite bounds"):
        Problem.from_function(lambda x: jnp.sum(x**2), [0.0], [0.0])
    with pytest.raises(ValueError, match="priors on unknown"):
        Problem.from_function(
            lambda x: jnp.sum(x**2), [0.0], [1.0], priors={"y": Prior("normal", 0, 1)}
        )


def test_public_names_exist():
    import mechsim.fit

    for name in mechsim.fit.__all__:
        assert hasattr(mechsim.fit, name), name
    for name in ("fit", "Problem", "profile", "fisher_information", "sample_posterior"):
        assert name in mechsim.fit.__all__
