"""``mechsim sbml``: simulate SBML models, run the SBML Test Suite, export, inspect."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mechsim._validate import (
    check_count,
    check_input_file,
    check_output_path,
    check_tolerances,
    did_you_mean,
)
from mechsim.cli._errors import fail, user_errors

app = typer.Typer(help="SBML import/export and the SBML Test Suite.", no_args_is_help=True)
console = Console()


@app.command()
def simulate(
    model: Annotated[Path, typer.Argument(help="SBML file")],
    settings: Annotated[Path, typer.Option(help="test-suite style settings file")],
    out: Annotated[Path, typer.Option(help="CSV to write (time, then the variables)")],
    rtol: Annotated[float, typer.Option(help="solver relative tolerance")] = 1e-10,
) -> None:
    """Simulate MODEL as SETTINGS asks and write the time course to OUT."""
    from mechsim.sbml import simulate_case, write_results

    with user_errors():
        check_input_file(model, arg="MODEL", what="SBML file")
        check_input_file(settings, arg="--settings", what="settings file")
        check_output_path(out, arg="--out")
        check_tolerances(rtol, None, rtol_arg="--rtol")
        course = simulate_case(model, settings, rtol=rtol)
        write_results(out, course.times, course.variables, course.values)
    console.print(f"wrote {out} ({len(course.times)} rows, {len(course.variables)} variables)")


def _case_dirs(directory: Path) -> list[Path]:
    if any(directory.glob("*-settings.txt")):
        return [directory]
    return sorted(d for d in directory.iterdir() if d.is_dir() and any(d.glob("*-settings.txt")))


@app.command("test-suite")
def test_suite(
    directories: Annotated[list[Path], typer.Argument(
        metavar="DIRECTORY",
        help="folders of case folders (or single cases), e.g. cases/ and cases-more/")],
    json_out: Annotated[Path | None, typer.Option("--json", help="write the results here")] = None,
    markdown: Annotated[Path | None, typer.Option(help="write a Markdown report here")] = None,
    jobs: Annotated[int, typer.Option(help="worker processes")] = max(1, os.cpu_count() or 1),
    case_timeout: Annotated[float, typer.Option(
        help="wall-clock limit of one case in seconds; a case over it is reported as 'timeout'")
    ] = 120.0,
    by_tag: Annotated[bool, typer.Option(help="print the counts by test tag")] = True,
) -> None:
    """Run every case in the DIRECTORYs; report pass / fail / refused / error / timeout."""
    from mechsim._io import atomic_write_text
    from mechsim.sbml import report_markdown, run_cases, summarize
    from mechsim.sbml._testsuite import STATUSES

    with user_errors():
        for directory in directories:
            if not directory.is_dir():
                fail(f"DIRECTORY {str(directory)!r} is not a folder — give the SBML Test Suite's cases folder")
        for path, arg in ((json_out, "--json"), (markdown, "--markdown")):
            if path is not None:
                check_output_path(path, arg=arg)
        check_count(jobs, arg="--jobs")
        if not case_timeout > 0:
            fail(f"--case-timeout must be > 0 seconds, got {case_timeout} — give e.g. 120")
        dirs = [d for directory in directories for d in _case_dirs(directory)]
    if not dirs:
        fail(f"no test cases (folders with *-settings.txt) in {', '.join(map(str, directories))} — "
             "give the SBML Test Suite's cases folder")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
                  console=console) as progress:
        seen = dict.fromkeys(STATUSES, 0)
        task = progress.add_task("SBML cases", total=len(dirs), counts="")

        def tick(result) -> None:
            seen[result.status] += 1
            progress.update(task, advance=1,
                            counts=" ".join(f"{k} {v}" for k, v in seen.items() if v))
            if result.status != "pass":
                progress.console.print(f"{result.case}: {result.status} {result.message[:160]}",
                                       markup=False, highlight=False)

        results = run_cases(dirs, jobs=jobs, on_result=tick, case_timeout=case_timeout)
    summary = summarize(results)
    if by_tag and summary["by_tag"]:
        tags = Table("tag", *STATUSES, title="by tag")
        for tag, row in summary["by_tag"].items():
            tags.add_row(tag, *(str(row[k]) for k in STATUSES))
        console.print(tags)
    table = Table("status", "cases")
    for key in STATUSES:
        table.add_row(key, str(summary[key]))
    table.add_row("pass rate", f"{100 * summary['pass_rate']:.1f} %")
    console.print(table)
    if json_out is not None:
        atomic_write_text(json_out, json.dumps(summary, indent=1))
        console.print(f"wrote {json_out}")
    if markdown is not None:
        atomic_write_text(markdown, report_markdown(summary))
        console.print(f"wrote {markdown}")


def _export_source(source: str) -> tuple[str, str]:
    """``(SBML text, what it is)`` for a network file, a model name or a scenario name."""
    from mechsim.errors import MechsimError
    from mechsim.network import load_network
    from mechsim.sbml import network_to_sbml, scenario_to_sbml
    from mechsim.scenarios import get_model, list_models, list_scenarios

    path = Path(source)
    if path.is_file() or path.suffix.lower() in {".yaml", ".yml"}:
        return network_to_sbml(load_network(path)), f"network file {source}"
    if source in list_models():
        return network_to_sbml(get_model(source)), f"model {source!r}"
    scenarios = [sc.name for sc in list_scenarios()]
    if source in scenarios:
        return scenario_to_sbml(source), f"scenario {source!r} (with its dosing events)"
    known = [*list_models(), *scenarios]
    raise MechsimError(
        f"{source!r} is not a network file, a model or a scenario{did_you_mean(source, known, n=3, cutoff=0.4)}"
        f" (models: {', '.join(list_models())}; run 'mechsim scenarios' for the scenarios)"
    )


@app.command()
def export(
    source: Annotated[str, typer.Argument(
        metavar="MODEL_OR_SCENARIO",
        help="network YAML file, model name (e.g. 'trofosfamide') or scenario name "
             "(e.g. 'aldoxorubicin-350': the model plus its doses as SBML events)")],
    out: Annotated[Path, typer.Option(help="SBML file to write")],
) -> None:
    """Export a network file, named model or named scenario to SBML Level 3 Version 2."""
    from mechsim._io import atomic_write_text

    with user_errors():
        check_output_path(out, arg="--out")
        xml, what = _export_source(source)
        atomic_write_text(out, xml)
    console.print(f"wrote {out} ({what})")


@app.command()
def info(
    model: Annotated[Path, typer.Argument(help="SBML file")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of text")] = False,
) -> None:
    """Describe an SBML file and say whether mechsim supports all of it."""
    from mechsim.sbml import sbml_info

    with user_errors():
        check_input_file(model, arg="MODEL", what="SBML file")
        data = sbml_info(model)
    if not data.parsed:
        fail(f"{model}: not a readable SBML document ({data.reason}) — check that it is SBML")
    if as_json:
        print(json.dumps(data.to_dict(), indent=1))
        return
    console.print(f"[bold]{escape(data.model_id)}[/bold] (SBML L{data.level}V{data.version})")
    for title in ("compartments", "species", "parameters", "reactions", "rules",
                  "initial_assignments", "events", "units"):
        items = getattr(data, title)
        if items:
            console.print(f"[bold]{title.replace('_', ' ')}[/bold] ({len(items)})")
            for line in items:
                console.print(f"  {line}", markup=False, highlight=False)
    verdict = "[green]supported[/green]" if data.supported else f"[red]unsupported[/red]: {escape(data.reason)}"
    console.print(f"mechsim: {verdict}")
