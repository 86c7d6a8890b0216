"""Virtual trials (issue #18): speed of whole trials, and the accuracy beside it.

Usage::

    python benchmarks/trials.py [--quick] [--skip-validate] [--repeats 3]

Measures, in one process on one machine:

1. The virtual ``aldox-2b`` trial: ``aldox-2b-aldoxorubicin`` (83 patients) and
   ``aldox-2b-doxorubicin`` (40), 6 cycles each as in the arm data. Wall time split into
   compile (first-call overhead), mechanism solves and tumour layer + readouts; solves/s.
   One patient is one mechanism solve: one 21-day cycle window at hourly outputs, which
   :meth:`~mechsim.trials.SignalPlan.extend` repeats for every cycle (the cycles are not
   re-simulated).
2. A phase-III-sized trial: 433 virtual patients in ``aldox-3-aldoxorubicin`` and 433 in
   ``aldox-2b-doxorubicin``; the same split, and the process's peak RSS afterwards.
3. Accuracy beside the speed: (a) :func:`~mechsim.trials._exposure.periodic_error` of one arm
   per drug (repeated window against a direct two-window run); (b) the finite four-protein
   cell ensemble (:func:`~mechsim.trials._tumour.particle_ensemble`) against the surrogate
   kill hazard, log-kill over one window, for mixing times 1, 40 and 200 h.
4. Unless ``--skip-validate``: ``mechsim trial validate`` (every arm x 20 replicates) wall
   time against the target of 10 minutes on the 2-core machine (reported, not asserted).

Writes ``benchmarks/results/trials_benchmark.{md,json}``; with ``--quick`` (small sizes,
a smoke run) ``/tmp/trials_benchmark_quick.{md,json}`` instead.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import jax
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mechsim.scenarios import get_model  # noqa: E402
from mechsim.trials import CALIBRATED, get_arm, list_arms, validate_arms  # noqa: E402
from mechsim.trials._exposure import (  # noqa: E402
    _runner,
    exposure_signal,
    periodic_error,
    signal_plan,
)
from mechsim.trials._patients import draw_cohort  # noqa: E402
from mechsim.trials._simulate import arm_size, finish_arm, prepare_arm  # noqa: E402
from mechsim.trials._tumour import FIXED, particle_ensemble, sigma_cell  # noqa: E402
from mechsim.trials._validation import role_counts  # noqa: E402

RESULTS = ROOT / "benchmarks/results"
#: patients per solver call, as :func:`exposure_signal` uses by default
BATCH = 64
PROTEINS = ("PUMA", "NOXA", "MCL1", "BCL2A1")
VALIDATE_TARGET_S = 600.0
MIXING_H = (1.0, 40.0, 200.0)

FULL = {
    "aldox2b": {"aldox-2b-aldoxorubicin": 83, "aldox-2b-doxorubicin": 40},
    "phase3": {"aldox-3-aldoxorubicin": 433, "aldox-2b-doxorubicin": 433},
    "periodic_patients": 4,
    "n_cells": 2000,
    "ensemble_seeds": 3,
    "replicates": 20,
}
QUICK = {
    "aldox2b": {"aldox-2b-aldoxorubicin": 16, "aldox-2b-doxorubicin": 8},
    "phase3": {"aldox-3-aldoxorubicin": 32, "aldox-2b-doxorubicin": 32},
    "periodic_patients": 2,
    "n_cells": 500,
    "ensemble_seeds": 2,
    "replicates": 2,
}


def machine() -> dict:
    """Machine description recorded beside every number."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "usable_cores": cores,
        "python": platform.python_version(),
        "jax": jax.__version__,
        "devices": [str(d) for d in jax.devices()],
        "load_average_at_start": list(os.getloadavg()),
    }


