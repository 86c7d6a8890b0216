"""solver_jit: XLA options on top-level compiles, plain jit when nested, fallback when unknown."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mechsim.solver import _xla, integrate, solver_compiler_options, solver_jit


@pytest.fixture
def fresh_options(monkeypatch):
    """Forget the probed options before and after the test."""
    clear = _xla.solver_compiler_options.cache_clear
    clear()
    yield monkeypatch
    clear()


def test_options_are_accepted_by_this_jaxlib(fresh_options):
    assert solver_compiler_options() == _xla.SOLVER_XLA_OPTIONS


def test_unknown_option_falls_back_to_xla_defaults(fresh_options):
    fresh_options.setattr(_xla, "SOLVER_XLA_OPTIONS", {"xla_cpu_no_such_option_here": True})
    assert solver_compiler_options() is None
    f = solver_jit(lambda x: 2.0 * x)
    assert float(f(jnp.float64(3.0))) == 6.0


def test_environment_opt_out(fresh_options):
    fresh_options.setenv("MECHSIM_XLA_OPTIONS", "default")
    assert solver_compiler_options() is None


def _decay(t, y, k):
    return -k * y


def _solve(k):
    sol = integrate(_decay, jnp.ones(3), jnp.linspace(0.0, 2.0, 5), k, sparsity=np.eye(3, dtype=bool))
    return sol.ys


def test_top_level_nested_and_lowered_calls_agree():
    k = jnp.asarray([0.5, 1.0, 2.0])
    top = solver_jit(_solve)(k)
    # integrate's own solver_jit is nested here: JAX forbids options on nested jits
    nested = jax.jit(_solve)(k)
    vmapped = jax.jit(jax.vmap(solver_jit(_solve)))(jnp.stack([k, 2 * k]))
    lowered = solver_jit(_solve).lower(k).compile()(k)
    exact = np.exp(-np.outer(np.linspace(0.0, 2.0, 5), np.asarray(k)))
    np.testing.assert_allclose(np.asarray(top), exact, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(nested), np.asarray(top), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(vmapped[0]), np.asarray(top), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(lowered), np.asarray(top), rtol=1e-12)


def test_nested_call_without_traced_arguments():
    # only closed-over values: the wrapper cannot see the outer trace in its arguments
    k = jnp.asarray([0.5, 1.0, 2.0])
    inner = solver_jit(lambda: _solve(k))
    out = jax.jit(lambda s: inner() * s)(2.0)
    np.testing.assert_allclose(np.asarray(out), 2.0 * np.asarray(_solve(k)), rtol=1e-12)


def test_options_reach_top_level_compiles_only(fresh_options):
    # an option XLA rejects, past the probe: it must break the top-level compile (so the
    # options are really passed) and must not reach a call nested in an outer jit
    fresh_options.setattr(_xla, "solver_compiler_options", lambda: {"xla_cpu_no_such_option_here": True})
    f = solver_jit(lambda x: 2.0 * x)
    with pytest.raises(Exception, match="No such compile option"):
        f(jnp.float64(3.0))
    assert float(jax.jit(lambda x: f(x) + 1.0)(jnp.float64(3.0))) == 7.0
