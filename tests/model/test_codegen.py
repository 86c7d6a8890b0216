"""Code generation: functions sympy's JAX printer does not map, and step-function Jacobians."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import pytest
import sympy as sp

from mechsim.model._codegen import jax_function
from mechsim.model._compile import _tidy_derivative

X, P = sp.symbols("x p")


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (sp.factorial(X), math.factorial(4)),
        (sp.gamma(X), math.gamma(4.0)),
        (sp.erf(X / 4), math.erf(1.0)),
        (sp.ceiling(X + sp.Rational(1, 2)) * P, 5.0 * 2.0),
    ],
)
def test_function_traces_under_jit(expr: sp.Expr, expected: float) -> None:
    f = jax.jit(jax_function([expr], [X], [P]))
    assert float(f(0.0, jnp.array([4.0]), jnp.array([2.0]))[0]) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("step", [sp.floor, sp.ceiling, sp.sign, sp.Heaviside])
def test_step_function_derivative_is_zero_almost_everywhere(step) -> None:
    expr = X * step(P * X)
    d = _tidy_derivative(sp.diff(expr, X))
    assert d == step(P * X)
    f = jax_function([d], [X], [P])
    assert float(f(0.0, jnp.array([1.3]), jnp.array([2.0]))[0]) == float(step(sp.Float(2.6)))
