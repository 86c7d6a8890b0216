"""How many trajectories to vmap together on CPU: solves/s against the lane group size.

Usage::

    python benchmarks/lane_batch.py [MODEL] [--n 256] [--lanes 16,32,64,128,256]

Solves the same ``n`` points of the grid benchmark problem (``mechsim bench grid``:
dose x parameter grid, rtol 1e-6, atol 1e-9, outputs 0..72 h) with
``jit(map_lanes(simulate, lane_batch))`` for each group size, one compiled function
each, then times them interleaved (3 rounds, best kept) so that background load hits
every size alike. Writes ``benchmarks/results/lane_batch_<model>.md``.
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
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mechsim.bench._grid_problem import build_problem, rosenbrock_point  # noqa: E402
from mechsim.bench._timing import interleaved_rates  # noqa: E402
from mechsim.solver import map_lanes, solver_jit  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", default="trofosfamide")
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--lanes", default="16,32,64,128,256")
    args = ap.parse_args()
    lanes = [int(v) for v in args.lanes.split(",")]
    prob = build_problem(args.model, args.n)
    cm = prob.model
    y, p = jnp.asarray(prob.y0), jnp.asarray(prob.p)

    one = rosenbrock_point(prob)

    fns, compile_s, steps = {}, {}, {}
    for lb in lanes:
        t0 = time.perf_counter()
        fns[lb] = solver_jit(map_lanes(one, lb)).lower(y, p).compile()
        compile_s[lb] = time.perf_counter() - t0
        _, st = jax.block_until_ready(fns[lb](y, p))
        steps[lb] = np.asarray(st)
        print(f"lane batch {lb}: compiled in {compile_s[lb]:.1f} s", flush=True)
    rate = interleaved_rates(fns, (y, p), args.n, rounds=3)
    # lanes wait for the slowest lane of their group: the iterations actually run
    lines = [
        f"# Lanes per vmapped group: {args.model} ({cm.n_states} states), {args.n} points",
        "",
        f"`python benchmarks/lane_batch.py {args.model} --n {args.n}`; {platform.processor() or platform.machine()}, "
        f"{jax.devices()[0].platform}, {time.strftime('%Y-%m-%d')}; Rodas5P rtol 1e-6 / atol 1e-9, "
        "best of 3 interleaved rounds, the solver's XLA options (`solver_jit`). 'loop iterations' is the sum over groups of the slowest "
        "lane's steps (every lane of a group runs that many iterations).",
        "",
        "| lanes per group | solves/s | compile s | loop iterations / point |",
        "|---:|---:|---:|---:|",
    ]
    for lb in lanes:
        s = steps[lb]
        iters = sum(int(s[i : i + lb].max()) * min(lb, len(s) - i) for i in range(0, len(s), lb))
        lines.append(f"| {lb} | {rate[lb]:.1f} | {compile_s[lb]:.1f} | {iters / len(s):.0f} |")
    lines += [
        "",
        f"Mean steps per point {steps[lanes[0]].mean():.0f}, max {steps[lanes[0]].max()}.",
    ]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results" / f"lane_batch_{args.model}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
