"""Least-squares calibration of the trofosfamide mechanism against kinetics.md targets.

Usage::

    python benchmarks/calibrate_trofosfamide.py [--max-steps 60] [--starts 3] [--seed 0]
                                                [--no-write]

Method
------
* Targets and simulated experiments: ``mechsim.mechanisms.trofosfamide._targets`` and
  ``._experiments`` (Preiss 2004 oral PK, IFO and CP IV urinary recovery, 4-OH-CP in
  blood, PM chemistry in buffer after Shulman-Roskes 1998 / Hemminki 1987, PM-G adduct
  decay after Mehta 1980), expressed as pure JAX functions of the log10 parameters by
  :func:`mechsim.mechanisms.trofosfamide.calibration_problem`.
* Residual of target *i*: ``log(model_i / literature_i) / width_i`` (``width_i``: log of
  the target's acceptance half-width), so every target weighs the same at its tolerance;
  cost ``0.5 * sum(r**2)``.
* Fit: optimistix Levenberg-Marquardt through :func:`mechsim.fit.fit`, with the exact
  Jacobian (forward sensitivities through the Rosenbrock solver, no finite differences),
  on log10 scale inside the declared bounds. Starts: the current ``CALIBRATED`` values plus
  ``--starts`` perturbed copies (log10 + N(0, 0.2), seed ``--seed``), advanced as one
  vmapped batch.
* Stage A fits the buffer chemistry (4 parameters, 4 targets); stage B the whole-body PK
  and metabolism (14 parameters, 14 targets: a square system) with stage A fixed, on a
  0-96 h grid (0.05 h, rtol 1e-7, sparse LU).
* The fitted values replace the ``CALIBRATED`` block of
  ``mechsim/mechanisms/trofosfamide/_parameters.py`` only when their total cost is not
  higher than that of the current values (and never with ``--no-write``); the report goes
  to ``benchmarks/results/trofosfamide_calibration.{json,md}``, evaluated with the numpy
  ``Evaluator`` on the test grid (0-672 h, rtol 1e-8).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import time
from pathlib import Path

import numpy as np

from mechsim.fit import FitResult, Problem, fit
from mechsim.mechanisms.trofosfamide import TargetModel, calibration_problem
from mechsim.mechanisms.trofosfamide._parameters import CALIBRATED
from mechsim.mechanisms.trofosfamide._targets import TARGETS, Evaluator

ROOT = Path(__file__).resolve().parents[1]
PARAMS_FILE = ROOT / "mechsim/mechanisms/trofosfamide/_parameters.py"
RESULTS = ROOT / "benchmarks/results"
#: sd (log10 units) of the perturbed starts: a factor ~1.6 either way (assumed: wide
#: enough to test convergence, narrow enough that every lane stays in a physiological regime)
START_SD = 0.2
METHOD = (
    "optimistix Levenberg-Marquardt via mechsim.fit.fit (rtol = atol = 1e-8), exact "
    "forward-mode Jacobian (forward sensitivities through the Rosenbrock solver)"
)


def starts(problem: Problem, n_perturbed: int, seed: int) -> np.ndarray:
    """The current values (first row) and ``n_perturbed`` log10-normal perturbations."""
    rng = np.random.default_rng(seed)
    x0 = problem.x_nominal
    pert = x0 + START_SD * rng.standard_normal((n_perturbed, problem.n))
    return problem.in_bounds(np.vstack([x0, pert]))


def _progress(done: int, n: int, best: float, elapsed: float) -> None:
    print(f"  {done}/{n} starts done, best cost {best:.4g}, {elapsed:.0f} s", flush=True)


def run_stage(
    problem: Problem, n_perturbed: int, seed: int, max_steps: int
) -> tuple[dict[str, float], dict]:
    """Fit ``problem``; return the best values (declared units) and a JSON-ready summary."""
    cost_start = float(problem.objective(problem.x_nominal))
    print(f"  cost at the current values {cost_start:.4g}", flush=True)
    result: FitResult = fit(problem, starts=starts(problem, n_perturbed, seed),
                            max_steps=max_steps, chunk=5, progress=_progress)  # fmt: skip
    fitted = result.best_parameters()
    current = problem.to_declared(problem.x_nominal)
    best = result.fvals <= result.fval_best + result.tol_best
    stored = np.log10([float(f"{fitted[n]:.6g}") for n in problem.names])
    summary = {
        "cost": result.fval_best,
        "cost_start": cost_start,
        "n_steps": int(result.n_steps[0]),
        "status": result.messages[0],
        "message": result.messages[0],
        "n_starts": result.n_starts,
        "n_converged_to_best": result.n_converged_to_best,
        "fvals": [float(v) for v in result.fvals],
        "wall_s": result.wall_s,
        "compile_s": result.compile_s,
        "cost_stored": float(problem.objective(stored)),
        "max_rel_change": max(abs(fitted[k] / current[k] - 1.0) for k in fitted),
        "spread_log10": float(np.max(np.abs(result.x[best] - result.x_best))),
        "start": current,
    }
    print(f"  cost {cost_start:.4g} -> {result.fval_best:.4g}; {result.n_steps.tolist()} "
          f"steps; {result.wall_s:.0f} s (compile {result.compile_s:.0f} s)", flush=True)  # fmt: skip
    return fitted, summary


def write_calibrated(values: dict[str, float]) -> bool:
    """Replace the generated CALIBRATED block of ``_parameters.py`` (6 significant digits);
    return whether its text changed."""
    text = PARAMS_FILE.read_text()
    body = "".join(f'    "{k}": {v:.6g},\n' for k, v in sorted(values.items()))
    block = f"CALIBRATED: dict[str, float] = {{\n{body}}}\n"
    pattern = r"CALIBRATED: dict\[str, float\] = \{.*?\}\n(?=# END CALIBRATED)"
    new, n = re.subn(pattern, block, text, flags=re.S)
    if n != 1:
        raise RuntimeError(f"could not find the CALIBRATED block in {PARAMS_FILE}")
    if new != text:
        PARAMS_FILE.write_text(new)
    return new != text


def report(values: dict[str, float], stages: dict, seconds: float, outcome: str) -> None:
    """Evaluate every target on the test grid and write the JSON and Markdown reports."""
    model = Evaluator().evaluate(values)
    rows = [
        {"target": t.name, "literature": t.value, "accept_lo": t.lo, "accept_hi": t.hi,
         "unit": t.unit, "model": model[t.name], "ok": t.ok(model[t.name]), "fitted": t.fitted,
         "source": t.source, "tolerance": t.tolerance_reason}
        for t in TARGETS
    ]  # fmt: skip
    machine = (
        f"{platform.node()} {platform.machine()} {platform.processor()} "
        f"python {platform.python_version()}"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"parameters": values, "stages": stages, "targets": rows, "runtime_s": seconds,
               "machine": machine, "method": METHOD, "outcome": outcome}  # fmt: skip
    (RESULTS / "trofosfamide_calibration.json").write_text(json.dumps(payload, indent=2))
    lines = [
        "# Trofosfamide calibration",
        "",
        f"Generated by `benchmarks/calibrate_trofosfamide.py` in {seconds:.0f} s on {machine}.",
        f"Method: {METHOD}.",
        "",
        "| target | literature | accepted | model | ok | fitted | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['target']} | {r['literature']:.4g} {r['unit']} "
            f"| {r['accept_lo']:.3g}-{r['accept_hi']:.3g} | {r['model']:.4g} "
            f"| {'yes' if r['ok'] else '**no**'} | {'yes' if r['fitted'] else 'no'} "
            f"| {r['source']} |"
        )
    lines += ["", "## Fitted parameters", "", "| parameter | start | fitted |", "|---|---|---|"]
    for st in stages.values():
        for k, v0 in st["start"].items():
            lines.append(f"| {k} | {v0:.6g} | {values[k]:.6g} |")
    lines += ["", "## Stages", ""]
    for name, st in stages.items():
        lines.append(
            f"* {name}: cost {st['cost_start']:.4g} at the start values -> {st['cost']:.4g}, "
            f"{st['n_steps']} LM steps ({st['n_converged_to_best']} of {st['n_starts']} starts "
            f"reach the best), {st['message']}, {st['wall_s']:.0f} s "
            f"(compile {st['compile_s']:.0f} s); starts reaching the best agree to "
            f"{st['spread_log10']:.1g} in log10; largest change from the start values "
            f"{100 * st['max_rel_change']:.2g} %; cost at the 6 stored digits "
            f"{st['cost_stored']:.3g}"
        )
    lines += ["", f"CALIBRATED block: {outcome}."]
    (RESULTS / "trofosfamide_calibration.md").write_text("\n".join(lines) + "\n" + NOTES)


NOTES = """
## Targets the model does not meet

