"""sympy expressions -> JAX functions of ``(t, y, p)``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import jax.scipy.special
import sympy as sp

from mechsim.network._symbolic import MOLAR, TIME

__all__ = ["MOLAR_INTERNAL", "jax_function"]

#: 1 mol/L expressed in the internal concentration unit (umol/L).
MOLAR_INTERNAL = 1.0e6


def jax_function(
    exprs: Sequence[sp.Expr],
    state_symbols: Sequence[sp.Symbol],
    param_symbols: Sequence[sp.Symbol],
) -> Callable:
    """Compile ``exprs`` into ``f(t, y, p) -> jnp.ndarray`` of shape ``(len(exprs),)``.

    ``y`` and ``p`` are 1-D arrays ordered like ``state_symbols`` and ``param_symbols``.
    Common subexpressions are shared (sympy CSE). Constant entries are broadcast so
    the function is safe under ``jax.vmap``.
    """
    exprs = [_jax_printable(sp.sympify(e).subs(MOLAR, MOLAR_INTERNAL)) for e in exprs]
    if not exprs:
        def empty(t, y, p):
            return jnp.zeros((0,), dtype=jnp.result_type(y, float))

        return empty
    raw = sp.lambdify(
        [TIME, list(state_symbols), list(param_symbols)],
        exprs,
        modules=[_JAX_EXTRA, "jax"],
        cse=True,
        docstring_limit=0,
    )

    def f(t, y, p):
        zero = jnp.zeros((), dtype=jnp.result_type(y, p, float)) * (y[0] if y.shape[0] else 0.0)
        out = raw(t, _Unpack(y), _Unpack(p))
        return jnp.stack([jnp.asarray(v, dtype=zero.dtype) + zero for v in out])

    return f


#: Functions sympy's JAX printer leaves unmapped.
_JAX_EXTRA = {
    "gamma": jax.scipy.special.gamma,
    "loggamma": jax.scipy.special.gammaln,
    "polygamma": jax.scipy.special.polygamma,
    "digamma": jax.scipy.special.digamma,
    "erf": jax.scipy.special.erf,
    "erfc": jax.scipy.special.erfc,
}


def _jax_printable(expr: sp.Expr) -> sp.Expr:
    """Rewrite functions with no JAX counterpart: factorial(x) -> gamma(x + 1)."""
    if expr.has(sp.factorial):
        expr = expr.replace(lambda e: isinstance(e, sp.factorial), lambda e: sp.gamma(e.args[0] + 1))
    return expr


class _Unpack(Sequence):
    """Lets sympy's generated code unpack a JAX array into scalars lazily."""

    def __init__(self, arr) -> None:
        self.arr = arr

    def __len__(self) -> int:
        return self.arr.shape[0]

    def __getitem__(self, i):
        return self.arr[i]

    def __iter__(self):
        return (self.arr[i] for i in range(self.arr.shape[0]))
