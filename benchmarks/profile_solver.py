"""Where a batched Rosenbrock step spends its time, per component, on a registered model.

Usage::

    python benchmarks/profile_solver.py [MODEL] [--batch B]

Each component is jitted, vmapped over a batch of B states/parameter sets and repeated
``REPS`` times inside one ``lax.fori_loop`` (so Python dispatch is excluded), exactly as
it runs inside the solver's while loop. A Rodas5P step costs one Jacobian, one
right-hand side plus its time derivative (JVP), ``stages - 1`` further right-hand sides,
one sparse LU factorisation and ``stages`` triangular solves; the table scales each
component by that count and compares the sum with a measured full solve (steps x time
per step). Writes ``benchmarks/results/solver_profile_<model>.md``.
"""

from __future__ import annotations

import argparse
import re
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
from mechsim.solver import Rodas5P, solver_jit  # noqa: E402
from mechsim.solver._lanes import CPU_LANE_BATCH  # noqa: E402
from mechsim.solver._sparse_lu import SparsityPattern, sparse_lu  # noqa: E402

REPS = 200
#: HLO opcodes that launch nothing at run time (aliases, constants, tuple plumbing)
_NO_KERNEL = {"get-tuple-element", "bitcast", "constant", "tuple", "parameter"}


def _kernel_counts(hlo: str) -> tuple[int, int]:
    """Kernels launched per step outside the stage loop and per stage, from optimized HLO.

    The step loop is the while loop whose body holds another while loop of more than 50
    instructions (the stage ``fori_loop``). Every instruction of a loop body or condition
    that is not in ``_NO_KERNEL`` counts as one launch; a while loop nested in a body
    counts once, not per trip (the dense-output scatter loop). Per step: the step body
    and condition, and one extra stage condition (the loop's exit test); per stage: the
    stage body and condition.
    """
    comps: dict[str, list[str]] = {}
    cur = None
    for line in hlo.splitlines():
        m = re.match(r"^(?:ENTRY )?%?([\w.\-]+) .*\{$", line)
        if m:
            cur = comps.setdefault(m.group(1), [])
        elif cur is not None and line.startswith("  "):
            cur.append(line)

    def loops(name: str) -> list[tuple[str, str]]:
        text = "\n".join(comps.get(name, []))
        return re.findall(r" while\(.*?condition=%?([\w.\-]+), body=%?([\w.\-]+)", text)

    def launches(name: str) -> int:
        # the result shape is one token or a parenthesised tuple (which contains spaces)
        ops = (re.search(r"= (?:\(.*?\)|\S+) ([\w\-]+)\(", x) for x in comps[name])
        return sum(1 for o in ops if o and o.group(1) not in _NO_KERNEL)

    for name in list(comps):
        for cond, body in loops(name):
            inner = [(c, b) for c, b in loops(body) if len(comps.get(b, [])) > 50]
            if inner:
                stage_cond, stage_body = inner[0]
                per_stage = launches(stage_body) + launches(stage_cond)
                return launches(body) + launches(cond) + launches(stage_cond), per_stage
    raise RuntimeError("no step loop with a stage loop found in the optimized HLO")


def _time(fn, *args) -> float:
    """Seconds per repetition of ``fn`` (compiled first; median of 3 runs)."""
    f = solver_jit(fn)
    jax.block_until_ready(f(*args))
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        jax.block_until_ready(f(*args))
        runs.append(time.perf_counter() - t0)
    return float(np.median(runs)) / REPS


