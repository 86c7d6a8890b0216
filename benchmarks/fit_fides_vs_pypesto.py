"""mechsim's default fit (fides trust region on mechsim's JAX objective) against
pyPESTO + AMICI + fides, side by side, from the same start points.

Usage::

    python benchmarks/fit_fides_vs_pypesto.py Boehm_JProteomeRes2014 [NAME ...]
        [--starts 50] [--seed 0] [--tools mechsim,pypesto] [--max-time 600]

For every problem (folders of ``../shared/petab``): ``--starts`` points drawn uniformly
in the bounds on the PEtab parameter scales (PEtab's default start distribution; the
same array goes to both tools, checked to use the same parameter order), then

* ``mechsim``: ``mechsim.fit.fit(Problem.from_petab(yaml))`` with the default optimiser
  (:class:`mechsim.fit.TrustRegion`: fides, exact forward-sensitivity gradient,
  Fisher-information/BFGS hybrid), integrator rtol 1e-8, atol 1e-12;
* ``pypesto``: pyPESTO's PEtab importer with AMICI (model compiled once, its build time
  recorded separately), ``pypesto.optimize.FidesOptimizer()`` with pyPESTO's defaults
  (hybrid FIM/BFGS from AMICI's forward sensitivities), AMICI's default tolerances.

Recorded per tool: best llh, starts within 1e-3 of the reference llh (REFERENCE.md; for
a problem without one, of the best llh either tool found, marked so), wall time of the
multi-start optimisation (compile/build separate), converged starts per minute (starts
within 1e-3 of the reference per minute of optimisation wall time), median time per
objective and per objective + gradient. ``--max-time`` is the wall budget per start of
both tools (s). Results are merged into ``benchmarks/results/fit_fides_vs_pypesto.json``
(one entry per problem and tool, with the machine description and date) and the markdown
table ``fit_fides_vs_pypesto.md`` is regenerated from it: only what actually ran is listed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
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
OUT_JSON = RESULTS / "fit_fides_vs_pypesto.json"
OUT_MD = RESULTS / "fit_fides_vs_pypesto.md"
#: AMICI model builds (outside the repository)
AMICI_MODELS = Path(os.environ.get("MECHSIM_AMICI_MODELS", "/tmp/mechsim_amici_models"))
#: llh at the nominal parameters, ../shared/petab/REFERENCE.md (AMICI's test suite)
REFERENCE_LLH = {
    "Boehm_JProteomeRes2014": -138.22199693517703,
    "Fujita_SciSignal2010": 53.08377736998929,
    "Brannmark_JBC2010": -141.889113770537,
    "Zheng_PNAS2012": 278.33353271001477,
    "Bruno_JExpBot2016": 46.688176988431806,
}
TOL = 1e-3


def machine() -> dict:
    """Machine description recorded beside every number."""
    import importlib.metadata as md

    def ver(name):
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return None

    return {"platform": platform.platform(), "python": platform.python_version(),
            "cpu_count": os.cpu_count(), "jax": jax.__version__, "fides": ver("fides"),
            "pypesto": ver("pypesto"), "amici": ver("amici"),
            "note": "2-core CPU shared with other jobs; wall times are upper bounds"}  # fmt: skip


def median_time(fn, x, repeats: int = 10) -> float:
    """Median wall time of ``fn(x)`` (s) after one warm-up call."""
    fn(x)
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(x)
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def summarise(llhs: np.ndarray, wall_s: float, reference: float | None) -> dict:
    """Best llh, starts within TOL of the reference (or of the best), starts per minute."""
    llhs = np.where(np.isfinite(llhs), llhs, -np.inf)
    best = float(np.max(llhs))
    ref = reference if reference is not None else best
    n_ref = int(np.sum(llhs >= ref - TOL))
    return {"best_llh": best, "n_within_tol_of_reference": n_ref,
            "n_within_tol_of_own_best": int(np.sum(llhs >= best - TOL)),
            "n_failed": int(np.sum(~np.isfinite(llhs))), "wall_s": wall_s,
            "converged_per_minute": n_ref / (wall_s / 60.0),
            "llhs": sorted((float(v) for v in llhs), reverse=True)}  # fmt: skip


def run_mechsim(yaml: Path, x0: np.ndarray, max_time: float) -> dict:
    from mechsim.fit import Problem, TrustRegion, default_optimizer, fit
    from mechsim.fit._trust_region import _jit_objective, tr_evaluator

    prob = Problem.from_petab(yaml, rtol=1e-8, atol=1e-12)
    opt = default_optimizer(prob)
    if math.isfinite(max_time):
        opt = TrustRegion(opt.curvature, max_time_s=max_time)
    xn = jax.numpy.asarray(prob.x_nominal)
    t0 = time.perf_counter()
    jax.block_until_ready(_jit_objective(prob)(xn))
    jax.block_until_ready(tr_evaluator(prob)(xn))
    compile_s = time.perf_counter() - t0
    f_s = median_time(lambda x: jax.block_until_ready(_jit_objective(prob)(x)), xn)
    fg_s = median_time(lambda x: jax.block_until_ready(tr_evaluator(prob)(x)), xn)
    res = fit(prob, starts=x0, optimizer=opt, max_steps=1000)
    out = summarise(-res.fvals, res.wall_s - res.compile_s, REFERENCE_LLH.get(yaml.parent.name))
    out.update({"names": list(prob.names), "compile_s": compile_s, "objective_s": f_s,
                "objective_gradient_fim_s": fg_s, "optimizer": res.optimizer,
                "n_steps_median": float(np.median(res.n_steps)),
                "n_evaluations_total": int(np.sum(res.extra["n_evaluations"])),
                "seconds_per_evaluation_in_fit": res.extra["seconds_per_evaluation"],
                "status_counts": {str(k): int(v) for k, v in
                                  zip(*np.unique(res.status, return_counts=True), strict=True)}})  # fmt: skip
    return out


def run_pypesto(yaml: Path, x0: np.ndarray, names: list[str], x_nominal: np.ndarray,
                max_time: float) -> dict:  # fmt: skip
    import petab.v1 as petab
    import pypesto.optimize
    import pypesto.petab

    t0 = time.perf_counter()
    importer = pypesto.petab.PetabImporter(petab.Problem.from_yaml(str(yaml)),
                                           output_folder=str(AMICI_MODELS / yaml.parent.name))  # fmt: skip
    problem = importer.create_problem()
    build_s = time.perf_counter() - t0
    free = [problem.x_names[i] for i in problem.x_free_indices]
    if free != names:
        raise RuntimeError(f"parameter order differs: pyPESTO {free}, mechsim {names}")
    problem.set_x_guesses(np.array([problem.get_full_vector(x) for x in x0]))
    obj = problem.objective
    xn = np.asarray(x_nominal, dtype=np.float64)
    f_s = median_time(lambda x: obj(x, sensi_orders=(0,)), xn)
    fg_s = median_time(lambda x: obj(x, sensi_orders=(0, 1)), xn)
    options = {"maxiter": 1000}
    if math.isfinite(max_time):
        options["maxtime"] = float(max_time)
    opt = pypesto.optimize.FidesOptimizer(verbose=40, options=options)
    t0 = time.perf_counter()
    res = pypesto.optimize.minimize(problem, optimizer=opt, n_starts=x0.shape[0], progress_bar=False)
    wall = time.perf_counter() - t0
    fvals = np.array([r["fval"] if r["fval"] is not None else np.inf for r in res.optimize_result.list])
    used = np.array([np.asarray(r["x0"])[problem.x_free_indices] for r in res.optimize_result.list])
    same = bool(np.allclose(np.sort(used, axis=0), np.sort(x0, axis=0)))
    out = summarise(-fvals, wall, REFERENCE_LLH.get(yaml.parent.name))
    out.update({"names": free, "build_s": build_s, "objective_s": f_s, "objective_gradient_s": fg_s,
                "optimizer": str(opt), "same_start_points": same,
                "llh_nominal": -float(obj(xn))})  # fmt: skip
    return out


def write_markdown(data: dict) -> None:
    lines = ["# mechsim default fit vs pyPESTO + AMICI + fides, same start points", "",
             "Generated by `benchmarks/fit_fides_vs_pypesto.py` from `fit_fides_vs_pypesto.json`; "
             "only what actually ran is listed. Starts uniform in the bounds on the PEtab "
             "scales (same array for both tools). 'within 1e-3' counts starts whose llh is "
             "within 1e-3 of the reference llh of `../shared/petab/REFERENCE.md` (or, where "
             "there is none, of the best llh found, marked \\*). Wall = optimisation only "
             "(mechsim compile / AMICI build separate). Converged/min = starts within 1e-3 per "
             "minute of optimisation wall. Objective and gradient: median per call at the "
             "nominal point (mechsim's gradient column is objective + gradient + FIM from one "
             "forward-sensitivity pass).", "",
             "| problem | tool | starts | best llh (reference) | within 1e-3 | failed | wall s | "
             "compile/build s | converged/min | objective ms | objective+gradient ms |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, entry in data["problems"].items():
        ref = REFERENCE_LLH.get(name)
        for tool in ("mechsim", "pypesto"):
            r = entry.get(tool)
            if r is None:
                continue
            grad = r.get("objective_gradient_fim_s", r.get("objective_gradient_s"))
            star = "" if ref is not None else "\\*"
            ref_s = f"{ref:.4f}" if ref is not None else "none"
            lines.append(
                f"| {name} | {tool} | {entry['n_starts']} | {r['best_llh']:.4f} ({ref_s}) | "
                f"{r['n_within_tol_of_reference']}{star} | {r['n_failed']} | {r['wall_s']:.1f} | "
                f"{r.get('compile_s', r.get('build_s', float('nan'))):.1f} | "
                f"{r['converged_per_minute']:.2f} | {1e3 * r['objective_s']:.2f} | {1e3 * grad:.2f} |"
            )
    lines += ["", f"Machine: {json.dumps(data['machine'])}", ""]
    for name, entry in data["problems"].items():
        for note in entry.get("notes", []):
            lines.append(f"- {name}: {note}")
    if data.get("not_run"):
        lines += ["", "Not run:", ""] + [f"- {k}: {v}" for k, v in data["not_run"].items()]
    OUT_MD.write_text("\n".join(lines) + "\n")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("problems", nargs="+")
    ap.add_argument("--starts", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tools", default="mechsim,pypesto")
    ap.add_argument("--max-time", type=float, default=math.inf, help="wall budget per start, s")
    args = ap.parse_args(argv)
    from mechsim.fit import Problem, uniform_starts

    data = json.loads(OUT_JSON.read_text()) if OUT_JSON.exists() else {"problems": {}}
    data["machine"] = machine()
    tools = args.tools.split(",")
    for name in args.problems:
        yaml = PETAB / name / f"{name}.yaml"
        prob = Problem.from_petab(yaml)
        x0 = uniform_starts(prob.lower, prob.upper, args.starts, args.seed)
        entry = data["problems"].get(name, {})
        entry.update({"n_starts": args.starts, "seed": args.seed, "n_parameters": prob.n,
                      "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                      "max_time_per_start_s": args.max_time if math.isfinite(args.max_time) else None,
                      "reference_llh": REFERENCE_LLH.get(name)})  # fmt: skip
        for tool in tools:
            print(f"{name}: {tool} ...", flush=True)
            try:
                if tool == "mechsim":
                    entry["mechsim"] = run_mechsim(yaml, x0, args.max_time)
                elif tool == "pypesto":
                    entry["pypesto"] = run_pypesto(yaml, x0, list(prob.names), prob.x_nominal,
                                                   args.max_time)  # fmt: skip
                else:
                    raise SystemExit(f"error: unknown tool {tool!r} — use mechsim,pypesto")
            except (ImportError, RuntimeError, OSError, AttributeError) as exc:
                entry.setdefault("notes", []).append(f"{tool} did not run: {type(exc).__name__}: {exc}")
            r = entry.get(tool)
            if r is not None:
                print(f"  best llh {r['best_llh']:.4f}, {r['n_within_tol_of_reference']} within "
                      f"{TOL:g}, {r['wall_s']:.1f} s", flush=True)  # fmt: skip
            data["problems"][name] = entry
            OUT_JSON.write_text(json.dumps(data, indent=1, allow_nan=True) + "\n")
            write_markdown(data)


if __name__ == "__main__":
    main()
