"""Fitting benchmarks: objective+gradient cost, multi-start fits, scipy comparison.

Usage::

    python benchmarks/bench_fit.py boehm [--starts 50]      # Boehm: llh, convergence, timing
    python benchmarks/bench_fit.py petab NAME [--starts N]  # Fujita, Armistead, ...
    python benchmarks/bench_fit.py gradient                 # fwd vs bwd on the release problem
    python benchmarks/bench_fit.py uncertainty [NAME]       # Fisher, profiles, NUTS at the best fit

Compile once, ``block_until_ready``, median of repeated runs, compile time separately;
the scipy comparison runs in the same process on the same objective. Results go to
``benchmarks/results/fit_<name>.json`` and ``.md`` with the machine description.
"""

from __future__ import annotations

import argparse
import json
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
REFERENCE_BOEHM = -138.22199693517703
#: reference llh values of ../shared/petab/REFERENCE.md
REFERENCE_LLH = {"Boehm_JProteomeRes2014": REFERENCE_BOEHM,
                 "Fujita_SciSignal2010": 53.08377736998929}  # fmt: skip


def machine() -> dict:
    """Machine description recorded beside every number."""
    return {"platform": platform.platform(), "python": platform.python_version(),
            "jax": jax.__version__, "cpu_count": os.cpu_count(),
            "devices": [str(d) for d in jax.devices()],
            "note": "2-core CPU shared with other jobs; wall times are upper bounds"}  # fmt: skip


def median_time(fn, *args, repeats: int = 10) -> tuple[float, float]:
    """(compile+first call s, median of ``repeats`` calls s)."""
    t0 = time.perf_counter()
    jax.block_until_ready(fn(*args))
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - t0)
    return first, float(np.median(times))


def scipy_fit(problem, starts: np.ndarray, max_nfev: int = 2000) -> dict:
    """Multi-start ``scipy.optimize.minimize(L-BFGS-B)`` with finite-difference gradients.

    (``least_squares`` needs residuals; a likelihood-only objective with estimated
    sigmas has none, so its bounded quasi-Newton counterpart is used on the identical
    objective. Where the problem has residuals, ``least_squares`` is also run.)
    """
    from scipy.optimize import least_squares, minimize

    f = jax.jit(problem.objective)
    jax.block_until_ready(f(problem.x_nominal))
    bounds = list(zip(problem.lower, problem.upper, strict=True))
    t0 = time.perf_counter()
    fvals, nfev = [], 0
    for x0 in starts:
        res = minimize(lambda x: float(f(x)), x0, method="L-BFGS-B", bounds=bounds,
                       options={"maxfun": max_nfev})  # fmt: skip
        fvals.append(res.fun)
        nfev += res.nfev
    out = {"lbfgsb_fd_wall_s": time.perf_counter() - t0, "lbfgsb_fd_best": float(np.min(fvals)),
           "lbfgsb_fd_nfev": nfev, "lbfgsb_fd_fvals": sorted(map(float, fvals))}  # fmt: skip
    if problem.residual_fn is not None:
        r = jax.jit(problem.residuals)
        t0 = time.perf_counter()
        best = np.inf
        for x0 in starts:
            res = least_squares(lambda x: np.asarray(r(x)), x0, jac="2-point",
                                bounds=(problem.lower, problem.upper), max_nfev=max_nfev)  # fmt: skip
            best = min(best, float(problem.objective(res.x)))
        out |= {"least_squares_fd_wall_s": time.perf_counter() - t0, "least_squares_fd_best": best}
    return out


