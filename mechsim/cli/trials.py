"""``mechsim trials ...``: list the seeds' trial arms and show one with its sources.

An unknown id or a bad arm file prints one ``error:`` line (naming the closest ids, or the
file and line) and exits with status 2.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mechsim.cli._errors import user_errors

app = typer.Typer(
    help="The seeds' clinical trial arms (regimens, populations, reported endpoints).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()


def _arm(id_or_yaml: str):
    """A shipped arm by id, or a user's arm from a ``.yaml``/``.yml`` file."""
    from mechsim.trials import get_arm, load_arm

    path = Path(id_or_yaml)
    if path.suffix.lower() in (".yaml", ".yml") or path.is_file():
        return load_arm(path)
    return get_arm(id_or_yaml)


_ABBREVIATIONS = (("soft-tissue sarcoma", "STS"), ("non-Hodgkin's lymphoma", "NHL"),
                  ("recurrent or refractory solid tumours", "solid tumours"))


def _short_population(p) -> str:
    """``"STS, untreated, elderly"``: histology without details, prior treatment, age group."""
    histology = re.sub(r"\s*\(.*?\)", "", p.histology)
    for long, short in _ABBREVIATIONS:
        histology = histology.replace(long, short)
    parts = [histology, {True: "pretreated", False: "untreated", None: "mixed"}[p.pretreated]]
    if p.age_group != "adult":
        parts.append(re.sub(r"\s*\(.*?\)", "", p.age_group))
    return ", ".join(parts)


@app.command("list")
def list_cmd() -> None:
    """List every shipped arm: id, drug, population, number of patients and role."""
    with user_errors():
        from mechsim.trials import list_arms

        arms = list_arms()
        table = Table(title=f"{len(arms)} trial arms", box=box.SIMPLE_HEAD, pad_edge=False,
                      collapse_padding=True)
        # readable at 80 columns: ids never wrap, the population folds
        table.add_column("id", no_wrap=True)
        table.add_column("drug", overflow="fold", max_width=13)
        table.add_column("population", overflow="fold", ratio=1)
        table.add_column("n", justify="right", no_wrap=True)
        table.add_column("role", no_wrap=True, min_width=13)
        for a in arms:
            n = a.population.n
            table.add_row(escape(a.id), escape(a.drug), escape(_short_population(a.population)),
                          "-" if n is None else str(n), a.role.value)
        console.print(table)


@app.command()
def show(
    id_or_yaml: Annotated[
        str, typer.Argument(metavar="ID_OR_YAML", help="arm id (see 'trials list') or arm YAML file")
    ],
) -> None:
    """Show one arm: regimen, population, assessment and every endpoint with its source."""
    with user_errors():
        arm = _arm(id_or_yaml)
    r, p = arm.regimen, arm.population
    table = Table(title=f"{arm.title} ({arm.id})", show_header=False, box=box.SIMPLE)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    rows = [
        ("study", arm.study),
        ("drug", arm.drug),
        ("role", arm.role.value + (f": {arm.reason}" if arm.reason else "")),
        ("regimen", r.describe()),
        ("  route", r.route),
        ("  cycle length", "-" if r.cycle_days is None else f"{r.cycle_days} days"),
        ("  cycles", "until progression" if r.cycles is None else f"up to {r.cycles}"),
        ("  infusion", "-" if r.infusion_minutes is None else f"{r.infusion_minutes:g} min"),
        ("  source", f"“{r.source}”"),
        *[(f"  {k}", str(v)) for k, v in r.provenance.items()],
        ("population", p.histology),
        ("  line", p.line),
        ("  pretreated", {True: "yes", False: "no", None: "mixed or not reported"}[p.pretreated]),
        ("  age group", p.age_group),
        ("  n", "not reported" if p.n is None else str(p.n)),
        ("  source", f"“{p.source}”"),
        *[(f"  {k}", str(v)) for k, v in p.provenance.items()],
    ]
    if arm.assessment is not None:
        a = arm.assessment
        every = "" if a.interval_weeks is None else f"every {a.interval_weeks:g} weeks: "
        rows += [("assessment", every + a.description), ("  source", f"“{a.source}”")]
    rows += [("seed", arm.seed or "-"), ("file", f"{arm.file}:{arm.line}")]
    for key, value in rows:
        table.add_row(escape(key), escape(value))
    console.print(table)
    if not arm.endpoints:
        console.print("no endpoints reported for this arm")
        return
    count = len(arm.endpoints)
    console.print(f"[bold]{count} reported endpoint{'' if count == 1 else 's'}[/bold]")
    for e in arm.endpoints:
        extra = [x for x in (
            e.subgroup and f"subgroup: {e.subgroup}",
            e.review and f"{e.review} review",
            e.p_value is not None and f"p = {e.p_value:g}",
            e.hazard_ratio is not None and f"HR {e.hazard_ratio:g}" + (
                f" ({e.hazard_ratio_ci[0]:g}-{e.hazard_ratio_ci[1]:g})" if e.hazard_ratio_ci else ""),
        ) if x]
        head = f"{e.name}: {e.display_value()}" + (f" [{'; '.join(extra)}]" if extra else "")
        console.print(f"  {escape(head)}", soft_wrap=False)
        if e.note:
            console.print(f"    note: {escape(e.note)}")
        console.print(f"    source: “{escape(e.source)}”")
