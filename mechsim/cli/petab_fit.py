"""``mechsim petab fit PROBLEM.yaml [--starts N] [--out DIR]``.

Attach with ``petab_app.command("fit")(petab_fit)``.
"""

from __future__ import annotations

import dataclasses
import math
from enum import StrEnum
from pathlib import Path

import numpy as np
import typer

from mechsim.errors import InputError, MechsimError

#: Absolute llh tolerance of the second convergence count reported beside ``--tol-best``.
LOOSE_TOL = 0.1


class Method(StrEnum):
    """Optimiser: ``auto`` = the fides trust region (:class:`mechsim.fit.TrustRegion`,
    Fisher-information/BFGS hybrid curvature when all noise is normal and the gradient is
    forward-mode, else BFGS curvature); ``lm-bfgs`` = Levenberg-Marquardt then a BFGS
    polish (the previous default); ``lm`` and ``bfgs`` = optimistix alone."""

    auto = "auto"
    lm_bfgs = "lm-bfgs"
    lm = "lm"
    bfgs = "bfgs"


def petab_fit(
    problem: Path = typer.Argument(..., help="PEtab problem YAML"),
    starts: int = typer.Option(50, "--starts",
                               help="number of starts, uniform in the scaled bounds (PEtab's default)"),
    out: Path = typer.Option(Path("petab_fit"), "--out", help="output folder"),
    method: Method = typer.Option(Method.auto, "--method",
                                  help="auto (fides trust region with Fisher-information/BFGS "
                                       "curvature), lm-bfgs (LM + BFGS polish, the previous "
                                       "default), lm or bfgs (optimistix)"),
    tol: float = typer.Option(1e-6, "--tol", help="optimiser tolerance: gradient-norm tolerance "
                              "of the trust region (auto), rtol = atol of optimistix (Cauchy "
                              "termination) otherwise"),
    max_steps: int = typer.Option(500, "--max-steps", help="optimiser steps per start"),
    max_time: float = typer.Option(
        0.0, "--max-time", help="wall budget per start in s (auto only; 0: none)"),
    polish_steps: int = typer.Option(
        200, "--polish-steps", help="BFGS polish steps after LM (lm-bfgs only; 0: no polish)"),
    polish_within: float = typer.Option(
        10.0, "--polish-within",
        help="lm-bfgs: polish the LM end points within this many nllh units of the best LM value"),
    rtol: float = typer.Option(1e-8, "--rtol", help="integrator relative tolerance"),
    atol: float = typer.Option(1e-12, "--atol", help="integrator absolute tolerance"),
    solver_max_steps: int = typer.Option(
        100_000, "--solver-max-steps", min=1,
        help="integrator steps per simulation before a start's objective is non-finite "
             "(AMICI's default is 10000)"),
    tol_best: float = typer.Option(1e-3, "--tol-best",
                                   help="llh tolerance for counting starts converged to the best"),
    seed: int = typer.Option(0, "--seed", help="seed of the start points"),
    gradient: str = typer.Option(
        "fwd", "--gradient",
        help="fwd (forward sensitivities; needed by LM) or bwd (reverse mode through the "
             "checkpointed solver: one backward pass per gradient, cheaper for BFGS with "
             "many parameters)"),
) -> None:  # fmt: skip
    """Multi-start fit of a PEtab problem; writes DIR/result.json, waterfall.png, fit.png."""
    import matplotlib.pyplot as plt
    import optimistix as optx

    from mechsim._io import atomic_folder, atomic_write_text, json_text
    from mechsim._validate import (
        check_count,
        check_input_file,
        check_output_path,
        check_positive,
        check_tolerances,
    )
    from mechsim.cli._errors import fail, user_errors
    from mechsim.cli.fit import console, progress_display
    from mechsim.fit import Problem, default_optimizer, fit, plot_waterfall

    if gradient not in ("fwd", "bwd"):
        fail(f"--gradient must be fwd or bwd, got {gradient!r} — pass --gradient fwd or --gradient bwd")
    with user_errors():
        check_input_file(problem, arg="PROBLEM", what="PEtab problem YAML")
        check_output_path(out, arg="--out", kind="folder")
        check_tolerances(rtol, atol, rtol_arg="--rtol", atol_arg="--atol")
        check_positive(tol, arg="--tol")
        check_positive(tol_best, arg="--tol-best")
        check_positive(polish_within, arg="--polish-within", allow_zero=True)
        check_positive(max_time, arg="--max-time", allow_zero=True)
        check_count(starts, arg="--starts")
        check_count(max_steps, arg="--max-steps")
        check_count(polish_steps, arg="--polish-steps", minimum=0)
        check_count(seed, arg="--seed", minimum=0)
        try:
            prob = Problem.from_petab(
                problem, rtol=rtol, atol=atol, gradient=gradient, solver_max_steps=solver_max_steps
            )
        except ValueError as exc:
            if isinstance(exc, MechsimError):
                raise
            raise InputError(f"{problem}: {exc}") from None
    if method == Method.lm and prob.residual_fn is None:
        fail("--method lm needs normal noise on every observable — use --method bfgs or --method auto")
    use_lm = method == Method.lm or (method == Method.lm_bfgs and prob.residual_fn is not None)
    polish = None
    if method == Method.auto:
        optimizer = dataclasses.replace(default_optimizer(prob), gatol=tol,
                                        max_time_s=max_time if max_time > 0 else math.inf)  # fmt: skip
    else:
        optimizer = (optx.LevenbergMarquardt(rtol=tol, atol=tol) if use_lm
                     else optx.BFGS(rtol=tol, atol=tol))  # fmt: skip
    if method == Method.lm_bfgs and use_lm and polish_steps > 0:
        polish = optx.BFGS(rtol=min(tol, 1e-8), atol=min(tol, 1e-8))
    prog, callback = progress_display(starts, f"fitting {prob.label}")
    with prog:
        result = fit(prob, starts=starts, optimizer=optimizer, max_steps=max_steps, seed=seed,
                     tol_best=tol_best, progress=callback, polish=polish,
                     polish_steps=polish_steps, polish_within=polish_within)  # fmt: skip
    full = result.summary()
    finite = np.isfinite(result.fvals)
    if not finite.any():
        record = {"problem": str(problem), "best_llh": None, "n_starts": result.n_starts,
                  "n_converged_to_best": 0, "n_failed_starts": result.n_starts,
                  "wall_s": result.wall_s, "solver_max_steps": solver_max_steps,
                  "messages": list(result.messages)}  # fmt: skip
        atomic_write_text(out / "result.json", json_text(record))
        fail(f"all {result.n_starts} starts failed (objective non-finite: the model could not be "
             f"integrated there); wrote {out / 'result.json'} — raise --solver-max-steps (now "
             f"{solver_max_steps}), loosen --rtol/--atol, or narrow the parameter bounds", 1)
    summary = {
        "problem": str(problem),
        "best_llh": -result.fval_best,
        "best_parameters": full["best_parameters"],
        "n_starts": result.n_starts,
        "n_converged_to_best": result.n_converged_to_best,
        "converged_tol_llh": tol_best,
        f"n_within_{LOOSE_TOL:g}_of_best": int(np.sum(result.fvals <= result.fval_best + LOOSE_TOL)),
        "n_failed_starts": int(np.sum(~finite)),
        "wall_s": result.wall_s,
        "gradient": gradient,
        "method": _method_name(optimizer, use_lm, polish),
        "polish_within_nllh": polish_within if polish is not None else None,
        "integrator_rtol": rtol,
        "integrator_atol": atol,
        "llhs": [float(-v) for v in result.fvals],
        **{k: v for k, v in full.items()
           if k not in ("best_parameters", "best_llh", "n_starts", "n_converged_to_best", "wall_s",
                        "fvals")},
    }  # fmt: skip
    with atomic_folder(out) as tmp:  # result.json and figures appear together, or not at all
        ax = plot_waterfall(result)
        ax.figure.tight_layout()
        ax.figure.savefig(tmp / "waterfall.png", dpi=120)
        files = ["waterfall.png"]
        fig = _fit_vs_data(problem, result)
        if fig is not None:
            fig.savefig(tmp / "fit.png", dpi=120)
            files.append("fit.png")
        plt.close("all")
        summary["figures"] = files
        atomic_write_text(tmp / "result.json", json_text(summary))
    console.print(f"best llh {-result.fval_best:.6f}; {result.n_converged_to_best}/{starts} "
                  f"starts within {tol_best:g} of the best; {result.wall_s:.1f} s; wrote {out}")  # fmt: skip


