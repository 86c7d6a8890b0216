"""How the virtual trials' validation depends on the assumed tumour-level values.

Usage::

    python benchmarks/trial_sensitivity.py [--replicates 5]

Runs the validation arms (never the calibration arms: nothing here is fitted) under the
calibrated parameters and under alternatives of the values that are assumed rather than
fitted, and writes ``benchmarks/results/trial_sensitivity.{md,json}``:

* ``resistance_pretreated_anthracycline``: 1 (calibrated default, assumed), 2, and equal to
  the fitted alkylator factor (one resistance factor for every drug: the first structure
  tried, which fitted the calibration arms identically);
* ``growth_sigma`` (between-patient spread of growth, assumed 0.6): 0.3 and 1.0;
* the baseline sum of longest diameters does not enter the kill, only RECIST's 5 mm rules,
  so it is not varied.
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=5)
    args = ap.parse_args()

    from mechsim.trials import CALIBRATED, Role, list_arms, validate_arms
    from mechsim.trials._validation import role_counts

    arms = [a for a in list_arms() if a.role is Role.VALIDATION]
    variants = {
        "calibrated (anthracycline resistance 1, growth spread 0.6)": CALIBRATED,
        "anthracycline resistance 2": replace(CALIBRATED, resistance_pretreated_anthracycline=2.0),
        f"one resistance for every drug ({CALIBRATED.resistance_pretreated:.3g})": replace(
            CALIBRATED, resistance_pretreated_anthracycline=CALIBRATED.resistance_pretreated),
        "growth spread 0.3": replace(CALIBRATED, growth_sigma=0.3),
        "growth spread 1.0": replace(CALIBRATED, growth_sigma=1.0),
    }
    out: dict = {"machine": platform.platform(), "replicates": args.replicates, "variants": {}}
    md = ["# Sensitivity of the validation arms to assumed tumour-level values", "",
          f"`benchmarks/trial_sensitivity.py`, {args.replicates} replicate trials per validation "
          f"arm at the trial's size, seed 0; {platform.platform()}. Nothing is refitted: the "
          "calibration arms are not run.", ""]
    table: dict[tuple[str, str], dict[str, str]] = {}
    for label, params in variants.items():
        t0 = time.perf_counter()
        res = validate_arms(arms, params, replicates=args.replicates, seed=0)
        counts = role_counts(res).get("validation", {"agrees": 0, "compared": 0})
        out["variants"][label] = {"counts": counts, "arms": [r.to_dict() for r in res],
                                  "seconds": time.perf_counter() - t0}
        print(f"{label}: {counts['agrees']}/{counts['compared']} agree", flush=True)
        for r in res:
            for e in r.endpoints:
                if e["agrees"] is None:
                    continue
                sim = "NR" if e["simulated"] is None else f"{e['simulated']:.3g}"
                table.setdefault((r.id, e["name"]), {"reported": f"{e['reported']:g}"})[label] = (
                    f"{sim} {'✓' if e['agrees'] else '✗'}")
    labels = list(variants)
    md += ["| variant | validation endpoints agreeing |", "|---|---|"]
    md += [f"| {lab} | {out['variants'][lab]['counts']['agrees']} of "
           f"{out['variants'][lab]['counts']['compared']} |" for lab in labels]
    md += ["", "| arm | endpoint | reported | " + " | ".join(labels) + " |",
           "|---|---|---|" + "---|" * len(labels)]
    for (arm, name), row in table.items():
        md.append(f"| {arm} | {name} | {row['reported']} | "
                  + " | ".join(row.get(lab, "—") for lab in labels) + " |")
    md += ["", "Rates in %, medians in months (NR: not reached in most replicates); ✓/✗: the "
           "agreement rule of issue #18.", ""]
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name, text in (("trial_sensitivity.json", json.dumps(out, indent=1)),
                       ("trial_sensitivity.md", "\n".join(md))):
        tmp = RESULTS / f".{name}.tmp"
        tmp.write_text(text)
        os.replace(tmp, RESULTS / name)
    print("\n".join(md))


if __name__ == "__main__":
    main()
