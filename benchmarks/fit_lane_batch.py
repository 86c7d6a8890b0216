"""Starts per vmapped group in a multi-start fit (``fit(..., lane_batch=)``) on Boehm.

Usage::

    python benchmarks/fit_lane_batch.py [--starts 50] [--max-steps 60]

The same 50 Latin-hypercube starts, Levenberg-Marquardt for ``--max-steps`` steps, run as
one vmap (``None``), in groups of 5, and one start at a time (1), in one process; the
wall time includes each setting's own compile. Records
``benchmarks/results/fit_lane_batch_boehm.{json,md}``.
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
    ap.add_argument("--starts", type=int, default=50)
    ap.add_argument("--max-steps", type=int, default=60)
    args = ap.parse_args()
    name = "Boehm_JProteomeRes2014"
    rows = []
    for lane_batch in (None, 5, 1):
        # a fresh problem per setting: nothing compiled is shared between settings
        prob = Problem.from_petab(PETAB / name / f"{name}.yaml")
        t0 = time.perf_counter()
        res = fit(prob, starts=args.starts, optimizer=optx.LevenbergMarquardt(rtol=1e-6, atol=1e-6),
                  max_steps=args.max_steps, lane_batch=lane_batch)  # fmt: skip
        rows.append({"lane_batch": lane_batch, "wall_s": time.perf_counter() - t0,
                     "best_nllh": float(res.fval_best), "fvals": res.fvals.tolist()})  # fmt: skip
        print(f"lane_batch {lane_batch}: {rows[-1]['wall_s']:.1f} s, best {res.fval_best:.5f}",
              flush=True)  # fmt: skip
    same = all(np.allclose(r["fvals"], rows[0]["fvals"], rtol=1e-8) for r in rows)
    out = {"machine": machine(), "problem": name, "n_starts": args.starts,
           "optimizer": "LevenbergMarquardt(rtol=1e-6, atol=1e-6)", "max_steps": args.max_steps,
           "same_end_values": same, "results": rows}  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "fit_lane_batch_boehm.json").write_text(json.dumps(out, indent=2) + "\n")
    lines = [f"# Starts per vmapped group: {name}", "",
             f"{args.starts} Latin-hypercube starts, Levenberg-Marquardt, {args.max_steps} steps, "
             "wall time including compile, one process (`benchmarks/fit_lane_batch.py`); end "
             f"values identical across settings: {same}.", "",
             "| lane_batch | wall s | best nllh |", "|---|---:|---:|"]  # fmt: skip
    lines += [f"| {r['lane_batch']} | {r['wall_s']:.1f} | {r['best_nllh']:.5f} |" for r in rows]
    (RESULTS / "fit_lane_batch_boehm.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
