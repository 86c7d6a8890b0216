"""PEtab observable and noise formulas as JAX functions of one measurement row.

Each formula is parsed with PEtab's own parser (``petab.v1.math.sympify_petab``) and its
symbols resolved: SBML ids become expressions of the state and model parameters (added
to the network as observables ``petab_q<k>``), parameter-table ids become entries of the
table vector ``theta``, and the placeholders ``observableParameter<k>_<id>`` /
``noiseParameter<k>_<id>`` become entries of the row's placeholder vectors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp
from petab.v1.math import sympify_petab

from mechsim.errors import DataError
from mechsim.network import Network, Observable, symbolic
from mechsim.network._symbolic import MOLAR, TIME
from mechsim.petab._tables import PetabTables

__all__ = ["ObservableFunctions", "observable_functions"]

_PLACEHOLDER = re.compile(r"^(observable|noise)Parameter(\d+)_(.+)$")


@dataclass(frozen=True)
class ObservableFunctions:
    """``value[o](t, y, p, theta, op, np)`` and ``sigma[o](...)`` per observable id."""

    network: Network
    ids: tuple[str, ...]
    value: tuple[Callable, ...]
    sigma: tuple[Callable, ...]
    n_obs_params: int
    n_noise_params: int


def _parse(text: object, where: str) -> sp.Expr:
    try:
        expr = sp.sympify(sympify_petab(str(text)))
        # petab's symbols carry assumptions (real=True); match by name with plain symbols
        return expr.xreplace({s: sp.Symbol(s.name) for s in expr.free_symbols})
    except Exception as exc:
        raise DataError(f"{where}: cannot parse {text!r}: {exc}") from None


def observable_functions(tables: PetabTables) -> ObservableFunctions:
    """Resolve and compile every observable and noise formula of ``tables``."""
    q = tables.model.quantities
    obs_df = tables.observables
    parsed: list[tuple[str, sp.Expr, sp.Expr]] = []
    used: dict[str, None] = {}
    for oid, row in obs_df.iterrows():
        f = _parse(row["observableFormula"], f"observable {oid!r}")
        g = _parse(row["noiseFormula"], f"noise formula of {oid!r}")
        parsed.append((str(oid), f, g))
        for s in f.free_symbols | g.free_symbols:
            if s.name in q:
                used[s.name] = None
    model_ids = list(used)
    extra = tuple(Observable(f"petab_q{k}", tables.model.output_formula(sid))
                  for k, sid in enumerate(model_ids))
    network = tables.model.network.replace(observables=extra)
    sm = symbolic(network)
    subs: dict[sp.Symbol, sp.Expr] = {
        sp.Symbol(sid): sm.observables[f"petab_q{k}"] for k, sid in enumerate(model_ids)
    }
    theta = [sp.Symbol(f"__theta_{k}") for k in range(len(tables.table_ids))]
    for k, pid in enumerate(tables.table_ids):
        if pid not in q:
            subs[sp.Symbol(pid)] = theta[k]
    subs[sp.Symbol("time")] = TIME
    n_op = n_np = 0
    for oid, f, g in parsed:
        for s in f.free_symbols | g.free_symbols:
            m = _PLACEHOLDER.match(s.name)
            if m and m.group(3) == oid:
                if m.group(1) == "observable":
                    n_op = max(n_op, int(m.group(2)))
                else:
                    n_np = max(n_np, int(m.group(2)))
    op = [sp.Symbol(f"__op_{k}") for k in range(max(n_op, 1))]
    npar = [sp.Symbol(f"__np_{k}") for k in range(max(n_np, 1))]
    values, sigmas = [], []
    for oid, f, g in parsed:
        local = dict(subs)
        for s in f.free_symbols | g.free_symbols:
            m = _PLACEHOLDER.match(s.name)
            if m and m.group(3) == oid:
                local[s] = (op if m.group(1) == "observable" else npar)[int(m.group(2)) - 1]
        args = [TIME, list(sm.state_symbols), list(sm.param_symbols), theta, op, npar]
        for expr, out in ((f, values), (g, sigmas)):
            e = expr.xreplace(local).subs(MOLAR, 1e6)
            unknown = [s.name for s in e.free_symbols
                       if s not in set(sm.state_symbols) | set(sm.param_symbols) | set(theta)
                       | set(op) | set(npar) | {TIME}]
            if unknown:
                raise DataError(f"observable {oid!r}: unknown symbols {sorted(unknown)}")
            out.append(sp.lambdify(args, e, modules="jax", docstring_limit=0))
    return ObservableFunctions(network, tuple(o for o, _, _ in parsed), tuple(values),
                               tuple(sigmas), max(n_op, 1), max(n_np, 1))
