"""Compile time and throughput of the batched solver with and without the solver's XLA options.

Usage::

    python benchmarks/xla_options.py [MODELS ...] [--n 256] [--lanes 64]

For each model (default: trofosfamide aldoxorubicin) the grid benchmark problem
(``mechsim bench grid``: dose x parameter grid, Rodas5P rtol 1e-6 / atol 1e-9, outputs
0..72 h) is compiled twice in one process, ``jit(map_lanes(integrate, lanes))``, once
with XLA's defaults and once with :data:`mechsim.solver.SOLVER_XLA_OPTIONS`; the
persistent compilation cache is off, so both compile from scratch. Both are timed
interleaved (best of 5 rounds) and their outputs compared. Writes
``benchmarks/results/xla_options_<model>.md``.
"""

from __future__ import annotations

import argparse
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
from mechsim.solver import SOLVER_XLA_OPTIONS, map_lanes  # noqa: E402


def run(model: str, n: int, lanes: int) -> str:
    prob = build_problem(model, n)
    cm = prob.model
    y, p = jnp.asarray(prob.y0), jnp.asarray(prob.p)

    one = rosenbrock_point(prob)

    settings = {"XLA defaults": None, "SOLVER_XLA_OPTIONS": dict(SOLVER_XLA_OPTIONS)}
    fns, compile_s, outs = {}, {}, {}
    for name, opts in settings.items():
        t0 = time.perf_counter()
        fns[name] = jax.jit(map_lanes(one, lanes), compiler_options=opts).lower(y, p).compile()
        compile_s[name] = time.perf_counter() - t0
        outs[name] = jax.block_until_ready(fns[name](y, p))
        print(f"{model} {name}: compiled in {compile_s[name]:.1f} s", flush=True)
    rate = interleaved_rates(fns, (y, p), n, rounds=5)
    ref, new = (np.asarray(outs[k][0]) for k in settings)
    peak = np.max(np.abs(ref), axis=1, keepdims=True)
    rel = float(np.nanmax(np.abs(new - ref) / np.where(peak > 0, peak, 1.0)))
    steps = np.asarray(outs["XLA defaults"][1])
    lines = [
        f"# XLA options: {model} ({cm.n_states} states), {n} points, {lanes}-lane groups",
        "",
        f"`python benchmarks/xla_options.py {model} --n {n} --lanes {lanes}`; "
        f"{platform.processor() or platform.machine()}, {jax.devices()[0].platform}, "
        f"{time.strftime('%Y-%m-%d')}, jax {jax.__version__}; Rodas5P rtol 1e-6 / atol 1e-9; "
        "compile from scratch (no persistent cache); best of 5 interleaved rounds.",
        "",
        "| compiler options | compile s | solves/s |",
        "|---|---:|---:|",
    ]
    for name, opts in settings.items():
        label = name if opts is None else f"`{opts}`"
        lines.append(f"| {label} | {compile_s[name]:.1f} | {rate[name]:.1f} |")
    lines += [
        "",
        f"Largest difference between the two outputs: {rel:.1e} of each species' peak "
        "(both solve at rtol 1e-6; the two programs round differently, which can change "
        f"the step sequence). Mean steps per point {steps.mean():.0f}, max {steps.max()}.",
    ]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results" / f"xla_options_{model}.md").write_text(text)
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("models", nargs="*", default=["trofosfamide", "aldoxorubicin"])
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--lanes", type=int, default=64)
    args = ap.parse_args()
    for model in args.models:
        print(run(model, args.n, args.lanes))


if __name__ == "__main__":
    main()
