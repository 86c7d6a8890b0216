"""Top-level commands: ``scenarios``, ``simulate``, ``params`` and ``demo``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from mechsim.errors import MechsimError

console = Console()
err = Console(stderr=True)


def _fail(exc: Exception) -> None:
    err.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(2)


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
    from mechsim.scenarios._run import run_scenario, write_scenario

    try:
        with console.status(f"simulating {scenario} ..."):
            result = run_scenario(scenario, rtol=rtol, atol=atol)
            files = write_scenario(result, out)
    except MechsimError as exc:
        _fail(exc)
    console.print(f"wrote {len(files)} files to {out}")


def params(
    model: str = typer.Argument(..., help="model name, e.g. 'trofosfamide' or 'aldoxorubicin'"),
    csv: Path | None = typer.Option(None, "--csv", help="also write the table as CSV"),
) -> None:
    """Print every parameter of MODEL with value, unit, bounds and provenance."""
    from mechsim._io import atomic_write_text
    from mechsim.report import parameter_table
    from mechsim.scenarios import get_model

    try:
        df = parameter_table(get_model(model))
    except MechsimError as exc:
        _fail(exc)
    table = Table(title=f"parameters of {model}", show_lines=False)
    for col in ("name", "value", "unit", "bounds", "scale", "provenance"):
        table.add_column(col, overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(row.name, f"{row.value:.4g}", row.unit, f"[{row.lower:.3g}, {row.upper:.3g}]",
                      row.scale, f"{row.kind}: {row.source}")
    console.print(table)
    if csv is not None:
        atomic_write_text(csv, df.to_csv(index=False))


def demo(
    out: Path = typer.Option(Path("mechsim-demo"), "--out", help="report folder"),
) -> None:
    """Run the seeds' scenarios of both mechanisms and write the report to --out."""
    from mechsim.report import write_demo

    try:
        index = write_demo(out, console=console)
    except MechsimError as exc:
        _fail(exc)
    console.print(f"[green]report written:[/green] {index}")


def register(app: typer.Typer) -> None:
    """Add the top-level commands to the main app."""
    app.command("scenarios")(scenarios)
    app.command("simulate")(simulate_cmd)
    app.command("params")(params)
    app.command("demo")(demo)
