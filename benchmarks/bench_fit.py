"""Fitting benchmarks: objective+gradient cost, multi-start fits, scipy comparison.

Usage::

    python benchmarks/bench_fit.py boehm [--starts 50]      # Boehm: llh, convergence, timing
    python benchmarks/bench_fit.py petab NAME [--starts N]  # Fujita, Armistead, ...
    python benchmarks/bench_fit.py gradient                 # fwd vs bwd on the release problem

Compile once, ``block_until_ready``, median of repeated runs, compile time separately;
the scipy comparison runs in the same process on the same objective. Results go to
``benchmarks/results/fit_<name>.json`` and ``.md`` with the machine description.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PETAB = ROOT.parent / "shared" / "petab"
RESULTS = ROOT / "benchmarks" / "results"
REFERENCE_BOEHM = -138.22199693517703


def machine() -> dict:
    """Machine description recorded beside every number."""
    return {"platform": platform.platform(), "python": platform.python_version(),
            "jax": jax.__version__, "cpu_count": os.cpu_count(),
            "devices": [str(d) for d in jax.devices()],
            "note": "2-core CPU shared with other jobs; wall times are upper bounds"}  # fmt: skip


def median_time(fn, *args, repeats: int = 10) -> tuple[float, float]:
    """(compile+first call s, median of ``repeats`` calls s)."""
    t0 = time.perf_counter()
    jax.block_until_ready(fn(*args))
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - t0)
    return first, float(np.median(times))


def scipy_fit(problem, starts: np.ndarray, max_nfev: int = 2000) -> dict:
    """Multi-start ``scipy.optimize.minimize(L-BFGS-B)`` with finite-difference gradients.

    (``least_squares`` needs residuals; a likelihood-only objective with estimated
    sigmas has none, so its bounded quasi-Newton counterpart is used on the identical
    objective. Where the problem has residuals, ``least_squares`` is also run.)
    """
    from scipy.optimize import least_squares, minimize

    f = jax.jit(problem.objective)
    jax.block_until_ready(f(problem.x_nominal))
    bounds = list(zip(problem.lower, problem.upper, strict=True))
    t0 = time.perf_counter()
    fvals, nfev = [], 0
    for x0 in starts:
        res = minimize(lambda x: float(f(x)), x0, method="L-BFGS-B", bounds=bounds,
                       options={"maxfun": max_nfev})  # fmt: skip
        fvals.append(res.fun)
        nfev += res.nfev
    out = {"lbfgsb_fd_wall_s": time.perf_counter() - t0, "lbfgsb_fd_best": float(np.min(fvals)),
           "lbfgsb_fd_nfev": nfev, "lbfgsb_fd_fvals": sorted(map(float, fvals))}  # fmt: skip
    if problem.residual_fn is not None:
        r = jax.jit(problem.residuals)
        t0 = time.perf_counter()
        best = np.inf
        for x0 in starts:
            res = least_squares(lambda x: np.asarray(r(x)), x0, jac="2-point",
                                bounds=(problem.lower, problem.upper), max_nfev=max_nfev)  # fmt: skip
            best = min(best, float(problem.objective(res.x)))
        out |= {"least_squares_fd_wall_s": time.perf_counter() - t0, "least_squares_fd_best": best}
    return out


def bench_petab(name: str, starts: int, scipy_starts: int, max_steps: int = 300,
                polish_steps: int = 200, rtol: float = 1e-8, atol: float = 1e-12) -> dict:
    """Objective+gradient timing, a multi-start fit, and the scipy comparison.

    The fit is what ``mechsim petab fit --method auto`` runs: with normal noise
    everywhere Levenberg-Marquardt (``max_steps``) then a BFGS polish (``polish_steps``),
    else BFGS; ``rtol``/``atol`` are the integrator's tolerances.
    """
    import optimistix as optx

    from mechsim.fit import Problem, fit

    yaml = PETAB / name / f"{name}.yaml"
    prob = Problem.from_petab(yaml, rtol=rtol, atol=atol)
    x = np.asarray(prob.x_nominal)
    f_first, f_med = median_time(jax.jit(prob.objective), x)
    g_first, g_med = median_time(jax.jit(prob.value_and_grad), x)
    print(f"objective {f_med:.4f} s, +gradient {g_med:.4f} s; fitting ...", flush=True)

    def progress(done, total, best, elapsed):
        print(f"  {done}/{total} starts done, best {best:.6f}, {elapsed:.0f} s", flush=True)

    if prob.residual_fn is not None:
        optimizer = optx.LevenbergMarquardt(rtol=1e-6, atol=1e-6)
        polish = optx.BFGS(rtol=1e-8, atol=1e-8) if polish_steps > 0 else None
    else:
        optimizer, polish = optx.BFGS(rtol=1e-8, atol=1e-8), None
    result = fit(prob, starts=starts, optimizer=optimizer, max_steps=max_steps, progress=progress,
                 polish=polish, polish_steps=polish_steps)  # fmt: skip
    out = {
        "problem": name, "n_parameters": prob.n, "llh_nominal": -float(prob.objective(x)),
        "integrator_rtol": rtol, "integrator_atol": atol, "n_starts": starts,
        "optimizer": result.optimizer, "max_steps": max_steps, "polish_steps": polish_steps,
        "objective_s": f_med, "objective_compile_s": f_first,
        "objective_and_gradient_fwd_s": g_med, "objective_and_gradient_compile_s": g_first,
        "fit": {k: v for k, v in result.summary().items() if k not in ("fvals", "n_steps")},
        "fit_fvals": [float(v) for v in result.fvals],
    }  # fmt: skip
    if name.startswith("Boehm"):
        out["reference_llh"] = REFERENCE_BOEHM
        reached = -result.fvals >= REFERENCE_BOEHM - 1e-3
        out["n_starts_reaching_reference"] = int(reached.sum())
        out["fraction_reaching_reference"] = float(reached.mean())
    if scipy_starts:
        sp = scipy_fit(prob, result.x_starts[:scipy_starts])
        out["scipy"] = sp | {"n_starts": scipy_starts}
        per_start_scipy = sp["lbfgsb_fd_wall_s"] / scipy_starts
        out["scipy_per_start_s"] = per_start_scipy
        out["mechsim_per_start_s"] = result.wall_s / starts
        out["speedup_per_start"] = per_start_scipy / (result.wall_s / starts)
    return out


def bench_gradient() -> dict:
    """Forward sensitivities vs reverse mode on the pH-release problem (5 conditions)."""
    from tests.fit.problems import release_problem

    out = {}
    for mode in ("fwd", "bwd"):
        prob = release_problem(gradient=mode)
        x = np.asarray(prob.x_nominal)
        first, med = median_time(jax.jit(prob.value_and_grad), x)
        out[mode] = {"value_and_grad_s": med, "compile_s": first,
                     "grad": np.asarray(prob.value_and_grad(x)[1]).tolist()}  # fmt: skip
    out["max_rel_diff_fwd_bwd"] = float(np.max(np.abs(np.subtract(out["fwd"]["grad"],
                                       out["bwd"]["grad"])) / np.abs(out["fwd"]["grad"])))  # fmt: skip
    return out


def write(name: str, data: dict) -> None:
    """Write ``fit_<name>.json`` and a short Markdown table."""
    data = {"machine": machine(), **data}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"fit_{name}.json").write_text(json.dumps(data, indent=2, default=float) + "\n")
    lines = [f"# fit benchmark: {name}", "", "| quantity | value |", "|---|---|"]
    for k, v in data.items():
        if isinstance(v, int | float | str):
            lines.append(f"| {k} | {v} |")
        elif isinstance(v, dict):
            for k2, v2 in v.items():
                if isinstance(v2, int | float | str):
                    lines.append(f"| {k}.{k2} | {v2} |")
    (RESULTS / f"fit_{name}.md").write_text("\n".join(lines) + "\n")
    print(json.dumps({k: v for k, v in data.items() if k != "fit_fvals"}, indent=2, default=float))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("what", choices=["boehm", "petab", "gradient"])
    ap.add_argument("name", nargs="?", default="Boehm_JProteomeRes2014")
    ap.add_argument("--starts", type=int, default=50)
    ap.add_argument("--scipy-starts", type=int, default=10)
    ap.add_argument("--max-steps", type=int, default=300)
    ap.add_argument("--polish-steps", type=int, default=200)
    ap.add_argument("--rtol", type=float, default=1e-8)
    ap.add_argument("--atol", type=float, default=1e-12)
    args = ap.parse_args()
    opts = {"polish_steps": args.polish_steps, "rtol": args.rtol, "atol": args.atol}
    if args.what == "boehm":
        write("boehm", bench_petab("Boehm_JProteomeRes2014", args.starts, args.scipy_starts,
                                   args.max_steps, **opts))
    elif args.what == "petab":
        write(args.name.split("_")[0].lower(),
              bench_petab(args.name, args.starts, args.scipy_starts, args.max_steps, **opts))
    else:
        write("gradient", bench_gradient())


if __name__ == "__main__":
    main()
