"""The trust region's curvature on a PEtab problem: the expected Fisher information of
normal noise with an estimated sigma, and the exact gradient (the default fit reaching
the closed-form optimum is ``test_least_squares``)."""

from __future__ import annotations

import math
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from mechsim.fit import Problem
from mechsim.fit._trust_region import tr_evaluator
from tests.petab.tiny import A0, DATA, SCALE, SIGMA, T, tiny_problem


def test_evaluator_gives_exact_gradient_and_expected_fisher_information(tmp_path: Path) -> None:
    """y = SCALE A0 exp(-k t), noise sigma_a; x = (log10 k, log10 sigma_a). Expected FIM:
    I_kk = sum (dy/dlog10 k)^2 / sigma^2, I_ss = 2 n ln(10)^2 (sigma on log10 scale),
    I_ks = 0 (Raue et al. 2013)."""
    prob = Problem.from_petab(tiny_problem(tmp_path, "normal", "lin", estimate_sigma=True),
                              rtol=1e-10, atol=1e-14)  # fmt: skip
    assert prob.fisher_fn is not None
    k, sigma = 0.55, 0.8
    x = jnp.array([math.log10(k), math.log10(sigma)])
    evaluate = tr_evaluator(prob)
    f, grad, fim = (np.asarray(v) for v in evaluate(x))
    h = 1e-6
    fd = [(float(evaluate(x + h * e)[0]) - float(evaluate(x - h * e)[0])) / (2 * h)
          for e in jnp.eye(2)]  # fmt: skip
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-6)
    dy = -SCALE * A0 * T * np.exp(-k * T) * k * math.log(10)
    expected = np.array([[np.sum(dy**2) / sigma**2, 0.0], [0.0, 2 * T.size * math.log(10) ** 2]])
    np.testing.assert_allclose(fim, expected, rtol=1e-6, atol=1e-9)
    assert np.isfinite(f) and DATA.size == T.size and SIGMA > 0
