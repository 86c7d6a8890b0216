"""sympy expressions -> C99 source of a network's right-hand side, ∂f/∂t and Jacobian.

The same symbolic right-hand side and Jacobian entries as the JAX functions of
:func:`~mechsim.model.compile_network` (:func:`~mechsim.model.symbolic_rhs_jacobian`),
printed with sympy's C99 printer after common-subexpression elimination, for the native
CPU kernel (:mod:`mechsim.native`). Units are the internal ones (umol, L, h).

Generated functions (``static``, meant to be included in one translation unit)::

    void model_pconst(const double *p, double *pc);  /* parameter-only terms, once per point */
    void model_rhs(double t, const double *y, const double *p, const double *pc, double *f);
    void model_dfdt(double t, const double *y, const double *p, const double *pc, double *d);
    void model_jac(double t, const double *y, const double *p, const double *pc, double *jv);

(right-hand side in umol/h, ∂f/∂t in umol/h², Jacobian in 1/h). Subexpressions that
depend on parameters only (pH factors such as 10^(pKa - pH), inverse volumes) are
hoisted into ``model_pconst``: on trofosfamide they were most of the ``pow`` calls of
every right-hand-side evaluation.

``jv`` holds the structural nonzeros in the row-major order of ``np.nonzero(sparsity)``
(diagonal included), like :attr:`CompiledModel.jac_values`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp
from sympy.printing.c import C99CodePrinter

from mechsim.errors import NetworkError
from mechsim.model._codegen import MOLAR_INTERNAL, _jax_printable
from mechsim.model._compile import _tidy_derivative, symbolic_rhs_jacobian
from mechsim.network import Network, symbolic
from mechsim.network._symbolic import MOLAR, TIME

__all__ = ["c_model_source"]


def c_model_source(network: Network) -> tuple[str, np.ndarray]:
    """C99 source of ``model_rhs``, ``model_dfdt`` and ``model_jac``, and the sparsity.

    Raises:
        NetworkError: if an expression uses a function with no C99 counterpart (the
            message names it; the JAX path still handles such models).
    """
    sym = symbolic(network)
    dydt, entries, sparsity = symbolic_rhs_jacobian(network)
    rows, cols = np.nonzero(sparsity)
    jac = [entries.get((int(i), int(k)), sp.Integer(0)) for i, k in zip(rows, cols, strict=True)]
    dfdt = [_tidy_derivative(sp.diff(e, TIME)) if e.has(TIME) else sp.Integer(0) for e in dydt]
    subs = {s: sp.Symbol(f"y[{i}]") for i, s in enumerate(sym.state_symbols)}
    subs.update({s: sp.Symbol(f"p[{j}]") for j, s in enumerate(sym.param_symbols)})
    subs[MOLAR] = sp.Float(MOLAR_INTERNAL)
    subs[TIME] = sp.Symbol("t")
    params = frozenset(subs[s] for s in sym.param_symbols)
    consts: dict[sp.Expr, sp.Symbol] = {}
    hoisted = [
        [_hoist(_jax_printable(sp.sympify(e).xreplace(subs)), params, consts) for e in group]
        for group in (dydt, dfdt, jac)
    ]
    parts = [
        f"#define MODEL_N {len(dydt)}",
        f"#define MODEL_NNZ {len(jac)}",
        f"#define MODEL_NP {len(sym.param_symbols)}",
        f"#define MODEL_NPC {max(1, len(consts))}",
        _function("model_pconst", "pc", list(consts), "const double *restrict p"),
        _function("model_rhs", "f", hoisted[0]),
        _function("model_dfdt", "d", hoisted[1]),
        _function("model_jac", "jv", hoisted[2]),
    ]
    return "\n\n".join(parts) + "\n", sparsity


def _hoist(e: sp.Expr, params: frozenset, consts: dict[sp.Expr, sp.Symbol]) -> sp.Expr:
    """Replace maximal parameter-only subexpressions of ``e`` by symbols ``pc[i]``.

    Parameter-only arguments of a sum or product are grouped into one hoisted term.
    """
    if e.is_Atom:
        return e
    if e.free_symbols <= params:
        if e not in consts:
            consts[e] = sp.Symbol(f"pc[{len(consts)}]")
        return consts[e]
    if isinstance(e, sp.Add | sp.Mul):
        const = [a for a in e.args if a.free_symbols <= params]
        rest = [_hoist(a, params, consts) for a in e.args if not a.free_symbols <= params]
        if len(const) > 1 or (const and not const[0].is_Atom):
            return e.func(_hoist(e.func(*const), params, consts), *rest)
        return e.func(*const, *rest)
    if isinstance(e, sp.Piecewise):
        return sp.Piecewise(*[(_hoist(v, params, consts), c) for v, c in e.args])
    return e.func(*[_hoist(a, params, consts) for a in e.args])


_POINT_ARGS = (
    "double t, const double *restrict y, const double *restrict p, const double *restrict pc"
)


def _function(name: str, out: str, exprs: Sequence[sp.Expr], args: str = _POINT_ARGS) -> str:
    """``static void name(<args>, double *out)`` computing ``out[i] = exprs[i]``."""
    temps, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("c_"))
    printer = C99CodePrinter({"strict": False})
    body = [f"    const double {s} = {printer.doprint(e)};" for s, e in temps]
    body += [f"    {out}[{i}] = {printer.doprint(e)};" for i, e in enumerate(reduced)]
    bad = getattr(printer, "_not_supported", set())
    if bad:
        names = sorted(
            {type(b).__name__ if not isinstance(b, sp.Basic) else str(b.func) for b in bad}
        )
        raise NetworkError(
            f"{name}: no C99 form for {', '.join(names)}; run this model with the JAX "
            "backend (backend='xla')"
        )
    signature = f"static void {name}({args}, double *restrict {out})"
    unused = "    (void)t; (void)y; (void)p; (void)pc;" if args == _POINT_ARGS else "    (void)p;"
    return signature + " {\n" + unused + "\n" + "\n".join(body) + "\n}"
