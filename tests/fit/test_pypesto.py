"""``to_pypesto``: a pyPESTO problem whose objective is mechsim's (fun, grad, FIM)."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest

from mechsim.fit import Problem, fisher_information, to_pypesto

pypesto = pytest.importorskip("pypesto")

SIGMA = 0.2
T = np.linspace(0.0, 1.0, 7)
A = np.stack([np.ones_like(T), T], axis=1)
Y = A @ np.array([0.5, 2.0]) + SIGMA * np.random.default_rng(3).standard_normal(T.size)
CONST = 0.5 * T.size * math.log(2 * math.pi * SIGMA**2)


def _problem() -> Problem:
    def res(x):
        return (jnp.asarray(Y) - jnp.asarray(A) @ x) / SIGMA

    return Problem.from_function(lambda x: 0.5 * jnp.sum(res(x) ** 2) + CONST, [-5.0, -5.0],
                                 [5.0, 5.0], names=["a", "b"], residuals=res)  # fmt: skip


def test_objective_gradient_and_fim_are_mechsims():
    prob = _problem()
    pp = to_pypesto(prob)
    assert list(pp.x_names) == ["a", "b"]
    x = np.array([0.3, 1.1])
    fval, grad, hess = pp.objective(x, sensi_orders=(0, 1, 2))
    f_ref, g_ref = prob.value_and_grad(jnp.asarray(x))
    assert fval == pytest.approx(float(f_ref), rel=1e-12)
    np.testing.assert_allclose(grad, np.asarray(g_ref), rtol=1e-10)
    fim = fisher_information(prob, x, method="gauss_newton").fim
    np.testing.assert_allclose(hess, fim, rtol=1e-10)


def test_pypesto_fides_reaches_the_mle():
    import pypesto.optimize

    pp = to_pypesto(_problem())
    mle, rss, *_ = np.linalg.lstsq(A, Y, rcond=None)
    res = pypesto.optimize.minimize(pp, optimizer=pypesto.optimize.FidesOptimizer(verbose=40),
                                    n_starts=3, progress_bar=False)  # fmt: skip
    best = res.optimize_result.list[0]
    np.testing.assert_allclose(best["x"], mle, atol=1e-6)
    assert best["fval"] == pytest.approx(CONST + float(rss[0]) / (2 * SIGMA**2), abs=1e-8)