def _repeat(body):
    """``x -> fori_loop(REPS, x + 1e-300 * body(x))``: keeps every repetition live."""

    def run(y, p):
        def step(_, acc):
            return acc + 1e-300 * body(acc, p)

        return jax.lax.fori_loop(0, REPS, step, y)

    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", default="trofosfamide")
    ap.add_argument("--batch", type=int, default=CPU_LANE_BATCH)
    args = ap.parse_args()
    prob = build_problem(args.model, args.batch)
    cm, B = prob.model, args.batch
    y, p = jnp.asarray(prob.y0), jnp.asarray(prob.p)
    pattern = SparsityPattern.from_array(np.asarray(cm.sparsity))
    lu = sparse_lu(pattern)
    stages = Rodas5P().tableau.stages
    diag = np.asarray(pattern.rows) == np.asarray(pattern.cols)

    base = jnp.where(diag, 1.0, 0.0) - 1e-3 * jax.jit(cm.jac_values)(0.0, y[0], p[0])
    # one factorisation per lane, as in the solver (shared factors would make the solves
    # read one (nnz,) vector instead of (nnz, lanes) and look cheaper than they are)
    factors = jax.jit(jax.vmap(lambda q: lu.factor(base * (1.0 + 1e-9 * jnp.sum(q)))[0]))(p)

    def factor_sum(yy, pp):
        a = lu.factor(base + 1e-9 * jnp.sum(yy))[0]["a"]
        return jnp.sum(jnp.stack(list(a.values()))) + 0.0 * yy

    comps = {
        "right-hand side": (jax.vmap(_repeat(lambda yy, pp: cm.rhs(0.0, yy, pp))), stages),
        "Jacobian values": (jax.vmap(_repeat(lambda yy, pp: jnp.sum(cm.jac_values(0.0, yy, pp)) + 0.0 * yy)), 1),
        "sparse LU factor": (jax.vmap(_repeat(factor_sum)), 1),
        "triangular solves": (jax.vmap(_repeat(lambda yy, ff: lu.solve(ff, yy))), stages),
    }  # fmt: skip
    rows = []
    for name, (fn, count) in comps.items():
        per = _time(fn, y, factors if name == "triangular solves" else p) / B
        rows.append((name, per, count))
        print(f"{name:20s} {per * 1e6:8.2f} us per lane x {count}", flush=True)

    point = rosenbrock_point(prob)

    def solve_all(yy, pp):
        return point(yy, pp)[1]

    f = solver_jit(jax.vmap(solve_all))
    steps = np.asarray(jax.block_until_ready(f(y, p)))
    wall = np.inf
    for _ in range(5):  # best of 5: one run is at the mercy of background load
        t0 = time.perf_counter()
        jax.block_until_ready(f(y, p))
        wall = min(wall, time.perf_counter() - t0)
    per_step = wall / B / steps.max()
    est = sum(per * c for _, per, c in rows)
    outer, per_stage = _kernel_counts(f.lower(y, p).compile().as_text())
    kernels = outer + stages * per_stage
    lines = [
        f"# Solver profile: {args.model} ({cm.n_states} states, {pattern.nnz} Jacobian nonzeros, "
        f"LU fill {lu.fill})",
        "",
        f"Batch {B} (jit(vmap), the solver's XLA options), CPU {jax.devices()[0].device_kind}, {time.strftime('%Y-%m-%d')}. "
        f"Full solve (best of 5): {wall:.3f} s for {B} trajectories, max {steps.max()} / mean {steps.mean():.0f} "
        f"steps; the batch runs max-steps iterations, so {per_step * 1e6:.1f} us per lane-step.",
        "",
        "| component | us per lane | per step | us per lane-step | share of step |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, per, c in rows:
        lines.append(
            f"| {name} | {per * 1e6:.2f} | {c} | {per * c * 1e6:.2f} | {per * c / per_step:.0%} |"
        )
    lines.append(f"| other (step control, dense output, masking, loop) | | | "
                 f"{(per_step - est) * 1e6:.2f} | {(per_step - est) / per_step:.0%} |")  # fmt: skip
    lines += ["", "'other' is the measured step minus the sum of the rows (Jacobian and LU rows "
              "include a sum of their outputs, needed to keep them live).", "",
              f"Kernel launches per step (optimized HLO of the full solve): {outer} outside "
              f"the stage loop + {stages} x {per_stage} per stage = {kernels}, each over "
              f"the batch's {B} lanes, so {per_step * B / kernels * 1e9:.0f} ns of wall time "
              "per launch. XLA:CPU runs each launch as a separate kernel through its thunk "
              "executor. That per-launch overhead rather than arithmetic limits a step is a "
              "hypothesis this script does not test; an ad hoc `perf record` of the 64-lane "
              "solve (2026-12-05) put about 40 % of CPU samples in the compiled kernels and "
              "the rest in XLA's thunk executor and its thread pool."]  # fmt: skip
    text = "\n".join(lines) + "\n"
    out = ROOT / "benchmarks" / "results" / f"solver_profile_{args.model}.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
