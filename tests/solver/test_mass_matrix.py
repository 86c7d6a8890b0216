"""Constant mass matrices M y' = f(t, y) in the Rosenbrock solver (DAEs of index 1)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mechsim.solver import RESULTS, Rodas4, Rodas5P, Schedule, integrate
from mechsim.solver._mass import algebraic_basis, consistent_initialization

TS = jnp.linspace(0.0, 5.0, 11)


def _linear_dae(t, y, p):
    """y1' = -y1 + y2, 0 = y2 - cos(t): y1 = (cos t + sin t)/2 + (y1(0) - 1/2) e^-t."""
    return jnp.array([-y[0] + y[1], y[1] - jnp.cos(t)])


def _linear_exact(t, y10):
    return np.stack([(np.cos(t) + np.sin(t)) / 2 + (y10 - 0.5) * np.exp(-t), np.cos(t)], axis=-1)


M_LIN = np.array([[1.0, 0.0], [0.0, 0.0]])


def test_linear_dae_matches_closed_form():
    sol = integrate(_linear_dae, jnp.array([2.0, 1.0]), TS, None, solver=Rodas5P(),
                    rtol=1e-10, atol=1e-12, mass_matrix=M_LIN)
    assert int(sol.status) == RESULTS.SUCCESS
    np.testing.assert_allclose(sol.ys, _linear_exact(np.asarray(TS), 2.0), rtol=1e-7, atol=1e-8)


def _fast_equilibrium(t, y, p):
    """A <=> B fast (kf A - kr B = 0), B -> 0 slow (k B): rows [A + B]' = -k B and 0 = v_f."""
    kf, kr, k = p
    a, b = y
    return jnp.array([-k * b, kf * a - kr * b])


M_FAST = np.array([[1.0, 1.0], [0.0, 0.0]])


def test_fast_equilibrium_reduced_ode_closed_form():
    # reduced ODE: T = A + B, B = K/(1+K) T, T' = -k K/(1+K) T  ->  T = T0 exp(-k K t/(1+K))
    p = jnp.array([3.0, 1.0, 0.5])
    K = 3.0
    y0 = jnp.array([1.0, 0.0])  # inconsistent: B must be K/(1+K) of the total at once
    sol = integrate(_fast_equilibrium, y0, TS, p, rtol=1e-10, atol=1e-12, mass_matrix=M_FAST,
                    solver=Rodas4())
    assert int(sol.status) == RESULTS.SUCCESS
    total = np.exp(-0.5 * K / (1 + K) * np.asarray(TS))
    np.testing.assert_allclose(sol.ys[:, 0], total / (1 + K), rtol=1e-8)
    np.testing.assert_allclose(sol.ys[:, 1], total * K / (1 + K), rtol=1e-8)


def test_dose_into_fast_subsystem_re_equilibrates():
    # a bolus of 1 into A at t = 2 adds to the moiety A + B, which re-equilibrates at once
    p = jnp.array([3.0, 1.0, 0.5])
    sch = Schedule(jnp.array([2.0]), jnp.array([[1.0, 0.0]]))
    sol = integrate(_fast_equilibrium, jnp.array([0.25, 0.75]), TS, p, rtol=1e-10, atol=1e-12,
                    mass_matrix=M_FAST, schedule=sch)
    assert int(sol.status) == RESULTS.SUCCESS
    t = np.asarray(TS)
    total = np.exp(-0.375 * t) + np.where(t >= 2.0, np.exp(-0.375 * (t - 2.0)), 0.0)
    np.testing.assert_allclose(sol.ys[:, 1], 0.75 * total, rtol=1e-8)


