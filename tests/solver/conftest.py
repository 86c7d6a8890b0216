"""Fixtures for the solver tests (float64 is switched on by tests/conftest.py)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from tests.solver.problems import HIRES_Y0, hires


@pytest.fixture(scope="session")
def hires_reference():
    """HIRES on [0, 321.8122] by scipy Radau at rtol 1e-12 (computed once per session).

    The right-hand side is jitted: un-jitted, JAX's per-operation dispatch made this
    reference take 159 s of the suite.
    """
    import jax
    from scipy.integrate import solve_ivp

    rhs = jax.jit(lambda t, y: hires(t, y, jnp.ones(1)))
    f = lambda t, y: np.asarray(rhs(t, y))  # noqa: E731
    ts = np.linspace(0.0, 321.8122, 9)
    ref = solve_ivp(f, (0.0, ts[-1]), HIRES_Y0, method="Radau", t_eval=ts, rtol=1e-12, atol=1e-14)
    assert ref.success
    return ts, ref.y.T