* **cmax_4oh_tro** (10-13 uM, Preiss 2004): 4-OH-TRO is confined to the 15 L central volume
  (assumed) and decays fast (beta-elimination, fitted to the AUC ratio 1.59 with CL/F fixed by
  Preiss), so its peak tracks the TRO input and overshoots (~24 uM). A 10-13 uM peak with the
  same AUC needs a larger distribution volume or slower turnover of 4-OH-TRO than assumed;
  NOT FOUND in kinetics.md, left for a structural revision (separate V for 4-OH metabolites).
* **cmax_ifo** (10-13 uM, Preiss 2004): with the cited IFO clearance (3.03 L/h) and volume
  (44 L, Kerbusch 2001) the IFO AUC ratio 6.9 is reached with a Cmax near 7 uM; a 10-13 uM
  peak with the same AUC would need a smaller volume than Kerbusch's. The fit keeps the
  cited disposition and matches the AUC.
* **ifo_half_life** (5.5-7 h at 1-2 g/m2): Kerbusch's pretreatment CL0 3.03 L/h and V 44 L give
  10 h before induction; the autoinduction (t1/2 11.5 h, EC50 33 uM, maximal doubling) only
  shortens it to ~8 h in the 4-24 h window after a 1.5 g/m2 bolus. The label's 5.5-7 h and
  Kerbusch's pretreatment values come from different populations; no fitted parameter
  controls this quantity.

