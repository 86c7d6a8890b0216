"""Stiff benchmarks against scipy Radau at rtol 1e-12: Robertson and HIRES."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from scipy.integrate import solve_ivp

from mechsim.solver import RESULTS, Rodas4, integrate
from tests.helpers import rel_err
from tests.solver.problems import HIRES_SPARSITY, HIRES_Y0, hires, robertson, robertson_np

K_ROBER = np.array([0.04, 3e7, 1e4])


def test_robertson_log_spaced_to_1e5():
    ts = np.concatenate([[0.0], np.logspace(-5, 5, 11)])
    y0 = np.array([1.0, 0.0, 0.0])
    ref = solve_ivp(robertson_np, (0.0, ts[-1]), y0, method="Radau", t_eval=ts, args=(K_ROBER,),
                    rtol=1e-12, atol=1e-16)  # fmt: skip
    sol = integrate(robertson, y0, ts, jnp.asarray(K_ROBER), rtol=1e-9, atol=1e-14,
                    sparsity=np.ones((3, 3), bool))  # fmt: skip
    assert int(sol.status) == RESULTS.SUCCESS
    ys = np.asarray(sol.ys)
    assert rel_err(ys[:, [0, 2]], ref.y.T[:, [0, 2]], floor=1e-8) < 1e-5
    assert rel_err(ys[1:, 1], ref.y.T[1:, 1], floor=1e-12) < 1e-4
    assert np.allclose(ys.sum(1), 1.0, atol=1e-9)  # mass conservation


def test_hires_rodas5p_sparse(hires_reference):
    ts, ref = hires_reference
    sol = integrate(
        hires, HIRES_Y0, ts, jnp.ones(1), rtol=1e-9, atol=1e-12, sparsity=HIRES_SPARSITY
    )
    assert int(sol.status) == RESULTS.SUCCESS
    assert rel_err(sol.ys, ref, floor=1e-6) < 1e-4


def test_hires_rodas4_dense(hires_reference):
    ts, ref = hires_reference
    sol = integrate(hires, HIRES_Y0, ts, jnp.ones(1), solver=Rodas4(), rtol=1e-9, atol=1e-12)
    assert int(sol.status) == RESULTS.SUCCESS
    assert rel_err(sol.ys, ref, floor=1e-6) < 1e-4
