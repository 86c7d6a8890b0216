"""How the virtual trials' validation depends on the values that are assumed, not fitted.

Usage::

    python benchmarks/trial_sensitivity.py [--replicates 5]

Runs the validation arms (never the calibration arms: nothing here is fitted, and no
variant becomes a default) under the calibrated parameters of both threshold structures
(A, the default, and B, see ``trial_structures.md``) and under alternatives of the values
that are assumed rather than fitted, and writes ``benchmarks/results/trial_sensitivity.{md,json}``:

* ``resistance_pretreated_anthracycline`` (assumed 1: not identifiable, no calibration arm
  is anthracycline-pretreated): 1.5, 2, 3 and equal to the fitted alkylator factor (one
  resistance factor for every drug);
* ``growth_sigma`` (between-patient spread of growth, assumed 0.6): 0.3 and 1.0;
* the tumour assessment interval where an arm does not report one (assumed 6 weeks, the
  phase IIb schedule; Hartmann 2020 and the aldoxorubicin phase Ib/III do not report it
  in the sources here): 8 and 9 weeks;
* the Hartmann 2020 doxorubicin dose (60 mg/m2 used; the registry allows 75 mg/m2 for
  patients aged 60 to 70, share not reported): 75 mg/m2.

Parameter variants share one run of the mechanism per arm (:func:`validate_structures`);
the trial-design variants re-run the arms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import replace
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks/results"


def _hartman_75(arms):
    """The arms with Hartmann 2020's doxorubicin at 75 instead of 60 mg/m2."""
    out = []
    for a in arms:
        if a.id == "hartman2020-doxorubicin":
            doses = tuple(replace(d, dose=75.0) for d in a.regimen.doses)
            a = replace(a, regimen=replace(a.regimen, doses=doses))
        out.append(a)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=5)
    args = ap.parse_args()

    from mechsim.trials import CALIBRATED, Role, TrialOptions, list_arms
    from mechsim.trials._calibrated import CALIBRATED_B
    from mechsim.trials._validation import role_counts, validate_structures

    arms = [a for a in list_arms() if a.role is Role.VALIDATION]
    fitted = CALIBRATED.resistance_pretreated
    params = {
        "A calibrated": CALIBRATED,
        "B calibrated": CALIBRATED_B,
        "A, anthracycline resistance 1.5": replace(CALIBRATED, resistance_pretreated_anthracycline=1.5),
        "A, anthracycline resistance 2": replace(CALIBRATED, resistance_pretreated_anthracycline=2.0),
        "A, anthracycline resistance 3": replace(CALIBRATED, resistance_pretreated_anthracycline=3.0),
        f"A, one resistance for every drug ({fitted:.3g})": replace(
            CALIBRATED, resistance_pretreated_anthracycline=fitted),
        "A, growth spread 0.3": replace(CALIBRATED, growth_sigma=0.3),
        "A, growth spread 1.0": replace(CALIBRATED, growth_sigma=1.0),
    }
    design = {
        "assessment every 8 weeks where not reported": (arms, TrialOptions(assessment_weeks=8.0)),
        "assessment every 9 weeks where not reported": (arms, TrialOptions(assessment_weeks=9.0)),
        "Hartmann doxorubicin 75 mg/m2": (_hartman_75(arms), None),
    }
    out: dict = {"machine": platform.platform(), "replicates": args.replicates, "variants": {}}
    results: dict[str, list] = {}
    t0 = time.perf_counter()
    results.update(validate_structures(arms, params, replicates=args.replicates, seed=0))
    out["parameter_variants_seconds"] = time.perf_counter() - t0
    for label, (these, options) in design.items():
        t1 = time.perf_counter()
        res = validate_structures(these, {"A": CALIBRATED, "B": CALIBRATED_B},
                                  replicates=args.replicates, seed=0, options=options)
        for key, r in res.items():
            results[f"{key}, {label}"] = r
        out.setdefault("design_variants_seconds", {})[label] = time.perf_counter() - t1
    table: dict[tuple[str, str], dict[str, str]] = {}
    labels = list(results)
    for label in labels:
        res = results[label]
        counts = role_counts(res).get("validation", {"agrees": 0, "compared": 0})
        out["variants"][label] = {"counts": counts, "arms": [r.to_dict() for r in res]}
        print(f"{label}: {counts['agrees']}/{counts['compared']} agree", flush=True)
        for r in res:
            for e in r.endpoints:
                if e["agrees"] is None:
                    continue
                sim = "NR" if e["simulated"] is None else f"{e['simulated']:.3g}"
                table.setdefault((r.id, e["name"]), {"reported": f"{e['reported']:g}"})[label] = (
                    f"{sim} {'✓' if e['agrees'] else '✗'}")
    md = ["# Sensitivity of the validation arms to assumed values", "",
          f"`python benchmarks/trial_sensitivity.py --replicates {args.replicates}`: "
          f"{args.replicates} replicate trials per validation arm at the trial's size, seed 0 "
          f"(the same virtual patients in every variant); {platform.platform()}, "
          f"{os.cpu_count()} CPUs shared with other jobs. Nothing is refitted: the calibration arms "
          "are not run, and no variant is a default (A calibrated is). The variants change one "
          "value that is *assumed*, not fitted (see the script's docstring for each value's "
          "source); they show how much the validation rests on those assumptions, they are not "
          "candidates to tune the validation with.", "",
          "| variant | validation endpoints agreeing |", "|---|---|"]
    md += [f"| {lab} | {out['variants'][lab]['counts']['agrees']} of "
           f"{out['variants'][lab]['counts']['compared']} |" for lab in labels]
    # one table per group of variants keeps the columns readable
    groups = [labels[:len(params)], labels[len(params):]]
    for cols in groups:
        md += ["", "| arm | endpoint | reported | " + " | ".join(cols) + " |",
               "|---|---|---|" + "---|" * len(cols)]
        for (arm, name), row in table.items():
            md.append(f"| {arm} | {name} | {row['reported']} | "
                      + " | ".join(row.get(lab, "—") for lab in cols) + " |")
    md += ["", "Rates in %, medians in months (NR: not reached in most replicates); ✓/✗: the "
           "agreement rule of issue #18 on the median over replicates.", ""]
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name, text in (("trial_sensitivity.json", json.dumps(out, indent=1)),
                       ("trial_sensitivity.md", "\n".join(md))):
        tmp = RESULTS / f".{name}.tmp"
        tmp.write_text(text)
        os.replace(tmp, RESULTS / name)
    print("\n".join(md))


if __name__ == "__main__":
    main()
