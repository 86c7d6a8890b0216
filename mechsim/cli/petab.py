"""``mechsim petab``: PEtab v1 problems (log-likelihood at the nominal parameters)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mechsim.cli.petab_fit import petab_fit

app = typer.Typer(help="PEtab v1 parameter-estimation problems.", no_args_is_help=True)
console = Console(stderr=True)


@app.callback()
def _group() -> None:
    """PEtab v1 parameter-estimation problems."""


app.command("fit")(petab_fit)


@app.command()
def llh(
    problem: Annotated[Path, typer.Argument(help="PEtab problem YAML file")],
    rtol: Annotated[float, typer.Option(help="solver relative tolerance")] = 1e-8,
    atol: Annotated[float, typer.Option(help="solver absolute tolerance")] = 1e-12,
) -> None:
    """Print ``{"llh": ..., "nllh": ...}`` at the nominal parameters (PEtab definition)."""
    from mechsim.errors import MechsimError
    from mechsim.petab import llh as petab_llh

    try:
        value = petab_llh(problem, rtol=rtol, atol=atol)
    except (MechsimError, FileNotFoundError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    print(json.dumps({"problem": str(problem), "llh": value, "nllh": -value}))
