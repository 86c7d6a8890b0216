"""What the 2026-12-05 solver changes bought: each one switched back off, same process.

Usage::

    python benchmarks/solver_ablation.py [MODEL] [--n 256] [--lanes 64]

Variants, all compiled through ``solver_jit`` (the solver's XLA options), grid benchmark
problem (``mechsim bench grid``: Rodas5P rtol 1e-6 / atol 1e-9, outputs 0..72 h):

- ``current``: the solver as shipped;
- ``no level barriers``: the triangular substitutions row by row without stacking each
  level behind an ``optimization_barrier`` (the solve before the change);
- ``scalar stage mixing``: Σ_j a_ij K_j and Σ_j γC_ij K_j as 2 (s - 1) scalar-weighted
  vector updates instead of one small product (the stage loop before the change);
- ``both off``;
- ``level-scheduled LU``: :class:`LevelScheduledLU` (gathers per level) instead of the
  straight-line LU, as ``sparse_lu`` picks for heavy fill.

Each variant is compiled from scratch (``jax.clear_caches()``; no persistent cache), then
all are timed interleaved, best of 5. Writes ``benchmarks/results/solver_ablation_<model>.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_enable_compilation_cache", False)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mechsim.bench._grid_problem import build_problem, rosenbrock_point  # noqa: E402
from mechsim.bench._timing import interleaved_rates  # noqa: E402
from mechsim.solver import _rosenbrock, _sparse_lu, map_lanes, solver_jit  # noqa: E402


def _solve_row_by_row(self, factors, b):
    """SparseLU.solve before the change: one value per row, no level stacking."""
    a, inv_piv = factors["a"], factors["inv_piv"]
    bs = jnp.unstack(b)
    z = []
    for i in range(self.n):
        acc = bs[int(self.perm[i])]
        for j in self.l_rows[i]:
            acc = acc - a[(i, j)] * z[j]
        z.append(acc)
    x = [None] * self.n
    for i in reversed(range(self.n)):
        acc = z[i]
        for j in self.u_rows[i]:
            acc = acc - a[(i, j)] * x[j]
        x[i] = acc * inv_piv[i]
    return jnp.stack([x[int(k)] for k in self.inv_perm])


def _stages_scalar_mix(tab, fun, dfdt, linsys, factors, t, y, h):
    """_stages_loop before the change: per-coefficient vector updates."""
    g = tab.gamma
    hg = h * g
    s = tab.stages
    a, gC = jnp.asarray(tab.a), jnp.asarray(g * tab.C)
    c, d = jnp.asarray(tab.c), jnp.asarray(tab.d)

    def body(i, K):
        ai, ci = a[i], gC[i]
        ui, corr = y, jnp.zeros_like(y)
        for j in range(s - 1):
            ui = ui + ai[j] * K[j]
            corr = corr + ci[j] * K[j]
        fi = fun(t + c[i] * h, ui)
        rhs = hg * fi + (hg * h * d[i]) * dfdt + corr
        return K.at[i].set(linsys.solve(factors, rhs))

    return jax.lax.fori_loop(0, s, body, jnp.zeros((s, *y.shape), y.dtype))


@contextlib.contextmanager
def _variant(row_by_row: bool, scalar_mix: bool, gather_lu: bool = False):
    solve, stages = _sparse_lu.SparseLU.solve, _rosenbrock._stages_loop
    limit = _sparse_lu.STRAIGHT_LINE_MAX_UPDATES
    _sparse_lu.sparse_lu.cache_clear()
    if gather_lu:
        _sparse_lu.STRAIGHT_LINE_MAX_UPDATES = 0
    if row_by_row:
        _sparse_lu.SparseLU.solve = _solve_row_by_row
    if scalar_mix:
        _rosenbrock._stages_loop = _stages_scalar_mix
    try:
        yield
    finally:
        _sparse_lu.SparseLU.solve, _rosenbrock._stages_loop = solve, stages
        _sparse_lu.STRAIGHT_LINE_MAX_UPDATES = limit
        _sparse_lu.sparse_lu.cache_clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("model", nargs="?", default="trofosfamide")
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--lanes", type=int, default=64)
    args = ap.parse_args()
    prob = build_problem(args.model, args.n)
    y, p = jnp.asarray(prob.y0), jnp.asarray(prob.p)
    variants = {"current": (False, False), "no level barriers": (True, False),
                "scalar stage mixing": (False, True), "both off": (True, True),
                "level-scheduled LU": (False, False, True)}  # fmt: skip
    fns, compile_s, outs, barriers = {}, {}, {}, {}
    for name, flags in variants.items():
        jax.clear_caches()
        with _variant(*flags):
            t0 = time.perf_counter()
            lowered = solver_jit(map_lanes(rosenbrock_point(prob), args.lanes)).lower(y, p)
            fns[name] = lowered.compile()
            compile_s[name] = time.perf_counter() - t0
        barriers[name] = lowered.as_text().count("optimization_barrier")
        outs[name] = np.asarray(jax.block_until_ready(fns[name](y, p))[0])
        print(f"{name}: compiled in {compile_s[name]:.1f} s", flush=True)
    rate = interleaved_rates(fns, (y, p), args.n, rounds=5)
    ref = outs["current"]
    peak = np.where(np.max(np.abs(ref), axis=1, keepdims=True) > 0, np.max(np.abs(ref), axis=1, keepdims=True), 1.0)
    lines = [
        f"# Solver ablation: {args.model} ({prob.model.n_states} states), {args.n} points, "
        f"{args.lanes}-lane groups",
        "",
        f"`python benchmarks/solver_ablation.py {args.model} --n {args.n} --lanes {args.lanes}`; "
        f"{platform.processor() or platform.machine()}, {jax.devices()[0].platform}, "
        f"{time.strftime('%Y-%m-%d')}, jax {jax.__version__}; Rodas5P rtol 1e-6 / atol 1e-9, the "
        "solver's XLA options; each variant compiled from scratch; best of 5 interleaved rounds.",
        "",
        "| variant | solves/s | vs current | compile s | barriers in program | max diff vs current (of peak) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in variants:
        diff = float(np.nanmax(np.abs(outs[name] - ref) / peak))
        lines.append(f"| {name} | {rate[name]:.1f} | {rate[name] / rate['current']:.2f}x | "
                     f"{compile_s[name]:.1f} | {barriers[name]} | {diff:.1e} |")  # fmt: skip
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results" / f"solver_ablation_{args.model}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
