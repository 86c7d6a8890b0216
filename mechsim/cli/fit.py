"""``mechsim fit CONFIG.yaml --out DIR``: multi-start fit of a network to data.

Register as a top-level command with ``register(app)`` (preferred: add ``"fit"`` to
``_COMMANDS`` in :mod:`mechsim.cli`), or mount :data:`app` (a typer app whose callback
takes CONFIG and --out).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from mechsim.cli._errors import err, user_errors

console = Console()
__all__ = ["err", "fit_cmd", "progress_display", "register"]


def progress_display(n_total: int, label: str):
    """A rich progress bar; returns ``(progress, callback)`` for :func:`mechsim.fit.fit`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    prog = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("best {task.fields[best]}"), TimeElapsedColumn(), console=console,
    )  # fmt: skip
    task = prog.add_task(label, total=n_total, best="-")

    def callback(done: int, total: int, best: float, elapsed: float) -> None:
        prog.update(task, completed=done, best=f"{best:.6g}")

    return prog, callback


def fit_cmd(
    config: Path = typer.Argument(..., help="fit configuration YAML (network, data, free, ...)"),
    out: Path = typer.Option(..., "--out", help="output folder"),
) -> None:
    """Fit CONFIG's free parameters; write result.json, waterfall.png, fit.png (+ profiles)."""
    from mechsim._io import atomic_folder, atomic_write_text, json_text
    from mechsim._validate import check_output_path
    from mechsim.fit import fit, plot_fit, plot_profiles, plot_waterfall, profile
    from mechsim.fit._config import load_fit_config

    with user_errors():
        check_output_path(out, arg="--out", kind="folder")
        cfg = load_fit_config(config)
        prog, callback = progress_display(cfg.starts, f"fitting {cfg.problem.label}")
        with prog:
            result = fit(cfg.problem, starts=cfg.starts, optimizer=cfg.optimizer,
                         max_steps=cfg.max_steps, seed=cfg.seed, progress=callback)  # fmt: skip
        summary = result.summary()
        with atomic_folder(out) as tmp:  # result.json and figures appear together, or not at all
            figs = _figures(cfg.problem, result, tmp, plot_fit, plot_waterfall)
            if cfg.profile:
                profiles = profile(cfg.problem, result, parameters=cfg.profile, optimizer=cfg.optimizer)
                summary["profiles"] = {n: p.to_dict() for n, p in profiles.items()}
                fig = plot_profiles(profiles)
                fig.savefig(tmp / "profiles.png", dpi=120)
                figs.append("profiles.png")
            summary["figures"] = figs
            atomic_write_text(tmp / "result.json", json_text(summary))
    console.print(f"best nllh {result.fval_best:.6g}; {result.n_converged_to_best}/"
                  f"{result.n_starts} starts at the best; {result.wall_s:.1f} s; wrote {out}")  # fmt: skip


def _figures(problem, result, out: Path, plot_fit, plot_waterfall) -> list[str]:
    import matplotlib.pyplot as plt

    files = []
    ax = plot_waterfall(result)
    ax.figure.tight_layout()
    ax.figure.savefig(out / "waterfall.png", dpi=120)
    files.append("waterfall.png")
    if problem.predict_fn is not None:
        ax = plot_fit(problem, result)
        ax.figure.tight_layout()
        ax.figure.savefig(out / "fit.png", dpi=120)
        files.append("fit.png")
    plt.close("all")
    return files


def register(app: typer.Typer) -> None:
    """Add ``fit`` as a top-level command of ``app``."""
    app.command("fit")(fit_cmd)


app = typer.Typer(name="fit", help="Fit a network to data.", add_completion=False)


@app.callback(invoke_without_command=True)
def _main(
    config: Path = typer.Argument(..., help="fit configuration YAML"),
    out: Path = typer.Option(..., "--out", help="output folder"),
) -> None:
    """Fit CONFIG's free parameters; write result.json and figures to --out."""
    fit_cmd(config, out)
