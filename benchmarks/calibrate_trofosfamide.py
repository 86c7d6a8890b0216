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
* Fit: :func:`mechsim.fit.fit` with its default optimiser (since issue #22 the fides
  trust region, :class:`mechsim.fit.TrustRegion`, with the exact Jacobian from forward
  sensitivities through the Rosenbrock solver and Fisher-information curvature; the
  recorded ``trofosfamide_calibration`` results were produced before, with optimistix
  Levenberg-Marquardt advanced as one vmapped batch, and have not been re-run), on log10
  scale inside the declared bounds. Starts: the current ``CALIBRATED`` values plus
  ``--starts`` perturbed copies (log10 + N(0, 0.2), seed ``--seed``).
* Stage A fits the buffer chemistry (4 parameters, 4 targets: each a single in-vitro
  measurement inverted to its rate); stage B the whole-body PK and metabolism (12
  parameters, 13 targets) with stage A fixed, on a 0-96 h grid (0.05 h, rtol 1e-7, sparse
  LU). Targets with ``fitted=False`` and the IFO clearance checks are held out.
* The fitted values replace the ``CALIBRATED`` block of
  ``mechsim/mechanisms/trofosfamide/_parameters.py`` only when their total cost is not
  higher than that of the current values (and never with ``--no-write``); the report goes
  to ``benchmarks/results/trofosfamide_calibration.{json,md}``, evaluated by the same JAX
  target functions (``Evaluator``) on the test grid (0-672 h, rtol 1e-8).
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


def autoinduction(values: dict[str, float]) -> list[dict]:
    """Held-out checks of IFO clearance: Kerbusch 2001 CL0 and the label's day 1 -> day 5 change.

    IFO 2 g/m2 IV bolus daily for 5 days (the label's multi-day 1.6-2.4 g/m2/day); half-lives
    from a log-linear fit 4-24 h after the first and the fifth dose, clearance as dose over the
    AUC to infinity on day 1 (extrapolated with the day-1 slope) and dose over the day-5
    dosing-interval AUC (steady state).
    """
    import mechsim
    from mechsim.dosing import Dose, Regimen
    from mechsim.mechanisms.trofosfamide import build_network
    from mechsim.mechanisms.trofosfamide._target_list import MW_IFO

    times = np.arange(0.0, 120.0 + 1e-9, 0.05)
    dose = Dose("ifosfamide", "plasma", 2000.0, "mg/m**2", molar_mass=MW_IFO)
    reg = Regimen.repeated(dose, interval=24.0, n=5)
    res = mechsim.simulate(build_network(), reg, times, params=values, rtol=1e-8, atol=1e-14,
                           linear_solver="dense")
    c = np.asarray(res.get("ifosfamide", "plasma"))
    umol = dose.amount_umol(mechsim.dosing.Patient())

    def window(lo, hi):
        m = (times >= lo) & (times <= hi)
        slope = np.polyfit(times[m], np.log(c[m]), 1)[0]
        return m, -np.log(2.0) / slope, -slope

    _, t1, k1 = window(4.0, 24.0 - 1e-9)
    _, t5, _ = window(100.0, 120.0)
    d1 = times < 24.0 - 1e-9
    cl1 = umol / (np.trapezoid(c[d1], times[d1]) + c[d1][-1] / k1) * 1000.0 / 60.0  # L/h -> mL/min
    d5 = times >= 96.0
    cl5 = umol / np.trapezoid(c[d5], times[d5]) * 1000.0 / 60.0
    label = "IFEX label (kinetics.md): t1/2 7.2 -> 4.6 h, CL 66 -> 115 mL/min, day 1 -> day 5"
    return [
        {"check": "ifo_cl0 (parameter)", "literature": "3.03 L/h", "model": f"{values['CL0_IFO']:.3g} L/h",
         "source": "Kerbusch et al. 2001, PMID 11699611 (72-h infusion)"},
        {"check": "ifo_half_life day 1", "literature": "7.2 h", "model": f"{t1:.3g} h", "source": label},
        {"check": "ifo_half_life day 5", "literature": "4.6 h", "model": f"{t5:.3g} h", "source": label},
        {"check": "ifo_clearance day 1", "literature": "66 mL/min", "model": f"{cl1:.3g} mL/min", "source": label},
        {"check": "ifo_clearance day 5", "literature": "115 mL/min", "model": f"{cl5:.3g} mL/min", "source": label},
    ]


def report(values: dict[str, float], stages: dict, seconds: float, outcome: str) -> None:
    """Evaluate every target on the test grid and write the JSON and Markdown reports."""
    model = Evaluator().evaluate(values)
    induction = autoinduction(values)
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
               "machine": machine, "method": METHOD, "outcome": outcome,
               "ifo_clearance_checks": induction}  # fmt: skip
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
    n_fit = sum(r["fitted"] for r in rows)
    held = [r for r in rows if not r["fitted"]]
    lines += [
        "",
        f"{n_fit} targets fitted ({sum(len(s['start']) for s in stages.values())} free parameters over "
        f"the two stages); {len(held)} held out, of which {sum(r['ok'] for r in held)} land in their "
        "interval. The urine fractions of IFO, 2-/3-DCE-IFO and unchanged CP are held out, but their "
        "clearance shares are set from the same urinary numbers (derived parameters), so they test "
        "the model's structure (what else competes for the dose), not independent data.",
        "",
        "## IFO clearance checks (held out)",
        "",
        "| check | literature | model | source |",
        "|---|---|---|---|",
        *(f"| {r['check']} | {r['literature']} | {r['model']} | {r['source']} |" for r in induction),
    ]
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
## What changed in this recalibration (issue #17)