def log(msg: str) -> None:
    print(msg, flush=True)


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def time_arm(arm_id: str, n: int, seed: int, repeats: int) -> dict:
    """One arm at ``n`` patients: first call, then ``repeats`` warm calls of each stage."""
    arm = get_arm(arm_id)
    plan = signal_plan(arm)
    hits = _runner.cache_info().hits
    setup_s, (_, runner) = timed(lambda: _runner(plan, ("bh3_ratio",), BATCH))
    cached = _runner.cache_info().hits > hits
    first_s, prep = timed(lambda: prepare_arm(arm, n, seed))
    solve_s = statistics.median(
        timed(lambda: exposure_signal(plan, prep.cohort))[0] for _ in range(repeats)
    )
    prepare_s = statistics.median(
        timed(lambda: prepare_arm(arm, n, seed))[0] for _ in range(repeats)
    )
    reported = arm.population.n == n
    finish_first_s, sim = timed(lambda: finish_arm(prep, CALIBRATED, seed, n_reported=reported))
    finish_s = statistics.median(
        timed(lambda: finish_arm(prep, CALIBRATED, seed, n_reported=reported))[0]
        for _ in range(repeats)
    )
    summary = sim.summary()
    # the XLA backend pads short calls to the batch and solves the padding; native does not
    lanes = n if runner.backend.name == "native" else math.ceil(n / runner.batch) * runner.batch
    rec = {
        "arm": arm_id,
        "drug": arm.drug,
        "model": plan.model,
        "n_patients": n,
        "backend": runner.backend.name,
        "solver_threads": runner.threads,
        "batch": runner.batch,
        "lanes_solved": lanes,
        "window_h": plan.window_h,
        "outputs_per_window": len(plan.times),
        "cycle_h": plan.cycle_h,
        "max_cycles": plan.max_cycles,
        "signal_steps_after_extension": int(prep.inputs.log_signal.shape[1]),
        "runner_cached": cached,
        "setup_s": setup_s,
        "first_prepare_s": first_s,
        "runner_compile_s": runner.compile_s,
        "compile_s": max(setup_s + first_s - prepare_s, 0.0),
        "solve_s": solve_s,
        "prepare_s": prepare_s,
        "tumour_first_s": finish_first_s,
        "tumour_s": finish_s,
        "solves_per_s": n / solve_s,
        "failed_patients": int(np.sum(prep.status != 0)),
        "cold_wall_s": setup_s + first_s + finish_first_s,
        "warm_wall_s": prepare_s + finish_s,
        "endpoints": {k: summary.get(k) for k in ("orr", "dcr", "pfs_median_months", "pfs_6mo")},
    }
    log(
        f"  {arm_id} n={n}: compile {rec['compile_s']:.2f} s, solves {solve_s:.3f} s "
        f"({rec['solves_per_s']:.0f}/s, {runner.backend.name}), tumour+readouts {finish_s:.3f} s "
        f"(first {finish_first_s:.2f} s)"
    )
    return rec


def totals(arms: list[dict]) -> dict:
    n = sum(a["n_patients"] for a in arms)
    solve = sum(a["solve_s"] for a in arms)
    return {
        "n_patients": n,
        "compile_s": sum(a["compile_s"] for a in arms),
        "solve_s": solve,
        "prepare_s": sum(a["prepare_s"] for a in arms),
        "tumour_s": sum(a["tumour_s"] for a in arms),
        "cold_wall_s": sum(a["cold_wall_s"] for a in arms),
        "warm_wall_s": sum(a["warm_wall_s"] for a in arms),
        "solves_per_s": n / solve,
    }


def signalling_outputs(model: str) -> tuple[str, ...]:
    """``<compartment>.<protein>`` of the four proteins in the tumour cell of ``model``."""
    keys = [str(k) for k in get_model(model).species_keys]
    for comp in ("tumor_cell", *sorted({k.split(".")[0] for k in keys})):
        names = tuple(f"{comp}.{p}" for p in PROTEINS)
        if all(nm in keys for nm in names):
            return names
    raise RuntimeError(f"model {model!r} has no compartment holding all of {PROTEINS}")


