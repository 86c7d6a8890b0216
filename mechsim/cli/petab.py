"""``mechsim petab``: PEtab v1 problems (log-likelihood at the nominal parameters)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mechsim.cli._errors import fail, user_errors
from mechsim.cli.petab_fit import petab_fit

app = typer.Typer(help="PEtab v1 parameter-estimation problems.", no_args_is_help=True)


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
    """Print ``{"llh": ..., "nllh": ...}`` at the nominal parameters (PEtab definition).

    The output is strict JSON: where the log-likelihood is not finite (the model could
    not be integrated) ``llh`` and ``nllh`` are ``null`` and ``status`` says why; the
    exit status is then 1.
    """
    import math

    from mechsim._io import json_text
    from mechsim._validate import check_input_file, check_tolerances
    from mechsim.petab import llh as petab_llh

    with user_errors():
        check_input_file(problem, arg="PROBLEM", what="PEtab problem YAML")
        check_tolerances(rtol, atol, rtol_arg="--rtol", atol_arg="--atol")
        value = petab_llh(problem, rtol=rtol, atol=atol)
    ok = math.isfinite(value)
    status = "ok" if ok else (f"llh is {value} at the nominal parameters: the model could not be "
                              "integrated there (try other --rtol/--atol or nominal values)")
    print(json_text({"problem": str(problem), "llh": value, "nllh": -value, "status": status}, indent=None),
          end="")
    if not ok:
        fail(status, 1)