* Stage B had 14 free parameters for 14 targets; it now has 12 for 13: the three Preiss 2004
  Cmax values and the IFO IV half-life (label) are fitted with the AUC ratios, and the urine
  fractions of IFO, 2-/3-DCE-IFO and unchanged CP are no longer fitted (their clearance shares
  are derived from the urinary numbers, see the parameters) but held out.
* New structure: the 4-OH metabolites distribute into a tissue pool (partition `Kp_4OH`,
  fitted), assuming they cross membranes as 4-OH-CP is usually described to (the transport
  form; not in kinetics.md); before, they were confined
  to the 15 L central volume and the 4-OH-TRO peak overshot (23.5 uM).
* `CL0_IFO` is fitted (label t1/2 5.5-7 h and the Preiss IFO peak); Kerbusch 2001's 3.03 L/h
  is a held-out check (table above): it comes from a 72-h infusion population, and with it
  the IFO t1/2 after 1.5 g/m2 was 8.2 h and the IFO peak 6.7 uM.

## Targets the model does not meet

* **auc_ratio_4oh_tro** (fitted, 1.59 +- 20 %) and **cmax_4oh_tro** (fitted, 10-13 uM): one
  conflict. 4-OH-TRO is formed from TRO (t1/2 1.2 h, CL/F 4 L/min fixed by Preiss), so its
  curve cannot be much broader than TRO's unless it leaves plasma into a large, slowly
  exchanging pool; a peak of 11.5 uM with 1.59x the TRO AUC needs a curve ~1.6x broader
  than TRO's. The fit reaches Kp_4OH ~15 and compromises at ratio ~1.25 and peak ~13.3 uM
  (both within 25 % of the literature). Preiss measured 4-OH-TRO as a derivative that may
  include its aldehyde and thiol adducts; a reservoir of such adducts is a candidate for the
  missing breadth (not modelled, no rate in kinetics.md).
* **cp_urine_unchanged** (held out, 15-16 %): 16.2 %. `f_renal_CP` = 0.155 is the renal share
  of the cited CP clearance, but the CYPs act on the liver concentration, which hepatic
  extraction lowers, so slightly more CP leaves unchanged than the share says.

* **IFO clearance checks** (held out, table above): the fitted CL0_IFO (4.3 L/h) is 43 %
  above Kerbusch 2001's 3.03 L/h (a 72-h infusion population; with it the label's 5.5-7 h
  half-life is out of reach). Over five daily 2 g/m2 doses the modelled induction raises
  clearance 1.22-fold (label 66 -> 115 mL/min, 1.74-fold) and the half-life falls 5.9 -> 5.3 h
  (label 7.2 -> 4.6 h): each number within 25 % of the label, the induction too weak.
  `Emax_induction_IFO` = 1 (a doubling) is assumed; the label's day-5 clearance suggests a
  larger Emax, left unfitted so that this check stays independent.

The first three are explicit strict xfails in tests/trofosfamide/test_calibration.py.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--max-steps", type=int, default=60, help="LM steps per start")
    ap.add_argument(
        "--starts", type=int, default=3, help="perturbed starts besides the current values"
    )
    ap.add_argument("--seed", type=int, default=0, help="seed of the perturbed starts")
    ap.add_argument("--no-write", action="store_true", help="do not rewrite _parameters.py")
    ap.add_argument("--report-only", action="store_true",
                    help="re-evaluate the stored values and rewrite the report (stages from the last JSON)")
    ap.add_argument("--skip-a", action="store_true",
                    help="keep the stored stage-A (buffer chemistry) values instead of refitting them")
    args = ap.parse_args()
    t0 = time.time()
    if args.report_only:
        last = json.loads((RESULTS / "trofosfamide_calibration.json").read_text())
        report(dict(CALIBRATED), last["stages"], last["runtime_s"], last["outcome"])
        return
    model = TargetModel()
    if args.skip_a:
        print("stage A: skipped (stored values)", flush=True)
        prob_a = calibration_problem("A", model=model)
        fit_a = prob_a.to_declared(prob_a.x_nominal)
        cost = float(prob_a.objective(prob_a.x_nominal))
        st_a = {"cost": cost, "cost_start": cost, "n_steps": 0, "message": "not refitted",
                "n_starts": 0, "n_converged_to_best": 0, "wall_s": 0.0, "compile_s": 0.0,
                "spread_log10": 0.0, "max_rel_change": 0.0, "cost_stored": cost, "start": fit_a}
    else:
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