def bench_petab(
    name: str,
    starts: int,
    scipy_starts: int,
    max_steps: int = 300,
    polish_steps: int = 200,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    polish_within: float | None = 10.0,
    method: str = "auto",
    gradient: str = "fwd",
    solver_max_steps: int = 100_000,
    repeat: bool = True,
) -> dict:
    """Objective+gradient timing, a multi-start fit, and the scipy comparison.

    The fit is what ``mechsim petab fit --method auto`` runs: with normal noise
    everywhere Levenberg-Marquardt (``max_steps``) then a BFGS polish (``polish_steps``)
    of the end points within ``polish_within`` nllh units of the best, else BFGS;
    ``rtol``/``atol`` are the integrator's tolerances. ``method="bfgs"`` skips LM (BFGS
    from every start), ``gradient="bwd"`` uses reverse mode through the checkpointed
    solver (one backward pass per gradient; LM then needs one per residual, so use BFGS).
    """
    import optimistix as optx

    from mechsim.fit import Problem, fit

    yaml = PETAB / name / f"{name}.yaml"
    prob = Problem.from_petab(
        yaml, rtol=rtol, atol=atol, gradient=gradient, solver_max_steps=solver_max_steps
    )
    x = np.asarray(prob.x_nominal)
    f_first, f_med = median_time(jax.jit(prob.objective), x)
    g_first, g_med = median_time(jax.jit(prob.value_and_grad), x)
    print(f"objective {f_med:.4f} s, +gradient {g_med:.4f} s; fitting ...", flush=True)

    def progress(done, total, best, elapsed):
        print(f"  {done}/{total} starts done, best {best:.6f}, {elapsed:.0f} s", flush=True)

    if prob.residual_fn is not None and method in ("auto", "lm"):
        optimizer = optx.LevenbergMarquardt(rtol=1e-6, atol=1e-6)
        polish = optx.BFGS(rtol=1e-8, atol=1e-8) if polish_steps > 0 else None
    else:
        optimizer, polish = optx.BFGS(rtol=1e-8, atol=1e-8), None
    kw = dict(starts=starts, optimizer=optimizer, max_steps=max_steps, polish=polish,
              polish_steps=polish_steps, polish_within=polish_within)  # fmt: skip
    result = fit(prob, progress=progress, **kw)
    # the same fit again in the same process: compiled programs reused, as on a second
    # `mechsim petab fit` with the persistent compilation cache (AMICI's model compile is
    # likewise a one-off step outside its fit timings)
    warm = None
    if repeat:
        print("same fit again, compiled ...", flush=True)
        warm = fit(prob, **kw)
        assert np.array_equal(warm.fvals, result.fvals), "the repeated fit must be identical"
    out = {
        "problem": name, "n_parameters": prob.n, "llh_nominal": -float(prob.objective(x)),
        "integrator_rtol": rtol, "integrator_atol": atol, "n_starts": starts,
        "method": method, "gradient": gradient, "solver_max_steps": solver_max_steps,
        "optimizer": result.optimizer, "max_steps": max_steps, "polish_steps": polish_steps,
        "polish_within": polish_within,
        "objective_s": f_med, "objective_compile_s": f_first,
        f"objective_and_gradient_{gradient}_s": g_med,
        "objective_and_gradient_compile_s": g_first,
        "fit": {k: v for k, v in result.summary().items() if k not in ("fvals", "n_steps")},
        **({"fit_wall_s_compiled": warm.wall_s} if warm is not None else {}),
        "fit_fvals": [float(v) for v in result.fvals],
    }  # fmt: skip
    if name in REFERENCE_LLH:
        out["reference_llh"] = REFERENCE_LLH[name]
        reached = -result.fvals >= REFERENCE_LLH[name] - 1e-3
        out["n_starts_reaching_reference"] = int(reached.sum())
        out["fraction_reaching_reference"] = float(reached.mean())
    if scipy_starts:
        # the first scipy_starts Latin-hypercube starts in drawing order (result.x_starts
        # is sorted by outcome: its head would be the easy starts)
        from mechsim.fit import latin_hypercube

        drawn = latin_hypercube(prob.lower, prob.upper, starts, 0)
        assert {tuple(r) for r in drawn} == {tuple(r) for r in result.x_starts}
        sp = scipy_fit(prob, drawn[:scipy_starts])
        out["scipy"] = sp | {"n_starts": scipy_starts}
        per_start_scipy = sp["lbfgsb_fd_wall_s"] / scipy_starts
        out["scipy_per_start_s"] = per_start_scipy
        out["mechsim_per_start_s"] = result.wall_s / starts
        out["speedup_per_start"] = per_start_scipy / (result.wall_s / starts)
    return out