def test_identity_mass_matrix_equals_ode_path():
    def stiff(t, y, p):
        return jnp.array([-1e3 * y[0] + y[1] ** 2, y[0] - y[1]])

    y0, ts = jnp.array([1.0, 2.0]), jnp.array([0.0, 1.0, 10.0])
    ode = integrate(stiff, y0, ts, None, rtol=1e-8, atol=1e-12)
    dae = integrate(stiff, y0, ts, None, rtol=1e-8, atol=1e-12, mass_matrix=np.eye(2))
    sparse = integrate(stiff, y0, ts, None, rtol=1e-8, atol=1e-12, mass_matrix=np.eye(2),
                       sparsity=np.ones((2, 2), bool))
    assert int(dae.stats["num_steps"]) == int(ode.stats["num_steps"])
    np.testing.assert_allclose(dae.ys, ode.ys, rtol=1e-12, atol=1e-18)
    np.testing.assert_allclose(sparse.ys, ode.ys, rtol=1e-10, atol=1e-16)


def test_consistent_initialization_from_inconsistent_state():
    init = jax.jit(lambda f, t, y: consistent_initialization(f, t, y, M_LIN, 1e-10, 1e-12),
                   static_argnums=0)
    y, ok = init(lambda t, y: _linear_dae(t, y, None), jnp.asarray(0.3), jnp.array([2.0, 5.0]))
    assert bool(ok)
    np.testing.assert_allclose(y, [2.0, np.cos(0.3)], rtol=1e-14)  # y1 (differential) kept
    p = jnp.array([3.0, 1.0, 0.5])
    y, ok = jax.jit(lambda y: consistent_initialization(
        lambda t, y: _fast_equilibrium(t, y, p), jnp.asarray(0.0), y, M_FAST, 1e-10, 1e-12
    ))(jnp.array([1.0, 0.0]))
    assert bool(ok)
    np.testing.assert_allclose(y, [0.25, 0.75], rtol=1e-13)  # A + B kept, B = 3 A
    u0, v0 = algebraic_basis(M_FAST)
    assert u0.shape == v0.shape == (2, 1)


def test_inconsistent_system_reports_status():
    # 0 = y2^2 + 1 has no real solution: Newton cannot converge
    def bad(t, y, p):
        return jnp.array([-y[0], y[1] ** 2 + 1.0])

    sol = integrate(bad, jnp.array([1.0, 0.5]), TS, None, mass_matrix=M_LIN)
    assert int(sol.status) == RESULTS.INCONSISTENT_INITIAL_STATE


def test_gradient_through_dae_matches_finite_differences():
    def final_b(k):
        p = jnp.array([3.0, 1.0, k])
        return integrate(_fast_equilibrium, jnp.array([1.0, 0.0]), TS, p, rtol=1e-10,
                         atol=1e-12, mass_matrix=M_FAST).ys[-1, 1]

    g = jax.jacfwd(final_b)(0.5)
    # B(t) = 0.75 exp(-0.75 k t): dB/dk = -0.75 t B
    np.testing.assert_allclose(g, -0.75 * 5.0 * 0.75 * np.exp(-0.75 * 0.5 * 5.0), rtol=1e-6)


def test_bad_mass_matrix_is_refused():
    with pytest.raises(ValueError, match="shape"):
        integrate(_linear_dae, jnp.array([2.0, 1.0]), TS, None, mass_matrix=np.eye(3))
    with pytest.raises(ValueError, match="sparsity must contain"):
        integrate(_fast_equilibrium, jnp.array([1.0, 0.0]), TS, jnp.array([3.0, 1.0, 0.5]),
                  mass_matrix=M_FAST, sparsity=np.eye(2, dtype=bool))


def test_reverse_mode_gradient_through_dae():
    import diffrax

    def final_b(k):
        p = jnp.array([3.0, 1.0, k])
        return integrate(_fast_equilibrium, jnp.array([1.0, 0.0]), TS, p, rtol=1e-10,
                         atol=1e-12, mass_matrix=M_FAST,
                         adjoint=diffrax.RecursiveCheckpointAdjoint()).ys[-1, 1]

    np.testing.assert_allclose(jax.grad(final_b)(0.5),
                               -0.75 * 5.0 * 0.75 * np.exp(-0.75 * 0.5 * 5.0), rtol=1e-6)
