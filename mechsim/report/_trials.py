"""The demo report's virtual-trials section (issue #18, item 8).

The forest plot of every simulable arm (calibration and validation marked), one waterfall
and one Kaplan-Meier figure per drug, the toxicities of those arms (issue #19: neutrophil
course, end-of-treatment LVEF, simulated vs reported rates), the endpoint table, and the
tumour-level parameters with their provenance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from mechsim._io import atomic_write_text
from mechsim.report._markdown import md_table

if TYPE_CHECKING:
    from mechsim.trials import ArmSimulation

__all__ = ["DEMO_REPLICATES", "toxicity_lines", "toxicity_table", "trials_section",
           "tumour_parameter_table"]

#: Replicates of every arm in the demo's validation (``mechsim trial validate`` defaults to 20).
DEMO_REPLICATES = 5
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
    add("resistance_pretreated (alkylator)", p.resistance_pretreated, "x threshold",
        p.provenance["resistance_pretreated"])
    add("resistance_pretreated_anthracycline", p.resistance_pretreated_anthracycline, "x threshold",
        p.provenance["resistance_pretreated_anthracycline"])
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
        if name != "growth_sigma":  # listed with the tumour parameters above
            add(name, value, "mm" if name.endswith("_mm") else "log SD", prov)
    add("bsa_mean", BSA["mean"], "m2", BSA["provenance"])
    from mechsim.trials._calibrated import TOX_CALIBRATED
    from mechsim.trials._toxicity import FRIBERG, HEART

    t = TOX_CALIBRATED
    from mechsim.trials._toxicity import SLOPES

    for key in SLOPES:
        add(f"toxicity slope.{key}", t.slope[key], "1/uM", t.provenance[f"slope.{key}"])
    add("toxicity fn_per_day", t.fn_per_day, "1/d", t.provenance["fn_per_day"])
    add("toxicity cardio_scale", t.cardio_scale, "-", t.provenance["cardio_scale"])
    f_units = {"circ0": "1e9/L", "mtt_h": "h", "gamma": "-", "slope_cv": "CV", "neutrophil_share": "-"}
    for name, (value, cv, prov) in FRIBERG.items():
        add(f"Friberg {name}" + (f" (IIV CV {cv:g})" if cv else ""), value, f_units[name], prov)
    h_units = {"k_max_per_h": "1/h", "kc50_um": "uM", "lvef0_mean": "%", "lvef0_sd": "%"}
    for name, (value, prov) in HEART.items():
        add(f"heart {name}", value, h_units[name], prov)
    for drug, vs in PK_VARIABILITY.items():
        for v in vs:
            add(f"{drug}: IIV {v.parameter}", v.cv, "CV", v.provenance)
    return pd.DataFrame(rows)


#: Toxicity endpoints in the report's per-arm tables (``ArmSimulation.summary`` keys).
REPORT_TOXICITIES = ("neutropenia_g34", "neutropenia_g4", "febrile_neutropenia", "leukopenia_g34",
                     "lvef_below_50")


def toxicity_table(sim: ArmSimulation) -> pd.DataFrame:
    """Simulated (%, with its 95 % binomial interval) vs reported (%) toxicity rates of ``sim``.

    Endpoints the arm's model does not simulate (LVEF without heart) and values the arm does
    not report are NaN (an em dash in :func:`~mechsim.report._markdown.md_table`).
    """
    summary = sim.summary()
    nan = float("nan")
    rows = []
    for name in REPORT_TOXICITIES:
        value, interval = summary.get(name), summary.get(f"{name}_interval") or [None, None]
        reported = sim.arm.endpoint(name)
        rows.append({
            "endpoint": name,
            "simulated (%)": nan if value is None else 100.0 * value,
            "low (%)": nan if interval[0] is None else 100.0 * interval[0],
            "high (%)": nan if interval[1] is None else 100.0 * interval[1],
            "reported (%)": (float(reported.value) if reported is not None
                             and reported.value is not None and reported.unit == "%" else nan)})
    return pd.DataFrame(rows)


def toxicity_lines(sims: Mapping[str, ArmSimulation], out_dir: Path) -> list[str]:
    """The "Toxicities" subsection: ``trials_neutrophils.png``, ``trials_lvef.png`` (arms with
    a heart model only) and a rate table per arm of ``sims`` (drug -> simulated arm)."""
    from mechsim.trials._calibrated import TOX_CALIBRATED
    from mechsim.trials._toxicity import HAS_HEART
    from mechsim.trials._toxicity_plots import lvef_figure, neutrophil_figure

    kinds = {prov.kind for prov in TOX_CALIBRATED.provenance.values()}
    fitted = ("fitted on the calibration arms only" if kinds == {"fitted"} else
              "not calibrated yet: starting values (*assumed*, see `TOX_CALIBRATED`)")

    arms = list(sims.values())
    fig = neutrophil_figure(arms, days=126)
    fig.savefig(out_dir / "trials_neutrophils.png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    hearts = [sim for sim in arms if HAS_HEART.get(sim.arm.drug, False)]
    lines = ["### Toxicities", "",
             "Neutropenia follows the semi-mechanistic myelosuppression model of Friberg et al. "
             "2002 (proliferating pool, three transit compartments, feedback), driven by plasma "
             "doxorubicin for doxorubicin and aldoxorubicin and by the summed 4-hydroxy "
             "oxazaphosphorines for trofosfamide. LVEF falls with the cardiomyocyte loss of Mody "
             "et al. 2023 driven by free heart doxorubicin, scaled to in vivo by one factor, "
             "with LVEF proportional to the surviving cardiomyocytes (*assumed*: no published "
             "link was found). The drug-effect slopes, the febrile-neutropenia risk and the "
             f"in-vivo factor are {fitted}. The therapeutic-window "
             "grid of issue #19 (item 4) is not built yet.", "",
             "![neutrophil count over the first six 21-day cycles](trials_neutrophils.png)", ""]
    if hearts:
        fig = lvef_figure(hearts)
        fig.savefig(out_dir / "trials_lvef.png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        lines += ["LVEF at the end of treatment: after 6 cycles, or earlier at progression "
                  "(dosing stops there).", "",
                  "![LVEF at the end of treatment](trials_lvef.png)", ""]
    for drug, sim in sims.items():
        lines += [f"#### Toxicity rates: {drug} ({sim.arm.id}, {len(sim.patients)} virtual "
                  "patients)", "",
                  "Simulated rate with its 95 % binomial interval over the virtual patients; "
                  "reported where the trial gives it.", "", md_table(toxicity_table(sim)), ""]
    return lines


def _display(table: pd.DataFrame) -> pd.DataFrame:
    """The validation table for reading: a median not reached (infinite, or no simulated
    value on a compared endpoint) shows as ``NR``, an endpoint not simulated as ``—``."""
    out = table.copy().astype({c: object for c in ("simulated", "low", "high")})
    for i, row in table.iterrows():
        compared = row["agrees"] != "not simulated"
        for col in ("simulated", "low", "high"):
            v = row[col]
            if np.isinf(v):
                out.at[i, col] = "NR"
            elif np.isnan(v):
                out.at[i, col] = "NR" if compared and row["endpoint"].endswith("median_months") else "—"
            else:
                out.at[i, col] = f"{v:.4g}"
    return out


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
             "assessment schedule. Only the tumour-level and toxicity parameters below are fitted, on "
             "the four calibration arms; every other arm is predicted. Deaths, new lesions and overall "
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
            rows.append({"arm": r.id, "role": r.role, "endpoint": e["name"],
                         "reported": float("nan") if e["reported"] is None else e["reported"],
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
              "![virtual trials forest plot](trials_forest.png)", "", md_table(_display(table)), ""]
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
    lines += toxicity_lines(sims, out_dir)
    lines += window_lines(out_dir, say)
    params = tumour_parameter_table()
    atomic_write_text(out_dir / "trials_parameters.csv", params.to_csv(index=False))
    lines += ["### Tumour-level parameters and virtual-patient variability", "",
              "Fitted values come from `benchmarks/calibrate_trials.py` "
              "(benchmarks/results/trial_calibration.md) "
              "([trials_parameters.csv](trials_parameters.csv)).", "", md_table(params), ""]
    return lines


#: Virtual patients per point of the demo's therapeutic window (the shipped config has 100).
DEMO_WINDOW_PATIENTS = 50


def window_lines(out_dir: Path, status: Callable[[str], None] | None = None) -> list[str]:
    """The therapeutic window of aldoxorubicin (issue #19 item 4): the shipped grid config at
    :data:`DEMO_WINDOW_PATIENTS` patients per point, summarised as ``window.png``/``window.csv``."""
    import dataclasses
    import shutil
    import tempfile
    from importlib.resources import files

    from mechsim.trials import load_window_config, therapeutic_window
    from mechsim.trials._window_report import summarize_window

    if status is not None:
        status("virtual trials: therapeutic window")
    config = Path(str(files("mechsim.trials") / "windows" / "window-aldoxorubicin.yaml"))
    cfg = dataclasses.replace(load_window_config(config), patients=DEMO_WINDOW_PATIENTS)
    with tempfile.TemporaryDirectory(prefix="mechsim-window-") as tmp:
        therapeutic_window(cfg, Path(tmp) / "window.zarr")
        paths = summarize_window(Path(tmp) / "window.zarr", Path(tmp) / "summary")
        for p in paths:
            if p.name in ("window.png", "window.csv"):
                shutil.copyfile(p, out_dir / f"trials_{p.name}")
    return ["### Therapeutic window of aldoxorubicin", "",
            f"The shipped grid config `mechsim/trials/windows/window-aldoxorubicin.yaml` at "
            f"{DEMO_WINDOW_PATIENTS} virtual patients per point (the config has {load_window_config(config).patients}; "
            "run it with `mechsim grid CONFIG --out STORE` and `mechsim grid summarize`): ORR and "
            "grade-4 neutropenia over dose and dosing interval, the same patients at every point. "
            f"Hatched: ORR >= {cfg.orr_min:.0%} and grade-4 neutropenia <= {cfg.neutropenia_g4_max:.0%} "
            "([trials_window.csv](trials_window.csv)).", "",
            "![therapeutic window of aldoxorubicin](trials_window.png)", ""]
