"""``mechsim bench grid``: attach :func:`bench_grid_command` to the ``bench`` group.

In ``mechsim/cli/bench.py``: ``from mechsim.cli.bench_grid import bench_grid_command`` and
``app.command("grid")(bench_grid_command)``.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console()


def bench_grid_command(
    n: int = typer.Option(4096, "--n", help="grid points (dose x parameter)"),
    quick: bool = typer.Option(
        False, "--quick",
        help="small and about a minute: the stand-in mechanism unless --model, 64 points, a few "
             "seconds per method (indicative numbers, marked QUICK)",
    ),
    json: Path | None = typer.Option(None, "--json", help="also write the JSON result here"),
    model: list[str] = typer.Option(
        [],
        "--model",
        help="model name(s); default: trofosfamide and aldoxorubicin (or the stand-in)",
    ),
    out_dir: Path = typer.Option(
        Path("."), "--out-dir",
        help="where grid_<model>.json/.md/.png go (default: the current folder; the project's "
             "recorded results live in benchmarks/results)",
    ),
    batch: int | None = typer.Option(
        None,
        "--batch",
        min=1,
        help="points per solver call of the vectorised methods (default: 256 on CPU, 131072 on GPU; at most --n)",
    ),
) -> None:
    """Solves/s of mechsim, diffrax Kvaerno5, scipy LSODA and libRoadRunner over an N-point grid."""
    from mechsim._validate import check_count, check_output_path
    from mechsim.bench.grid import run_grid_benchmark
    from mechsim.cli._errors import user_errors

    with user_errors():
        check_output_path(out_dir, arg="--out-dir", kind="folder")
        if json is not None:
            check_output_path(json, arg="--json")
        check_count(n, arg="--n")

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mechsim.cli._errors import err

    # on stderr and transient: the result lines (stdout) stay, the bar goes when done
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("starting", total=None)
        run_grid_benchmark(
            n=n,
            quick=quick,
            models=model or None,
            json_path=json,
            out_dir=out_dir,
            batch=batch,
            log=lambda s: console.print(s, markup=False, highlight=False, soft_wrap=True),
            progress=lambda stage, done, total: bar.update(task, description=stage, completed=done, total=total),
        )
