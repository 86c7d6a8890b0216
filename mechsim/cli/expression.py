"""``mechsim expression SCENARIO --out DIR``: log2 fold-change table and heatmap of the seed's genes.

Writes ``log2fc.csv`` (columns: gene, time, value, direction, seed direction, agrees) and
``heatmap.png`` to ``--out``; the folder appears complete or not at all. Every input is
checked before the (minutes-long) simulation; a bad one prints one ``error:`` line and
exits with status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mechsim.cli._errors import user_errors

console = Console()


def expression_cmd(
    scenario: Annotated[str, typer.Argument(
        metavar="SCENARIO", help="expression scenario: cyclophosphamide-elserafi or ifosfamide-mdck")],
    out: Annotated[Path, typer.Option("--out", help="output folder (created; files replaced)")],
) -> None:
    """Simulate SCENARIO with and without its doses and write the log2 fold change over the
    untreated steady state of every seed gene at each sampling time (log2fc.csv, with the
    seed's direction and whether the model agrees) and heatmap.png to --out."""
    from mechsim._io import atomic_folder
    from mechsim._validate import check_output_path

    with user_errors():
        from mechsim.mechanisms.expression._scenarios import (
            expression_table,
            get_expression_scenario,
            simulate_expression,
        )

        sc = get_expression_scenario(scenario)
        check_output_path(out, arg="--out", kind="folder")
        with console.status(f"simulating {sc.name} (treated and untreated) ..."):
            result = simulate_expression(sc)
        table = expression_table(result)
        from mechsim.mechanisms.expression._outputs import write_expression

        with atomic_folder(out) as tmp:  # both files appear together, or none
            files = write_expression(table, f"{sc.name}: {sc.description}", tmp)
    agree = table[table["agrees"] != "n/a"]
    console.print(f"{sc.name}: {int((agree['agrees'] == 'yes').sum())}/{len(agree)} seed directions "
                  f"reproduced; wrote {', '.join(f.name for f in files)} to {out}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``expression`` to the main app."""
    app.command("expression")(expression_cmd)
