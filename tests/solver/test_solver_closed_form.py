"""Closed-form kinetics: first-order decay, Bateman chain, A<->B equilibrium, expm."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mechsim.solver import RESULTS, Rodas4, Rodas5P, integrate
from tests.helpers import assert_close

SOLVERS = [Rodas5P(), Rodas4()]


@pytest.mark.parametrize("solver", SOLVERS, ids=["Rodas5P", "Rodas4"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_first_order_decay(solver, sparse):
    k = jnp.array([0.3, 2.0, 50.0])
    ts = jnp.linspace(0.0, 5.0, 11)
    sol = integrate(
        lambda t, y, k: -k * y, jnp.ones(3), ts, k, solver=solver, rtol=1e-9, atol=1e-14,
        sparsity=np.eye(3, dtype=bool) if sparse else None,
    )  # fmt: skip
    assert int(sol.status) == RESULTS.SUCCESS
    assert_close(sol.ys, np.exp(-np.outer(ts, k)), rtol=1e-6, atol=1e-13, what="decay")


def test_bateman_chain():
    """A -> B -> C with k1 != k2: B(t) = A0 k1/(k2-k1) (e^{-k1 t} - e^{-k2 t})."""
    k1, k2 = 1.3, 0.4

    def rhs(t, y, k):
        return jnp.stack([-k[0] * y[0], k[0] * y[0] - k[1] * y[1], k[1] * y[1]])

    ts = jnp.linspace(0.0, 10.0, 21)
    sol = integrate(
        rhs, jnp.array([2.0, 0.0, 0.0]), ts, jnp.array([k1, k2]), rtol=1e-10, atol=1e-14
    )
    t = np.asarray(ts)
    a = 2.0 * np.exp(-k1 * t)
    b = 2.0 * k1 / (k2 - k1) * (np.exp(-k1 * t) - np.exp(-k2 * t))
    assert_close(sol.ys, np.stack([a, b, 2.0 - a - b], 1), rtol=1e-7, atol=1e-12, what="Bateman")


def test_reversible_equilibrium_stiff():
    """A <-> B with kf = 1e4, kb = 1e3 /h: A(t) = A_eq + (A0 - A_eq) e^{-(kf+kb) t}."""
    kf, kb = 1e4, 1e3

    def rhs(t, y, k):
        v = k[0] * y[0] - k[1] * y[1]
        return jnp.stack([-v, v])

    ts = jnp.array([0.0, 1e-4, 1e-3, 1e-2, 1.0, 100.0])
    sol = integrate(rhs, jnp.array([1.0, 0.0]), ts, jnp.array([kf, kb]), rtol=1e-8, atol=1e-12)
    a_eq = kb / (kf + kb)
    a = a_eq + (1 - a_eq) * np.exp(-(kf + kb) * np.asarray(ts))
    assert_close(sol.ys[:, 0], a, rtol=1e-6, atol=1e-11, what="A")
    assert_close(sol.ys.sum(1), 1.0, rtol=1e-12, what="mass conservation")
    assert int(sol.stats["num_steps"]) < 200  # stiff decay handled by L-stability


def test_linear_network_matches_expm():
    """y' = K y for a random compartmental matrix (columns sum <= 0): y(t) = expm(K t) y0."""
    rng = np.random.default_rng(3)
    n = 6
    rates = rng.uniform(0.0, 5.0, size=(n, n)) * (rng.random((n, n)) < 0.5)
    np.fill_diagonal(rates, 0.0)
    K = rates.T - np.diag(rates.sum(1) + 0.1)
    y0 = rng.uniform(0.5, 1.5, n)
    ts = jnp.linspace(0.0, 3.0, 7)
    sol = integrate(lambda t, y, K: K @ y, y0, ts, jnp.asarray(K), rtol=1e-10, atol=1e-14,
                    sparsity=K != 0)  # fmt: skip
    expected = np.stack([np.asarray(jax.scipy.linalg.expm(K * t) @ y0) for t in np.asarray(ts)])
    assert_close(sol.ys, expected, rtol=1e-7, atol=1e-12, what="expm")


def test_non_autonomous_time_derivative():
    """y' = -50 (y - cos t) (stiff, explicit t): compare with the exact solution."""
    lam = 50.0

    def rhs(t, y, lam):
        return -lam * (y - jnp.cos(t))

    ts = jnp.linspace(0.0, 4.0, 9)
    sol = integrate(rhs, jnp.array([0.0]), ts, lam, rtol=1e-10, atol=1e-12)
    t = np.asarray(ts)
    c = lam / (lam**2 + 1)
    exact = c * (lam * np.cos(t) + np.sin(t)) - c * lam * np.exp(-lam * t)
    assert_close(sol.ys[:, 0], exact, rtol=1e-7, atol=1e-10, what="non-autonomous")


def test_output_time_before_and_at_t0():
    sol = integrate(lambda t, y, k: -k * y, jnp.ones(1), jnp.array([-1.0, 0.0, 1.0]), 1.0, t0=0.0)
    assert np.isnan(sol.ys[0, 0])
    assert_close(sol.ys[1:, 0], [1.0, np.exp(-1.0)], rtol=1e-5)
