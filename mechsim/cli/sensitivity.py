"""``mechsim sensitivity SCENARIO``: one-at-a-time sensitivity of the headline outputs."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from mechsim.errors import MechsimError

console = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _writable(out: Path) -> None:
    """The shared boundary check of output folders (:func:`mechsim._validate.check_output_path`:
    creatable, writable, not a file), before any work; then create it."""
    from mechsim._validate import check_output_path

    try:
        check_output_path(out, arg="--out", kind="folder")
        out.mkdir(parents=True, exist_ok=True)
    except MechsimError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(
            f"cannot write to --out {str(out)!r}: {exc.strerror or exc} — choose a writable folder",
            1,
        )


def sensitivity_cmd(
    scenario: str = typer.Argument(..., help="scenario name (see 'mechsim scenarios')"),
    out: Path = typer.Option(Path("mechsim-sensitivity"), "--out", help="output folder"),
    levels: int = typer.Option(5, "--levels", min=2, help="values per parameter over its bounds"),
) -> None:
    """Move each assumed parameter of SCENARIO over its plausible range (bounds), one at a
    time, and write how the headline outputs move: sensitivity.csv (per parameter and
    headline: outputs at the bounds, swing, the sub-range where the claim holds),
    sensitivity_scan.csv (every level) and sensitivity_tornado.png to --out."""
    from mechsim.analysis._sensitivity import case_for_scenario, one_at_a_time, write_sensitivity

    try:
        case = case_for_scenario(scenario)
    except MechsimError as exc:
        _fail(str(exc))
    _writable(out)
    n_par = len(case.assumed_parameters())
    try:
        with console.status(
            f"{n_par} assumed parameters x {levels} levels x {len(case.arms)} arms ..."
        ):
            result = one_at_a_time(case, n_levels=levels)
        files = write_sensitivity(result, out)
    except MechsimError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(
            f"cannot write to --out {str(out)!r}: {exc.strerror or exc} — choose a writable folder",
            1,
        )
    for name, value in result.nominal.items():
        console.print(f"nominal {name:24s} {value:.4g}", highlight=False)
    if result.failed_runs:
        console.print(f"[yellow]{result.failed_runs} runs failed (NaN in the tables)[/yellow]")
    console.print(f"wrote {len(files)} files to {out}")


def register(app: typer.Typer) -> None:
    """Add ``sensitivity`` to the main app."""
    app.command("sensitivity")(sensitivity_cmd)