def _method_name(optimizer, use_lm: bool, polish) -> str:
    from mechsim.fit import TrustRegion

    if isinstance(optimizer, TrustRegion):
        return f"trust-region (fides, {optimizer.curvature.value} curvature)"
    return ("levenberg-marquardt" if use_lm else "bfgs") + (" + bfgs polish" if polish else "")


def _fit_vs_data(problem: Path, result):
    """Measurements (points) and simulation (lines) at the best fit, one panel per
    observable, one colour per condition; None if the best start failed."""
    import matplotlib.pyplot as plt

    from mechsim.petab import simulate_measurements

    if not np.isfinite(result.fval_best):
        return None
    table = simulate_measurements(problem, result.x_best)
    groups = list(table.groupby("observableId", sort=False))
    cols = min(len(groups), 3)
    rows = -(-len(groups) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
    for ax, (obs, g) in zip(axes.ravel(), groups, strict=False):
        for i, (cond, gc) in enumerate(g.groupby("simulationConditionId", sort=False)):
            gc = gc.sort_values("time")
            ax.errorbar(gc["time"], gc["measurement"], yerr=gc["sigma"], fmt="o", ms=3,
                        color=f"C{i % 10}", label=str(cond), lw=0.6)  # fmt: skip
            ax.plot(gc["time"], gc["simulation"], "-", lw=1, color=f"C{i % 10}")
        ax.set_title(str(obs), fontsize=9)
        ax.set_xlabel("time")
        if g["simulationConditionId"].nunique() <= 8:
            ax.legend(fontsize=6)
    for ax in axes.ravel()[len(groups) :]:
        ax.set_visible(False)
    fig.suptitle(f"best fit, llh {-result.fval_best:.4f}", fontsize=10)
    fig.tight_layout()
    return fig
