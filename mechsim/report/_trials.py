"""The demo report's virtual-trials section (issue #18, item 8).

The forest plot of every simulable arm (calibration and validation marked), one waterfall
and one Kaplan-Meier figure per drug, the endpoint table, and the tumour-level parameters
with their provenance.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from mechsim._io import atomic_write_text
from mechsim.report._markdown import md_table

__all__ = ["DEMO_REPLICATES", "trials_section", "tumour_parameter_table"]

#: Replicates of every arm in the demo's validation (``mechsim trial validate`` defaults to 20).
DEMO_REPLICATES = 10
#: One arm per drug for the waterfall and Kaplan-Meier figures.
DRUG_ARMS = {"aldoxorubicin": "aldox-2b-aldoxorubicin", "doxorubicin": "aldox-2b-doxorubicin",
             "trofosfamide": "jost2014"}


def tumour_parameter_table() -> pd.DataFrame:
    """Every parameter of the tumour layer and the virtual patients, with provenance."""
    from mechsim.trials import CALIBRATED
    from mechsim.trials._patients import BSA, PK_VARIABILITY, TUMOUR_VARIABILITY
    from mechsim.trials._tumour import FIXED, sigma_cell

    p = CALIBRATED
    rows = []

    def add(name, value, unit, prov):
        rows.append({"name": name, "value": float(value), "unit": unit, "kind": prov.kind,
                     "source": prov.text + (f" [targets: {', '.join(prov.fitted_to)}]"
                                            if prov.fitted_to else "")})

    for key in ("sts", "nhl"):
        add(f"threshold.{key}", p.threshold[key], "BH3 ratio", p.provenance[f"threshold.{key}"])
    add("resistance_pretreated", p.resistance_pretreated, "x threshold", p.provenance["resistance_pretreated"])
    add("sigma_patient", p.sigma_patient, "log SD", p.provenance["sigma_patient"])
    for key in ("sts", "nhl"):
        add(f"growth_per_day.{key}", p.growth_per_day[key], "1/d", p.provenance[f"growth_per_day.{key}"])
    add("growth_sigma", p.growth_sigma, "log SD", p.provenance["growth_sigma"])
    units = {"protein_cv": "CV", "k_momp_per_h": "1/h", "k1_per_day": "1/d", "psi": "-",
             "switch_volume_ml": "mL"}
    for name, (value, prov) in FIXED.items():
        add(name, value, units[name], prov)
    from mechsim.network import Provenance

    add("sigma_cell", sigma_cell(FIXED["protein_cv"][0]), "log SD", Provenance(
        "derived", "SD of the log BH3 ratio between cells from protein_cv by the delta method "
        "at the apoptosis module's baseline levels (mechsim.trials._tumour.sigma_cell)"))
    for name, (value, prov) in TUMOUR_VARIABILITY.items():
        add(name, value, "mm" if name.endswith("_mm") else "log SD", prov)
    add("bsa_mean", BSA["mean"], "m2", BSA["provenance"])
    for drug, vs in PK_VARIABILITY.items():
        for v in vs:
            add(f"{drug}: IIV {v.parameter}", v.cv, "CV", v.provenance)
    return pd.DataFrame(rows)


def trials_section(out_dir: Path, status: Callable[[str], None] | None = None) -> list[str]:
    """Run the virtual trials and return the report lines; figures and CSVs go to ``out_dir``."""
    from mechsim.trials import CALIBRATED, get_arm, list_arms, simulate_arm, validate_arms
    from mechsim.trials._plots import forest_figure, km_figure, waterfall_figure
    from mechsim.trials._validation import role_counts

    say = status or (lambda _m: None)
    lines = ["## Virtual trials", "",
             "Every simulable arm of the seeds' trials run with virtual patients: population-PK "
             "variability and body size per patient, the full mechanism in each patient (PK, "
             "tumour chemistry, DNA damage, p53 and BCL-2 signalling), fractional tumour-cell kill "
             "from cell-to-cell variability of the BCL-2 family (a cell above its own MOMP "
             "threshold commits), Simeoni growth between doses, and RECIST 1.1 at each arm's "
             "assessment schedule. Only the tumour-level parameters below are fitted, on the four "
             "calibration arms; every other arm is predicted. Deaths, new lesions and overall "
             "survival are not simulated.", ""]
    say("virtual trials: validation")
    results = validate_arms(list_arms(), CALIBRATED, replicates=DEMO_REPLICATES, seed=0)
    fig = forest_figure(results)
    fig.savefig(out_dir / "trials_forest.png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    rows = []
    for r in results:
        for e in r.endpoints:
            interval = e.get("interval") or [None, None]
            rows.append({"arm": r.id, "role": r.role, "endpoint": e["name"], "reported": e["reported"],
                         "simulated": float("nan") if e["simulated"] is None else e["simulated"],
                         "low": float("nan") if interval[0] is None else interval[0],
                         "high": float("nan") if interval[1] is None else interval[1],
                         "agrees": {True: "yes", False: "no", None: "not simulated"}[e["agrees"]]})
    table = pd.DataFrame(rows)
    atomic_write_text(out_dir / "trials_validation.csv", table.to_csv(index=False, float_format="%.4g"))
    counts = role_counts(results)
    summary = "; ".join(f"{role}: {c['agrees']} of {c['compared']} endpoints agree"
                        for role, c in sorted(counts.items()))
    lines += [f"### Reported versus simulated ({DEMO_REPLICATES} replicate trials per arm at the "
              "trial's size)", "",
              "Rates in %, medians in months; the interval is the 2.5-97.5 % range over replicate "
              "trials. A rate agrees when it lies in the reported 95 % binomial interval widened "
              "by 0.05, a median when within a factor 1.5 "
              f"([trials_validation.csv](trials_validation.csv)). {summary}.", "",
              "![virtual trials forest plot](trials_forest.png)", "", md_table(table), ""]
    lines += ["### One arm per drug", ""]
    sims = {}
    for drug, arm_id in DRUG_ARMS.items():
        say(f"virtual trials: {arm_id}")
        sims[drug] = simulate_arm(get_arm(arm_id), seed=1)
    for drug, sim in sims.items():
        fig = waterfall_figure(sim)
        fig.savefig(out_dir / f"trials_waterfall_{drug}.png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        fig = km_figure([sim])
        fig.savefig(out_dir / f"trials_km_{drug}.png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        lines += [f"#### {drug} ({sim.arm.id}, {len(sim.patients)} virtual patients)", "",
                  f"![{drug} waterfall](trials_waterfall_{drug}.png)",
                  f"![{drug} Kaplan-Meier PFS](trials_km_{drug}.png)", ""]
    params = tumour_parameter_table()
    atomic_write_text(out_dir / "trials_parameters.csv", params.to_csv(index=False))
    lines += ["### Tumour-level parameters and virtual-patient variability", "",
              "Fitted values come from `benchmarks/calibrate_trials.py` "
              "(benchmarks/results/trial_calibration.md) "
              "([trials_parameters.csv](trials_parameters.csv)).", "", md_table(params), ""]
    return lines