These three are explicit strict xfails in tests/trofosfamide/test_calibration.py.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--max-steps", type=int, default=60, help="LM steps per start")
    ap.add_argument(
        "--starts", type=int, default=3, help="perturbed starts besides the current values"
    )
    ap.add_argument("--seed", type=int, default=0, help="seed of the perturbed starts")
    ap.add_argument("--no-write", action="store_true", help="do not rewrite _parameters.py")
    args = ap.parse_args()
    t0 = time.time()
    model = TargetModel()
    print("stage A: buffer chemistry", flush=True)
    fit_a, st_a = run_stage(calibration_problem("A", model=model), args.starts, args.seed,
                            args.max_steps)  # fmt: skip
    print("stage B: whole-body PK and metabolism", flush=True)
    fit_b, st_b = run_stage(calibration_problem("B", model=model, fixed=fit_a), args.starts,
                            args.seed, args.max_steps)  # fmt: skip
    values = {**CALIBRATED, **fit_a, **fit_b}
    better = st_a["cost"] + st_b["cost"] <= st_a["cost_start"] + st_b["cost_start"]
    if not better:
        outcome = "left unchanged (the fit is worse than the current values)"
    elif args.no_write:
        outcome = "left unchanged (--no-write)"
    elif write_calibrated(values):
        outcome = "rewritten with the fitted values"
    else:
        outcome = "unchanged (the fitted values equal the current ones to the 6 stored digits)"
    print(f"CALIBRATED block: {outcome}", flush=True)
    stages = {"A (buffer chemistry)": st_a, "B (whole body)": st_b}
    report(values, stages, time.time() - t0, outcome)
    print(json.dumps(values, indent=2))


if __name__ == "__main__":
    main()
