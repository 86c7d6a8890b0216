"""``mechsim petab fit PROBLEM.yaml [--starts N] [--out DIR]``.

Attach with ``petab_app.command("fit")(petab_fit)``.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mechsim.errors import MechsimError


def petab_fit(
    problem: Path = typer.Argument(..., help="PEtab problem YAML"),
    starts: int = typer.Option(50, "--starts", help="number of Latin-hypercube starts"),
    out: Path = typer.Option(Path("petab_fit"), "--out", help="output folder"),
    max_steps: int = typer.Option(1000, "--max-steps", help="optimiser steps per start"),
    seed: int = typer.Option(0, "--seed", help="Latin-hypercube seed"),
) -> None:
    """Multi-start BFGS fit of a PEtab problem; writes DIR/result.json and waterfall.png."""
    import matplotlib.pyplot as plt
    import optimistix as optx

    from mechsim.cli.fit import console, err, progress_display
    from mechsim.fit import Problem, fit, plot_waterfall

    try:
        prob = Problem.from_petab(problem)
    except (MechsimError, ValueError, OSError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    out.mkdir(parents=True, exist_ok=True)
    prog, callback = progress_display(starts, f"fitting {prob.label}")
    with prog:
        result = fit(prob, starts=starts, optimizer=optx.BFGS(rtol=1e-8, atol=1e-8),
                     max_steps=max_steps, seed=seed, progress=callback)  # fmt: skip
    summary = result.summary()
    summary = {
        "problem": str(problem),
        "best_llh": -result.fval_best,
        "best_parameters": summary["best_parameters"],
        "n_starts": result.n_starts,
        "n_converged_to_best": result.n_converged_to_best,
        "wall_s": result.wall_s,
        **{k: v for k, v in summary.items() if k not in ("best_parameters", "best_llh")},
    }
    ax = plot_waterfall(result)
    ax.figure.tight_layout()
    ax.figure.savefig(out / "waterfall.png", dpi=120)
    files = ["waterfall.png"]
    fig = _fit_vs_data(problem, result)
    if fig is not None:
        fig.savefig(out / "fit.png", dpi=120)
        files.append("fit.png")
    plt.close("all")
    summary["figures"] = files
    (out / "result.json").write_text(json.dumps(summary, indent=2) + "\n")
    console.print(f"best llh {-result.fval_best:.6f}; {result.n_converged_to_best}/{starts} "
                  f"starts at the best; {result.wall_s:.1f} s; wrote {out}")  # fmt: skip


def _fit_vs_data(problem: Path, result):
    """Measurements vs simulation at the best fit, if the PEtab module offers simulations."""
    try:
        from mechsim.petab import simulate_measurements  # type: ignore[attr-defined]
    except ImportError:
        return None
    import matplotlib.pyplot as plt

    table = simulate_measurements(problem, result.x_best)
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, (obs, g) in enumerate(table.groupby("observableId")):
        g = g.sort_values("time")
        ax.plot(g["time"], g["measurement"], "o", ms=3, color=f"C{i % 10}", label=str(obs))
        ax.plot(g["time"], g["simulation"], "-", lw=1, color=f"C{i % 10}")
    ax.set_xlabel("time")
    ax.set_ylabel("observable")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