def bench_uncertainty(
    name: str,
    num_warmup: int = 300,
    num_samples: int = 300,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    parameters: list[str] | None = None,
    max_num_doublings: int = 6,
    nuts_only: bool = False,
) -> dict:
    """Fisher identifiability, profile likelihoods of ``parameters`` (default: all), and
    NUTS (trees capped at ``2**max_num_doublings - 1`` leapfrog steps), around the best
    fit recorded in ``fit_<name>.json`` (else the nominal parameters). ``nuts_only``
    keeps the recorded Fisher and profile results and adds the sampling."""
    import optimistix as optx

    from mechsim.fit import Problem, fisher_information, profile, sample_posterior

    short = name.split("_")[0].lower()
    prob = Problem.from_petab(PETAB / name / f"{name}.yaml", rtol=rtol, atol=atol)
    x_hat, source = np.asarray(prob.x_nominal), "nominal parameters of the PEtab table"
    recorded = RESULTS / f"fit_{short}.json"
    if recorded.exists():
        best = json.loads(recorded.read_text())["fit"]["best_x_on_scale"]
        x_hat, source = np.array([best[n] for n in prob.names]), f"best fit in {recorded.name}"
    f_hat = float(jax.jit(prob.objective)(x_hat))
    if nuts_only:
        out = json.loads((RESULTS / f"fit_{short}_uncertainty.json").read_text())
        out.pop("machine", None)
    else:
        print(f"{name}: llh {-f_hat:.6f} at the {source}; Fisher ...", flush=True)
        t0 = time.perf_counter()
        fim = fisher_information(prob, x_hat)
        fisher_s = time.perf_counter() - t0
        print(f"  flagged non-identifiable: {fim.non_identifiable}; profiles ...", flush=True)
        t0 = time.perf_counter()
        profs = profile(
            prob,
            x_hat,
            parameters=parameters,
            f_hat=f_hat,
            optimizer=optx.BFGS(rtol=1e-8, atol=1e-8),
            max_steps=300,
        )
        profile_s = time.perf_counter() - t0
        out = {
            "problem": name, "x_hat_source": source, "llh_at_x_hat": -f_hat,
            "integrator_rtol": rtol, "integrator_atol": atol,
            "fisher": fim.to_dict() | {"wall_s": fisher_s},
            "profiles": {k: v.to_dict() for k, v in profs.items()} | {"wall_s": profile_s},
        }  # fmt: skip
        write(f"{short}_uncertainty", out)  # recorded before the (long) sampling
    print("  NUTS ...", flush=True)
    post = sample_posterior(
        prob,
        x_hat,
        num_chains=4,
        num_warmup=num_warmup,
        num_samples=num_samples,
        jitter=0.01,
        max_num_doublings=max_num_doublings,
    )
    out["nuts"] = post.to_dict() | {"num_chains": 4, "num_warmup": num_warmup,
                                    "num_samples": num_samples,
                                    "max_num_doublings": max_num_doublings}  # fmt: skip
    return out


def bench_gradient() -> dict:
    """Forward sensitivities vs reverse mode on the pH-release problem (5 conditions)."""
    from tests.fit.problems import release_problem

    out = {}
    for mode in ("fwd", "bwd"):
        prob = release_problem(gradient=mode)
        x = np.asarray(prob.x_nominal)
        first, med = median_time(jax.jit(prob.value_and_grad), x)
        out[mode] = {"value_and_grad_s": med, "compile_s": first,
                     "grad": np.asarray(prob.value_and_grad(x)[1]).tolist()}  # fmt: skip
    out["max_rel_diff_fwd_bwd"] = float(np.max(np.abs(np.subtract(out["fwd"]["grad"],
                                       out["bwd"]["grad"])) / np.abs(out["fwd"]["grad"])))  # fmt: skip
    return out


