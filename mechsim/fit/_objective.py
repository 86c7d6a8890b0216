"""Gradient paths for objectives: forward sensitivities (jacfwd) or reverse mode (grad).

An ODE-constrained objective is expensive to differentiate, and which mode is cheaper
depends on the problem (forward: cost ~ number of parameters; reverse: cost ~ one
adjoint solve, if the solver supports it). :func:`with_gradient` wraps a function so
that *any* autodiff request (``jax.jvp``, ``jax.linearize``, ``jax.grad``) is answered
with a Jacobian computed by the chosen path, once per evaluation. Optimistix solvers,
blackjax and the Fisher information code therefore all use the same, chosen path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import diffrax
import jax
import jax.numpy as jnp

from mechsim.fit._options import Gradient, as_gradient

__all__ = ["Gradient", "GradientMode", "value_and_jacobian", "with_gradient"]

#: :class:`Gradient` ``.FORWARD``: forward sensitivities (``jax.jvp`` batched over the
#: parameter basis, as ``jax.jacfwd``); ``.REVERSE``: reverse mode (``jax.vjp``; needs a
#: reverse-differentiable solver, e.g. ``adjoint=diffrax.RecursiveCheckpointAdjoint()``).
#: The old strings ``"fwd"``/``"bwd"`` and those diffrax adjoints are accepted.
GradientMode = Gradient | diffrax.AbstractAdjoint | Literal["fwd", "bwd"]


def value_and_jacobian(fn: Callable, x: jnp.ndarray, mode: GradientMode = Gradient.FORWARD):
    """``(fn(x), d fn / d x)`` for a scalar- or vector-valued ``fn`` of a vector ``x``.

    The Jacobian has shape ``fn(x).shape + x.shape`` (the gradient for scalars).
    """
    mode = as_gradient(mode)
    if mode is Gradient.FORWARD:
        basis = jnp.eye(x.shape[0], dtype=x.dtype)
        push = jax.vmap(lambda v: jax.jvp(fn, (x,), (v,)), out_axes=(None, -1))
        value, jac = push(basis)
        return value, jac
    value, pull = jax.vjp(fn, x)
    if jnp.ndim(value) == 0:
        (grad,) = pull(jnp.ones_like(value))
        return value, grad
    eye = jnp.eye(value.shape[0], dtype=value.dtype)
    (jac,) = jax.vmap(pull)(eye)
    return value, jac


def with_gradient(fn: Callable, mode: GradientMode = Gradient.FORWARD) -> Callable:
    """``fn`` with its derivative supplied by ``mode`` (a :func:`jax.custom_jvp`).

    The JVP rule returns ``J(x) @ dx`` with ``J`` from :func:`value_and_jacobian`; it is
    linear in ``dx``, so JAX can also transpose it: ``jax.grad`` of the wrapped function
    works even where ``fn`` itself only supports forward mode. Second derivatives
    (e.g. ``jax.hessian``) differentiate the Jacobian computation itself.
    """
    mode = as_gradient(mode)

    @jax.custom_jvp
    def wrapped(x):
        return fn(x)

    @wrapped.defjvp
    def _jvp(primals, tangents):
        (x,), (dx,) = primals, tangents
        value, jac = value_and_jacobian(fn, x, mode)
        return value, jac @ dx

    return wrapped
