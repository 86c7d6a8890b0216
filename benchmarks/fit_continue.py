"""Continue the best start of a recorded PEtab fit with a larger step budget.

Usage::

    python benchmarks/fit_continue.py Fujita_SciSignal2010 [--max-steps 1000]

Reads ``benchmarks/results/fit_<name>.json`` (written by ``bench_fit.py petab``), restarts
Levenberg-Marquardt (then a BFGS polish) from its best end point with the same integrator
settings, and records ``fit_<name>_continued.json``: whether the basin that start found
leads to the reference optimum when the optimiser is given more steps.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_fit import PETAB, RESULTS, machine  # noqa: E402


def main() -> None:
    import optimistix as optx

    from mechsim.fit import Problem, fit

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("name")
    ap.add_argument("--max-steps", type=int, default=1000)
    ap.add_argument("--polish-steps", type=int, default=500)
    args = ap.parse_args()
    short = args.name.split("_")[0].lower()
    rec = json.loads((RESULTS / f"fit_{short}.json").read_text())
    prob = Problem.from_petab(PETAB / args.name / f"{args.name}.yaml", rtol=rec["integrator_rtol"],
                              atol=rec["integrator_atol"],
                              solver_max_steps=rec.get("solver_max_steps", 100_000))  # fmt: skip
    x0 = np.array([rec["fit"]["best_x_on_scale"][n] for n in prob.names])
    t0 = time.perf_counter()
    res = fit(prob, starts=x0[None], optimizer=optx.LevenbergMarquardt(rtol=1e-8, atol=1e-8),
              max_steps=args.max_steps, polish=optx.BFGS(rtol=1e-8, atol=1e-8),
              polish_steps=args.polish_steps,
              progress=lambda d, n, b, e: print(f"  best {b:.6f}, {e:.0f} s", flush=True))  # fmt: skip
    out = {"machine": machine(), "problem": args.name, "from": f"fit_{short}.json best start",
           "llh_start": -float(rec["fit"]["best_nllh"]), "llh_end": -float(res.fval_best),
           "lm_max_steps": args.max_steps, "polish_steps": args.polish_steps,
           "n_steps": int(res.n_steps[0]), "status": res.messages[0],
           "wall_s": time.perf_counter() - t0,
           "x_end_on_scale": dict(zip(prob.names, map(float, res.x_best), strict=True))}  # fmt: skip
    path = RESULTS / f"fit_{short}_continued.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "x_end_on_scale"}, indent=2))


if __name__ == "__main__":
    main()