def write(name: str, data: dict) -> None:
    """Write ``fit_<name>.json`` and a short Markdown table."""
    data = {"machine": machine(), **data}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"fit_{name}.json").write_text(json.dumps(data, indent=2, default=float) + "\n")
    lines = [f"# fit benchmark: {name}", ""]
    if "fit_wall_s_compiled" in data:
        f = data["fit"]
        lines += [
            f"{f['n_starts']}-start fit: {f['wall_s']:.1f} s from cold (first compiling "
            f"segments {f['compile_s']:.1f} s), {data['fit_wall_s_compiled']:.1f} s compiled; "
            f"best llh {f['best_llh']:.5f}, {f['n_converged_to_best']} of {f['n_starts']} "
            f"starts within {f['tol_best']:g} of it.",
            "",
        ]
    if "reference_llh" in data:
        lines += [f"Reference llh {data['reference_llh']:.5f} (REFERENCE.md): reached by "
                  f"{data['n_starts_reaching_reference']} of {data['n_starts']} starts "
                  "(within 1e-3).", ""]
    if "scipy" in data and "least_squares_fd_wall_s" in data["scipy"]:
        sp = data["scipy"]
        per_ls = sp["least_squares_fd_wall_s"] / sp["n_starts"]
        lines += [
            f"Per start: mechsim {data['mechsim_per_start_s']:.2f} s; scipy least_squares "
            f"(2-point FD Jacobian) {per_ls:.2f} s = {per_ls / data['mechsim_per_start_s']:.1f}x; "
            f"scipy L-BFGS-B (FD gradient) {data['scipy_per_start_s']:.2f} s = "
            f"{data['speedup_per_start']:.1f}x (scipy on the first {sp['n_starts']} of the "
            "same Latin-hypercube starts in drawing order, same objective; mechsim's "
            "per-start time is its whole cold fit over all starts).",
            "",
        ]
    if "profiles" in data:
        lines += [
            "Profile-likelihood 95 % intervals (fitting scale; threshold "
            "chi2(0.95, 1)/2 on the nllh; 'open' = no crossing inside the bounds):",
            "",
            "| parameter | x_hat | lower | upper |",
            "|---|---|---|---|",
        ]
        for k, v in data["profiles"].items():
            if isinstance(v, dict):
                lo = f"{v['ci'][0]:.4g}" + ("" if v["closed"][0] else " (open)")
                hi = f"{v['ci'][1]:.4g}" + ("" if v["closed"][1] else " (open)")
                lines.append(f"| {k} | {v['x_hat']:.4g} | {lo} | {hi} |")
        lines.append("")
    if "nuts" in data:
        lines += [
            "NUTS (4 chains): posterior median, 95 % interval, R-hat, ESS:",
            "",
            "| parameter | median | 2.5 % | 97.5 % | R-hat | ESS |",
            "|---|---|---|---|---|---|",
        ]
        for k, v in data["nuts"].items():
            if isinstance(v, dict):
                lines.append(
                    f"| {k} | {v['median']:.4g} | {v['q2.5']:.4g} | {v['q97.5']:.4g} | "
                    f"{v['rhat']:.3f} | {v['ess']:.0f} |"
                )
        lines.append("")
    lines += ["| quantity | value |", "|---|---|"]

    def cell(v) -> str:
        return " ".join(str(v).split()).replace("|", "/")

    for k, v in data.items():
        if isinstance(v, int | float | str):
            lines.append(f"| {k} | {cell(v)} |")
        elif isinstance(v, dict):
            for k2, v2 in v.items():
                if isinstance(v2, int | float | str):
                    lines.append(f"| {k}.{k2} | {cell(v2)} |")
    (RESULTS / f"fit_{name}.md").write_text("\n".join(lines) + "\n")
    print(json.dumps({k: v for k, v in data.items() if k != "fit_fvals"}, indent=2, default=float))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("what", choices=["boehm", "petab", "gradient", "uncertainty"])
    ap.add_argument("name", nargs="?", default="Boehm_JProteomeRes2014")
    ap.add_argument("--starts", type=int, default=50)
    ap.add_argument("--scipy-starts", type=int, default=10)
    ap.add_argument("--max-steps", type=int, default=300)
    ap.add_argument("--polish-steps", type=int, default=200)
    ap.add_argument("--polish-within", type=float, default=10.0)
    ap.add_argument(
        "--profile", nargs="*", default=None, help="parameters to profile (uncertainty)"
    )
    ap.add_argument(
        "--nuts-steps", type=int, default=300, help="NUTS warmup = samples (uncertainty)"
    )
    ap.add_argument("--nuts-only", action="store_true", help="add NUTS to the recorded results")
    ap.add_argument("--max-doublings", type=int, default=6, help="NUTS tree-depth cap")
    ap.add_argument("--rtol", type=float, default=1e-8)
    ap.add_argument("--atol", type=float, default=1e-12)
    ap.add_argument("--method", choices=["auto", "lm", "bfgs"], default="auto")
    ap.add_argument("--gradient", choices=["fwd", "bwd"], default="fwd")
    ap.add_argument("--solver-max-steps", type=int, default=100_000)
    ap.add_argument("--no-repeat", action="store_true", help="skip the compiled re-run")
    ap.add_argument("--name-suffix", default="", help="results file fit_<name><suffix>")
    args = ap.parse_args()
    opts = {
        "polish_steps": args.polish_steps,
        "rtol": args.rtol,
        "atol": args.atol,
        "polish_within": args.polish_within,
        "solver_max_steps": args.solver_max_steps,
        "repeat": not args.no_repeat,
    }
    if args.what == "boehm":
        write(
            "boehm" + args.name_suffix,
            bench_petab(
                "Boehm_JProteomeRes2014", args.starts, args.scipy_starts, args.max_steps, **opts
            ),
        )
    elif args.what == "petab":
        write(
            args.name.split("_")[0].lower() + args.name_suffix,
            bench_petab(
                args.name,
                args.starts,
                args.scipy_starts,
                args.max_steps,
                **opts,
                method=args.method,
                gradient=args.gradient,
            ),
        )
    elif args.what == "uncertainty":
        write(
            f"{args.name.split('_')[0].lower()}_uncertainty",
            bench_uncertainty(
                args.name,
                args.nuts_steps,
                args.nuts_steps,
                rtol=args.rtol,
                atol=args.atol,
                parameters=args.profile,
                max_num_doublings=args.max_doublings,
                nuts_only=args.nuts_only,
            ),
        )
    else:
        write("gradient", bench_gradient())


if __name__ == "__main__":
    main()
