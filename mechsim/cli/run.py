"""Top-level commands: ``scenarios``, ``simulate``, ``params`` and ``demo``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mechsim._io import atomic_folder
from mechsim._validate import check_output_path, check_tolerances
from mechsim.cli._errors import user_errors
from mechsim.errors import InputError, MechsimError, SolverError

console = Console()


def scenarios() -> None:
    """List the named scenarios, one line each."""
    from mechsim.scenarios import list_scenarios

    for sc in list_scenarios():
        console.print(f"{sc.name:28s} {sc.description}", highlight=False)


def simulate_cmd(
    scenario: str = typer.Argument(..., help="scenario name (see 'mechsim scenarios')"),
    out: Path = typer.Option(..., "--out", help="output folder"),
    rtol: float | None = typer.Option(None, help="relative tolerance (default: the scenario's)"),
    atol: float | None = typer.Option(None, help="absolute tolerance in umol (default: the scenario's)"),
) -> None:
    """Run a named scenario; write timecourse.csv, summary.csv and figures to --out."""
    from mechsim.scenarios import get_scenario
    from mechsim.scenarios._run import run_scenario, write_scenario

    with user_errors():
        check_output_path(out, arg="--out", kind="folder")
        check_tolerances(rtol, atol, rtol_arg="--rtol", atol_arg="--atol")
        get_scenario(scenario)  # an unknown name is refused before any work
        with console.status(f"simulating {scenario} ..."):
            try:
                result = run_scenario(scenario, rtol=rtol, atol=atol)
            except InputError:
                raise
            except MechsimError as exc:  # inputs were checked: this is the solver failing
                raise SolverError(f"{exc} — try other --rtol/--atol values") from None
            with atomic_folder(out) as tmp:  # all files appear together, or none
                files = write_scenario(result, tmp)
    console.print(f"wrote {len(files)} files to {out}")


def params(
    model: str = typer.Argument(..., help="model name, e.g. 'trofosfamide' or 'aldoxorubicin'"),
    csv: Path | None = typer.Option(None, "--csv", help="also write the table as CSV"),
) -> None:
    """Print every parameter of MODEL with value, unit, bounds and provenance."""
    from mechsim._io import atomic_write_text
    from mechsim.report import parameter_table
    from mechsim.scenarios import get_model

    with user_errors():
        if csv is not None:
            check_output_path(csv, arg="--csv")
        df = parameter_table(get_model(model))
    # readable at 80 columns: short columns keep their width, provenance wraps in the rest
    table = Table(title=f"parameters of {escape(model)}", show_lines=False, box=box.SIMPLE_HEAD,
                  pad_edge=False)
    for col, width in (("name", None), ("value", 8), ("unit", None), ("bounds", 12), ("scale", 5),
                       ("provenance", None)):
        table.add_column(col, overflow="fold", width=width, min_width=12 if col == "name" else None)
    for row in df.itertuples(index=False):
        cells = (row.name, f"{row.value:.4g}", row.unit, f"[{row.lower:.3g}, {row.upper:.3g}]",
                 row.scale, f"{row.kind}: {row.source}")
        table.add_row(*(escape(str(c)) for c in cells))
    console.print(table)
    if csv is not None:
        with user_errors():
            atomic_write_text(csv, df.to_csv(index=False))
        console.print(f"wrote {csv}")


def demo(
    out: Path = typer.Option(Path("mechsim-demo"), "--out", help="report folder"),
) -> None:
    """Run the seeds' scenarios of both mechanisms and write the report to --out."""
    from mechsim.report import write_demo

    with user_errors():
        check_output_path(out, arg="--out", kind="folder")
        # written into a temporary sibling and moved into place when complete: an
        # interrupted demo leaves no half-written report (links inside are relative)
        with atomic_folder(out) as tmp:
            index = out / write_demo(tmp, console=console).relative_to(tmp)
    console.print(f"[green]report written:[/green] {index}")


def register(app: typer.Typer) -> None:
    """Add the top-level commands to the main app."""
    app.command("scenarios")(scenarios)
    app.command("simulate")(simulate_cmd)
    app.command("params")(params)
    app.command("demo")(demo)