def ensemble(arm_id: str, n_cells: int, seeds: int) -> dict:
    """Particle ensemble vs surrogate for the first patient of ``arm_id``, one window."""
    arm = get_arm(arm_id)
    plan = signal_plan(arm)
    outputs = ("bh3_ratio", *signalling_outputs(plan.model))
    cohort = draw_cohort(arm.drug, 1, np.random.default_rng(0), flat_dose=plan.flat_dose)
    sim_s, (values, status) = timed(lambda: exposure_signal(plan, cohort, outputs=outputs))
    comp = values[0, :, 1:]
    ratio = (comp[:, 0] + comp[:, 1]) / (comp[:, 2] + comp[:, 3])
    bh3_gap = float(np.max(np.abs(ratio / values[0, :, 0] - 1.0)))
    pre = bool(arm.population.pretreated)
    theta = CALIBRATED.threshold["sts"] * (CALIBRATED.resistance_pretreated if pre else 1.0)
    log_theta = math.log(theta)
    rows = []
    for mix in MIXING_H:
        kills, t_s = [], []
        for seed in range(seeds):
            dt, (h_ens, h_sur) = timed(
                lambda m=mix, s=seed: particle_ensemble(
                    comp, log_theta, n_cells=n_cells, mixing_h=m, seed=s
                )
            )
            kills.append(float(np.sum(h_ens)))
            t_s.append(dt)
        kill_sur = float(np.sum(h_sur))
        kill_ens = float(np.mean(kills))
        rows.append(
            {
                "mixing_h": mix,
                "log_kill_ensemble": kill_ens,
                "log_kill_ensemble_sd": float(np.std(kills, ddof=1)) if seeds > 1 else None,
                "log_kill_surrogate": kill_sur,
                "sf_ensemble": math.exp(-kill_ens),
                "sf_surrogate": math.exp(-kill_sur),
                "rel_diff_log_kill": (kill_ens - kill_sur) / kill_sur if kill_sur > 0 else None,
                "ensemble_s": statistics.median(t_s),
            }
        )
        log(
            f"  {arm_id} mixing {mix:g} h: log-kill ensemble {kill_ens:.4g}, surrogate "
            f"{kill_sur:.4g}"
        )
    return {
        "arm": arm_id,
        "drug": arm.drug,
        "outputs": list(outputs),
        "pretreated": pre,
        "theta": theta,
        "peak_bh3_ratio": float(np.max(ratio)),
        "bh3_ratio_vs_components_max_rel": bh3_gap,
        "solver_status": int(status[0]),
        "mechanism_s": sim_s,
        "n_cells": n_cells,
        "seeds": seeds,
        "steps": int(comp.shape[0]),
        "rows": rows,
    }


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def arm_table(arms: list[dict], total: dict) -> list[str]:
    lines = [
        "| arm | patients | lanes | compile (s) | solves (s) | solves/s | prepare (s) | "
        "tumour + readouts (s), warm / first | cold wall (s) | warm wall (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for a in arms:
        cached = " (runner cached)" if a["runner_cached"] else ""
        lines.append(
            f"| `{a['arm']}` | {a['n_patients']} | {a['lanes_solved']} | "
            f"{a['compile_s']:.2f}{cached} | {a['solve_s']:.3f} | {a['solves_per_s']:.0f} | "
            f"{a['prepare_s']:.3f} | {a['tumour_s']:.3f} / {a['tumour_first_s']:.2f} | "
            f"{a['cold_wall_s']:.2f} | {a['warm_wall_s']:.3f} |"
        )
    lines.append(
        f"| **both arms** | {total['n_patients']} | | {total['compile_s']:.2f} | "
        f"{total['solve_s']:.3f} | {total['solves_per_s']:.0f} | {total['prepare_s']:.3f} | "
        f"{total['tumour_s']:.3f} | {total['cold_wall_s']:.2f} | {total['warm_wall_s']:.3f} |"
    )
    return lines


def markdown(p: dict) -> str:
    m, sizes = p["machine"], p["sizes"]
    a0 = p["aldox2b"]["arms"][0]
    lines = [
        "# Virtual trials: speed and accuracy (issue #18)",
        "",
        f"Generated by `python benchmarks/trials.py{' --quick' if p['quick'] else ''}"
        f"{' --skip-validate' if p['validate'] is None else ''}` in {p['runtime_s']:.0f} s. "
        f"Machine: {m['platform']}, {m['processor']}, {m['cpu_count']} CPUs "
        f"({m['usable_cores']} usable), Python {m['python']}, JAX {m['jax']} ({m['devices'][0]}); "
        f"load average at start {m['load_average_at_start'][0]:.2f} (shared machine: wall times "
        "are upper bounds).",
        "",
        f"Mechanism backend: **{a0['backend']}** (`mechsim.grid.ChunkRunner`, "
        f"{a0['solver_threads']} solver threads, {a0['batch']} patients per solver call; "
        "rtol 1e-6, atol 1e-9). Every number below comes from this run.",
        "",
        "What one solve is: one patient's mechanism model (PK, tumour chemistry, DNA damage, "
        f"p53, BCL-2 family) over one {a0['window_h'] / 24:.0f}-day cycle window at hourly "
        f"outputs ({a0['outputs_per_window']} time points). The cycles are not re-simulated: "
        "the window is repeated every cycle by the periodic extension "
        "(`SignalPlan.extend`; its error is in section 3a), so a 6-cycle arm costs one solve per "
        "patient. *lanes* = trajectories actually solved (the XLA backend pads short calls to "
        "the batch size and solves the padding; the native kernel solves the patients only).",
        "",
        "Columns: *compile* = first-call overhead (runner set-up + first `prepare_arm` − the "
        "median warm `prepare_arm`; the native kernel build or XLA compile); *solves* = median "
        f"of {p['repeats']} warm `exposure_signal` calls (the mechanism only); *solves/s* = "
        "patients / solves; *prepare* = median warm `prepare_arm` (cohort draw + solves + "
        "periodic extension to the follow-up); *tumour + readouts* = `finish_arm` (tumour "
        "layer scan, RECIST, PFS, Kaplan-Meier), median warm and the first call (which "
        "includes the JIT compile of the tumour scan for that cohort size); *cold wall* = "
        "set-up + first prepare + first finish (a user's first call); *warm wall* = prepare + "
        "tumour, warm.",
        "",
        f"## 1. Virtual aldox-2b trial ({' + '.join(str(v) for v in sizes['aldox2b'].values())} "
        "patients, 6 cycles each)",
        "",
        *arm_table(p["aldox2b"]["arms"], p["aldox2b"]["total"]),
        "",
        "## 2. Phase-III-sized trial "
        f"({' + '.join(str(v) for v in sizes['phase3'].values())} patients)",
        "",
        "`aldox-3-aldoxorubicin` (pretreated, dosing until progression) and the doxorubicin arm "
        "`aldox-2b-doxorubicin` simulated with the same number of patients (its runner is the "
        "one compiled in section 1).",
        "",
        *arm_table(p["phase3"]["arms"], p["phase3"]["total"]),
        "",
        f"Peak RSS of the process after this section: **{p['phase3']['peak_rss_mib']:.0f} MiB** "
        "(`resource.getrusage`, includes everything run before).",
        "",
        "## 3. Accuracy beside the speed",
        "",
        "### 3a. Periodic extension against a direct run",
        "",
        "`periodic_error(plan, cohort)`: largest relative error of the BH3 ratio, over all "
        "patients and hours, of the repeated window against a direct run of two windows "
        "(two cycles; for continuous dosing 28 + 14 days).",
        "",
        "| arm | drug | patients | window (d) | max relative error | wall (s) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in p["periodic"]:
        lines.append(
            f"| `{r['arm']}` | {r['drug']} | {r['n_patients']} | {r['window_h'] / 24:.0f} | "
            f"{r['max_rel_error']:.2e} | {r['wall_s']:.1f} |"
        )
    s_cell = p["sigma_cell"]
    lines += [
        "",
        "### 3b. Finite cell ensemble against the surrogate hazard",
        "",
        "One patient per arm (the first drawn, seed 0); the representative tumour cell's PUMA, "
        "NOXA, MCL1 and BCL2A1 over one window from `exposure_signal`. `particle_ensemble` "
        "gives each cell four log-normal synthesis factors (CV "
        f"{FIXED['protein_cv'][0]:g}) mixing as Ornstein-Uhlenbeck processes with the stated "
        "correlation time; the surrogate is the hazard of the trials, "
        f"k_momp Phi((ln r - ln theta)/sigma_cell), sigma_cell = {s_cell:.3f}. "
        "log-kill = sum of the hourly hazard over the window (natural log; surviving fraction "
        "exp(-log-kill)); theta = calibrated `threshold['sts']`, times "
        "`resistance_pretreated` for pretreated arms. Ensemble values are means over seeds "
        "(± SD between seeds).",
        "",
        "| arm | theta | peak ratio | mixing (h) | log-kill ensemble | log-kill surrogate | "
        "SF ensemble | SF surrogate | relative difference in log-kill |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for e in p["ensemble"]:
        for r in e["rows"]:
            sd = (
                f" ± {r['log_kill_ensemble_sd']:.2g}"
                if r["log_kill_ensemble_sd"] is not None
                else ""
            )
            rel = (
                "— (no kill)"
                if r["rel_diff_log_kill"] is None
                else f"{r['rel_diff_log_kill']:+.1%}"
            )
            lines.append(
                f"| `{e['arm']}` | {e['theta']:.3g} | {e['peak_bh3_ratio']:.3g} | "
                f"{r['mixing_h']:g} | {r['log_kill_ensemble']:.4g}{sd} | "
                f"{r['log_kill_surrogate']:.4g} | {r['sf_ensemble']:.3g} | "
                f"{r['sf_surrogate']:.3g} | {rel} |"
            )
    lines += [
        "",
        "Cells per ensemble: "
        + ", ".join(
            f"`{e['arm']}` {e['n_cells']} cells x {e['seeds']} seeds over {e['steps']} hourly steps "
            f"(BH3 ratio of the four components vs the `bh3_ratio` output: max relative gap "
            f"{e['bh3_ratio_vs_components_max_rel']:.1e})"
            for e in p["ensemble"]
        )
        + ".",
    ]
    lines += ["", "## 4. `mechsim trial validate` (every arm x replicates)", ""]
    v = p["validate"]
    if v is None:
        lines.append("Skipped (`--skip-validate`).")
    else:
        verdict = "PASS" if v["wall_s"] < VALIDATE_TARGET_S else "FAIL"
        on_target = (
            ""
            if m["usable_cores"] == 2
            else (
                f" (measured on {m['usable_cores']} usable cores, not the 2-core reference machine)"
            )
        )
        lines += [
            f"`validate_arms(list_arms(), CALIBRATED, replicates={v['replicates']})` from cold "
            "caches (grid runners and JAX caches cleared first): "
            f"{v['n_arms']} simulable arms, {v['n_patients']} virtual patients, "
            f"**{v['wall_s']:.0f} s**. Target: all arms x 20 replicates under "
            f"{VALIDATE_TARGET_S / 60:.0f} minutes on the 2-core machine: **{verdict}**"
            f"{on_target}.",
            "",
            "Agreeing endpoints by role (OS excluded): "
            + ", ".join(f"{role} {a}/{n}" for role, (a, n) in v["role_counts"].items())
            + ".",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="small sizes (smoke run); writes /tmp/trials_benchmark_quick.{md,json}",
    )
    ap.add_argument("--skip-validate", action="store_true", help="skip the validate_arms timing")
    ap.add_argument("--repeats", type=int, default=3, help="warm repeats per timed stage (median)")
    args = ap.parse_args()
    if args.repeats < 1:
        ap.error(f"--repeats must be >= 1, got {args.repeats}")
    sizes = QUICK if args.quick else FULL
    t_start = time.perf_counter()
    payload: dict = {
        "machine": machine(),
        "quick": args.quick,
        "repeats": args.repeats,
        "sizes": sizes,
        "sigma_cell": sigma_cell(FIXED["protein_cv"][0]),
    }

    log("1. virtual aldox-2b trial")
    arms = [
        time_arm(a, n, seed=i, repeats=args.repeats)
        for i, (a, n) in enumerate(sizes["aldox2b"].items())
    ]
    payload["aldox2b"] = {"arms": arms, "total": totals(arms)}

    log("2. phase-III-sized trial")
    arms = [
        time_arm(a, n, seed=10 + i, repeats=args.repeats)
        for i, (a, n) in enumerate(sizes["phase3"].items())
    ]
    payload["phase3"] = {"arms": arms, "total": totals(arms), "peak_rss_mib": peak_rss_mib()}
    log(f"  peak RSS {payload['phase3']['peak_rss_mib']:.0f} MiB")

    log("3a. periodic extension error")
    periodic = []
    for arm_id in ("aldox-2b-doxorubicin", "aldox-2b-aldoxorubicin", "jost2014"):
        arm = get_arm(arm_id)
        plan = signal_plan(arm)
        cohort = draw_cohort(
            arm.drug, sizes["periodic_patients"], np.random.default_rng(7), flat_dose=plan.flat_dose
        )
        dt, err = timed(lambda p=plan, c=cohort: periodic_error(p, c))
        periodic.append(
            {
                "arm": arm_id,
                "drug": arm.drug,
                "n_patients": cohort.n,
                "window_h": plan.window_h,
                "max_rel_error": err,
                "wall_s": dt,
            }
        )
        log(f"  {arm_id}: max relative error {err:.2e} ({dt:.1f} s)")
    payload["periodic"] = periodic

    log("3b. particle ensemble vs surrogate")
    payload["ensemble"] = [
        ensemble(a, sizes["n_cells"], sizes["ensemble_seeds"])
        for a in ("aldox-2b-aldoxorubicin", "jost2014")
    ]

    payload["validate"] = None
    if not args.skip_validate:
        log(f"4. validate_arms x {sizes['replicates']} replicates (cold caches)")
        _runner.cache_clear()
        jax.clear_caches()
        all_arms = list_arms()
        wall, res = timed(
            lambda: validate_arms(
                all_arms,
                CALIBRATED,
                replicates=sizes["replicates"],
                progress=lambda a, d, t: log(f"  {a}: {d}/{t}") if d == t else None,
            )
        )
        n_pat = sum(arm_size(a)[0] * sizes["replicates"] for a in all_arms if a.simulable)
        payload["validate"] = {
            "replicates": sizes["replicates"],
            "wall_s": wall,
            "n_arms": len(res),
            "n_patients": n_pat,
            "target_s": VALIDATE_TARGET_S,
            "passes_target": wall < VALIDATE_TARGET_S,
            "role_counts": {k: list(v) for k, v in role_counts(res).items()},
        }
        log(f"  validate: {wall:.0f} s (target {VALIDATE_TARGET_S:.0f} s)")

    payload["runtime_s"] = time.perf_counter() - t_start
    out_dir, stem = (
        (Path("/tmp"), "trials_benchmark_quick") if args.quick else (RESULTS, "trials_benchmark")
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(out_dir / f"{stem}.json", json.dumps(payload, indent=2, default=float))
    write_atomic(out_dir / f"{stem}.md", markdown(payload))
    log(f"wrote {out_dir / stem}.{{md,json}} in {payload['runtime_s']:.0f} s")


if __name__ == "__main__":
    main()
