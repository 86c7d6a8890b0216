"""The native kernel as a JAX operation: ``jax.jit`` and ``jax.vmap`` run it, gradients do not.

:func:`native_solve` calls :meth:`NativeKernel.solve` through ``jax.pure_callback`` with
``vmap_method="expand_dims"``: under ``vmap`` (nested or not) the callback receives the
whole batch at once and solves it on the kernel's thread pool, one C trajectory per
point, so ``jax.vmap(simulate native)`` is one batched kernel call, not a loop.

Derivatives stay on the JAX solver: the operation is wrapped in a ``custom_jvp``
(forward mode, ``diffrax.ForwardMode``) or a ``custom_vjp`` (reverse mode,
``diffrax.RecursiveCheckpointAdjoint``) whose rule runs the JAX solver (``fallback``) on
the same inputs; values and derivatives under a derivative transform then both come from
the JAX solver, which agrees with the kernel step for step (``tests/solver/test_native.py``).

``ffi=True`` (``NativeBackend(ffi=True)``) calls the same kernel as an XLA FFI custom call
instead (:mod:`._ffi`: a C++ handler, no Python on the solve path, same results bit for
bit). The callback stays the default: it needs no C++ compiler, and what the FFI call saves
is the callback's Python round trip per call, not the solve (both measured in
``benchmarks/results/native_in_jax.md``).
"""

from __future__ import annotations

from collections.abc import Callable

import diffrax
import jax
import jax.numpy as jnp
import numpy as np

from ._kernel import NativeKernel

__all__ = ["native_solve"]

#: per-lane rank of each input: p, y0, times, jumps, rates, ts, t0, rtol, atol
_RANKS = (1, 1, 1, 2, 2, 1, 0, 0, 1)


def _host_solve(kernel: NativeKernel, max_steps: int, threads: int | None, *args: np.ndarray):
    """The callback: flatten the (possibly nested) vmap batch, solve, restore its shape."""
    arrays = [np.asarray(a) for a in args]
    batch = np.broadcast_shapes(*(a.shape[: a.ndim - r] for a, r in zip(arrays, _RANKS, strict=True)))
    b = int(np.prod(batch, dtype=np.int64))
    flat = [np.broadcast_to(a, batch + a.shape[a.ndim - r:]).reshape((b, *a.shape[a.ndim - r:]))
            for a, r in zip(arrays, _RANKS, strict=True)]  # fmt: skip
    p, y0, times, jumps, rates, ts, t0, rtol, atol = flat
    k, n = ts.shape[1], kernel.n
    ys = np.empty((b, k, n))
    status = np.empty(b, dtype=np.int32)
    if b == 0:
        return ys.reshape((*batch, k, n)), status.reshape(batch)

    def shared(a: np.ndarray) -> bool:
        return bool(np.all(a == a[:1]))

    if shared(ts) and shared(t0) and shared(rtol) and shared(atol):
        ys, status, _ = kernel.solve(p, y0, times, jumps, rates, ts[0], t0=float(t0[0]),
                                     rtol=float(rtol[0]), atol=atol[0], max_steps=max_steps,
                                     threads=threads)  # fmt: skip
    else:  # per-lane times or tolerances (a vmap over them): one call per lane
        for i in range(b):
            y, s, _ = kernel.solve(p[i:i + 1], y0[i:i + 1], times[i:i + 1], jumps[i:i + 1],
                                   rates[i:i + 1], ts[i], t0=float(t0[i]), rtol=float(rtol[i]),
                                   atol=atol[i], max_steps=max_steps, threads=1)  # fmt: skip
            ys[i], status[i] = y[0], s[0]
    return ys.reshape((*batch, k, n)), status.reshape(batch)


def native_solve(
    kernel: NativeKernel,
    fallback: Callable[..., tuple[jax.Array, jax.Array]],
    p: jax.Array,
    y0: jax.Array,
    times: jax.Array,
    jumps: jax.Array,
    rates: jax.Array,
    ts: jax.Array,
    t0: jax.Array,
    rtol: jax.Array,
    atol: jax.Array,
    *,
    max_steps: int,
    threads: int | None = None,
    adjoint: diffrax.AbstractAdjoint | None = None,
    ffi: bool = False,
) -> tuple[jax.Array, jax.Array]:
    """One trajectory on the native kernel, as a JAX operation (jit- and vmap-able).

    Args:
        kernel: the model's built kernel (:func:`mechsim.native.native_kernel`).
        fallback: ``fallback(p, y0, times, jumps, rates, ts, t0, rtol, atol) -> (ys, status)``
            on the JAX solver with the same method and controller; it gives the values
            and derivatives under ``jax.jvp``/``jax.grad``.
        p, y0: (n_params,) parameters and (n,) initial state at ``t0`` (internal units).
        times, jumps, rates: the :class:`~mechsim.solver.Schedule` arrays (m,), (m, n),
            (m + 1, n); times padded with +inf.
        ts: (k,) output times (h); t0, rtol: scalars; atol: (n,) (umol).
        max_steps: the step budget per trajectory; threads: kernel threads per batch.
        adjoint: ``diffrax.ForwardMode()`` (default; derivatives by ``custom_jvp``) or
            ``diffrax.RecursiveCheckpointAdjoint()`` (``custom_vjp``: ``jax.grad``).
        ffi: call the kernel through the XLA FFI custom call of :mod:`._ffi` instead of
            ``jax.pure_callback``.

    Returns:
        ``(ys (k, n), status ())``: a failed trajectory has its
        :class:`~mechsim.solver.RESULTS` code and NaN outputs after the failure.
    """
    k, n = ts.shape[0], y0.shape[0]
    shapes = (jax.ShapeDtypeStruct((k, n), jnp.float64), jax.ShapeDtypeStruct((), jnp.int32))

    def primal(*args):
        if ffi:
            from mechsim._config import usable_cores

            from ._ffi import ffi_solve

            return ffi_solve(kernel, *args, max_steps=max_steps, threads=threads or usable_cores())
        return jax.pure_callback(
            lambda *a: _host_solve(kernel, max_steps, threads, *a), shapes, *args,
            vmap_method="expand_dims",
        )

    if isinstance(adjoint, diffrax.RecursiveCheckpointAdjoint):
        op = jax.custom_vjp(primal)

        def fwd(*args):
            return primal(*args), args

        def bwd(args, cts):
            _, vjp = jax.vjp(lambda *a: fallback(*a)[0], *args)
            return vjp(cts[0])

        op.defvjp(fwd, bwd)
    else:
        op = jax.custom_jvp(primal)
        op.defjvp(lambda primals, tangents: jax.jvp(fallback, primals, tangents))
    args = (p, y0, times, jumps, rates, ts, t0, rtol, jnp.broadcast_to(atol, (n,)))
    return op(*(jnp.asarray(a, dtype=jnp.float64) for a in args))
