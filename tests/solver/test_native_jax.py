"""The native kernel inside JAX: ``simulate(..., backend=NativeBackend())`` under jit, vmap,
jvp and grad equals the XLA backend (same Rodas method and controller; only rounding
differs, C's FMA contraction and libm against XLA's)."""

from __future__ import annotations

import dataclasses

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mechsim import NativeBackend, XlaBackend, compile_network, simulate
from mechsim.dosing import Dose, Regimen, plan_regimen
from mechsim.errors import InputError
from mechsim.native import native_available
from tests.core import networks as nets
from tests.helpers import assert_close

pytestmark = pytest.mark.skipif(not native_available(), reason="no C compiler on PATH")

T = jnp.linspace(0.0, 12.0, 13)


@pytest.fixture(scope="module")
def oral():
    """Bateman PK: a bolus at 0 h and an infusion over 2-4 h (jumps and segment rates)."""
    cm = compile_network(nets.one_compartment_oral())
    reg = Regimen((Dose("d", "gut", 100.0, "umol"),
                   Dose("d", "central", 50.0, "umol", time=2.0, duration=2.0)))  # fmt: skip
    return cm, plan_regimen(cm, reg)


def _run(cm, plan, backend, **kw):
    def f(ka):
        return simulate(cm, plan, T, params={"ka": ka}, backend=backend, rtol=1e-8,
                        atol=1e-12, **kw).ys  # fmt: skip

    return f


def test_jit_and_vmap_equal_xla(oral):
    cm, plan = oral
    nat, xla = _run(cm, plan, NativeBackend()), _run(cm, plan, XlaBackend())
    kas = jnp.linspace(0.5, 3.0, 6)
    # the XLA reference one point at a time: one compiled program for every value
    ref = jnp.stack([xla(k) for k in kas])
    assert_close(jax.jit(nat)(kas[0]), ref[0], rtol=1e-7, atol=1e-10, what="jit")
    batched = jax.jit(jax.vmap(nat))(kas)
    assert batched.shape == (6, T.size, cm.n_states)
    assert_close(batched, ref, rtol=1e-7, atol=1e-10, what="vmap")
    # nested vmap: one flattened batch
    nested = jax.vmap(jax.vmap(nat))(kas.reshape(2, 3))
    assert_close(nested, ref.reshape(2, 3, *ref.shape[1:]), rtol=1e-7, atol=1e-10, what="nested")
    # per-lane tolerances: one kernel call per lane
    rtols = jnp.array([1e-6, 1e-9])
    lanes = jax.vmap(lambda r: simulate(cm, plan, T, rtol=r, backend="native").ys)(rtols)
    for r, ys in zip(rtols, lanes, strict=True):
        assert_close(ys, simulate(cm, plan, T, rtol=r).ys, rtol=1e-6, atol=1e-9, what="rtol lane")


def test_status_of_a_failed_point_is_returned(oral):
    cm, plan = oral
    res = jax.jit(lambda: simulate(cm, plan, T, max_steps=2, backend=NativeBackend()))()
    ref = simulate(cm, plan, T, max_steps=2)
    assert int(res.status) == int(ref.status) != 0


def test_derivatives_come_from_the_jax_solver(oral):
    cm, plan = oral
    nat, xla = _run(cm, plan, NativeBackend()), _run(cm, plan, XlaBackend())
    eps = 1e-5
    fd = (xla(1.5 + eps) - xla(1.5 - eps)) / (2 * eps)
    assert_close(jax.jvp(nat, (1.5,), (1.0,))[1], fd, rtol=1e-4, atol=1e-7, what="jvp")
    bwd = diffrax.RecursiveCheckpointAdjoint()
    grad = jax.grad(lambda k: _run(cm, plan, NativeBackend(), adjoint=bwd)(k)[-1, 1])(1.5)
    assert_close(grad, fd[-1, 1], rtol=1e-4, atol=1e-7, what="grad")


def test_native_refuses_events_and_diffrax():
    from mechsim.network import Event

    net = nets.chain()
    with_event = dataclasses.replace(net, events=(Event("reset", "t >= 1", (("c.A", "0"),)),))
    with pytest.raises(InputError, match="C kernel has no event handling"):
        simulate(with_event, None, T, backend=NativeBackend())
    with pytest.raises(TypeError, match="diffrax solvers run on the JAX backend only"):
        from mechsim.solver import DiffraxSolver

        simulate(net, None, T, solver=DiffraxSolver(diffrax.Kvaerno5()), backend=NativeBackend())


def test_native_batch_is_one_kernel_call(oral, monkeypatch):
    """A vmapped batch reaches the kernel as one threaded call, not a loop over lanes."""
    from mechsim.native import _kernel

    cm, plan = oral
    calls: list[int] = []
    solve = _kernel.NativeKernel.solve

    def counting(self, p, *a, **k):
        calls.append(np.asarray(p).shape[0])
        return solve(self, p, *a, **k)

    monkeypatch.setattr(_kernel.NativeKernel, "solve", counting)
    jax.vmap(_run(cm, plan, NativeBackend(threads=2)))(jnp.linspace(0.5, 3.0, 5))
    assert calls == [5]


def test_ffi_call_equals_the_callback(oral):
    """``NativeBackend(ffi=True)`` (XLA FFI custom call) runs the same kernel: equal bits."""
    from mechsim.native._ffi import ffi_available

    if not ffi_available():
        pytest.skip("no C++ compiler on PATH")
    cm, plan = oral
    kas = jnp.linspace(0.5, 3.0, 4)
    cb = jax.jit(jax.vmap(_run(cm, plan, NativeBackend())))(kas)
    ffi = jax.jit(jax.vmap(_run(cm, plan, NativeBackend(ffi=True))))(kas)
    np.testing.assert_array_equal(np.asarray(ffi), np.asarray(cb))
    one = jax.jit(_run(cm, plan, NativeBackend(ffi=True)))(kas[1])
    np.testing.assert_array_equal(np.asarray(one), np.asarray(cb[1]))
    rtols = jnp.array([1e-6, 1e-9])
    per = lambda b: jax.vmap(lambda r: simulate(cm, plan, T, rtol=r, backend=b).ys)(rtols)  # noqa: E731
    np.testing.assert_array_equal(np.asarray(per(NativeBackend(ffi=True))),
                                  np.asarray(per(NativeBackend())))  # fmt: skip
    status = simulate(cm, plan, T, max_steps=2, backend=NativeBackend(ffi=True)).status
    assert int(status) == int(simulate(cm, plan, T, max_steps=2).status) != 0
