"""Empirical order of convergence with fixed steps: Rodas5P -> 5, Rodas4 -> 4."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from mechsim.solver._jacobian import make_point_evaluator
from mechsim.solver._rosenbrock import LinearSystem, interpolate, step
from mechsim.solver._tableau import RODAS4, RODAS5P


def _rhs(t, y):
    """Smooth, nonlinear, non-autonomous (exercises the ∂f/∂t terms)."""
    return jnp.stack([-y[0] * y[1] + jnp.cos(t), y[0] * y[1] - 0.5 * y[1] + 0.1 * t])


MAX_STEPS = 80


def _fixed_step_solve(tab, n_steps, t_end: float, y0):
    """Test-only fixed-step integration (n_steps traced: one compile per method); also
    returns the dense output at the step midpoints (first n_steps rows)."""
    evaluate = make_point_evaluator(_rhs, None, None)
    linsys = LinearSystem(None)
    h = t_end / n_steps

    def body(i, carry):
        t, y, mids = carry
        f0, dfdt, J = evaluate(t, y)
        y1, _, q, _ = step(tab, _rhs, f0, dfdt, J, linsys, t, y, h)
        return t + h, y1, mids.at[i].set(interpolate(0.5, y, y1, q))

    mids0 = jnp.zeros((MAX_STEPS, 2))
    _, y, mids = jax.lax.fori_loop(0, n_steps, body, (jnp.asarray(0.0), y0, mids0))
    return y, mids


@pytest.mark.parametrize(("tab", "order"), [(RODAS5P, 5), (RODAS4, 4)], ids=["Rodas5P", "Rodas4"])
def test_convergence_order(tab, order):
    y0 = jnp.array([1.0, 0.5])
    t_end = 2.0
    ref = solve_ivp(lambda t, y: np.asarray(_rhs(t, jnp.asarray(y))), (0, t_end), np.asarray(y0),
                    method="DOP853", rtol=1e-13, atol=1e-14, dense_output=True)  # fmt: skip
    ns = [10, 20, 40, 80]
    solve = jax.jit(lambda n, y0: _fixed_step_solve(tab, n, t_end, y0))
    errs, dense_errs = [], []
    for n in ns:
        y, mids = solve(jnp.asarray(n), y0)
        mids = mids[:n]
        errs.append(float(jnp.max(jnp.abs(y - ref.y[:, -1]))))
        tm = (np.arange(n) + 0.5) * t_end / n
        dense_errs.append(float(np.max(np.abs(np.asarray(mids) - ref.sol(tm).T))))
    slope = np.polyfit(np.log(ns), np.log(errs), 1)[0]
    assert abs(-slope - order) < 0.4, f"{tab.name}: observed order {-slope:.2f}, errors {errs}"
    # dense output: global order of the method (local interpolation order >= order - 1)
    dslope = np.polyfit(np.log(ns), np.log(dense_errs), 1)[0]
    assert -dslope > order - 1.4, f"{tab.name}: dense-output order {-dslope:.2f}"
