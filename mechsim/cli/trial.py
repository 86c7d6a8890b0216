"""``mechsim trial ...``: run virtual trials of the seeds' arms and validate them.

``trial simulate ID_OR_YAML --out DIR`` simulates one arm (a shipped id or a user's YAML
file) and writes ``patients.csv``, ``summary.json`` and three figures; ``trial validate
--out DIR`` compares every simulable arm with its report and writes ``validation.json`` and
``forest.png``. Every input is checked before any compile; a bad one prints one ``error:``
line and exits with status 2. Output folders appear complete or not at all.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mechsim.cli._errors import user_errors
from mechsim.cli.trials import _arm

app = typer.Typer(
    help="Virtual clinical trials: simulate an arm, validate the arms against their reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()

#: Endpoints of the ``simulate`` table, in order: (summary key, unit of the display).
_SIM_ENDPOINTS = (("orr", "%"), ("dcr", "%"), ("cr", "%"), ("pr", "%"), ("sd", "%"),
                  ("pfs_median_months", "months"), ("pfs_6mo", "%"),
                  ("neutropenia_g34", "%"), ("neutropenia_g4", "%"), ("febrile_neutropenia", "%"),
                  ("leukopenia_g34", "%"), ("lvef_below_50", "%"), ("dlt_rate", "%"))


@contextlib.contextmanager
def _progress(label: str) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar, one task per label; yields ``callback(label, done, total)``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    prog = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("patients"), TimeElapsedColumn(), console=console, transient=True)
    tasks: dict[str, Any] = {}

    def callback(name: str, done: int, total: int) -> None:
        if name not in tasks:
            tasks[name] = prog.add_task(f"{label} {escape(name)}", total=total)
        prog.update(tasks[name], completed=done, total=total)

    with prog:
        yield callback


def _check_count(value: int | None, option: str, example: str) -> None:
    """``value`` >= 1 (``None``: the default applies), else an InputError naming ``option``."""
    from mechsim.errors import InputError

    if value is not None and value < 1:
        raise InputError(f"{option} must be >= 1, got {value} — e.g. {option} {example}")


def _num(x: Any, scale: float = 1.0) -> str:
    """A number for the tables (``scale`` 100 turns fractions into %); ``None``/inf: ``NR``."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "NR"
    return f"{scale * float(x):.3g}"


def _with_interval(value: Any, interval: Any, scale: float = 1.0) -> str:
    if value is None and not interval:
        return "-"
    text = _num(value, scale)
    if interval:
        text += f" [{_num(interval[0], scale)}-{_num(interval[1], scale)}]"
    return text


def _reported(arm, name: str) -> str:
    e = arm.endpoint(name)
    return "-" if e is None else e.display_value()


@app.command()
def simulate(
    id_or_yaml: Annotated[str, typer.Argument(
        metavar="ID_OR_YAML", help="arm id (see 'mechsim trials list') or arm YAML file")],
    out: Annotated[Path, typer.Option("--out", help="output folder (created; files replaced)")],
    patients: Annotated[int | None, typer.Option(
        "--patients", help="virtual patients (default: the trial's reported size)")] = None,
    seed: Annotated[int, typer.Option("--seed", help="random seed; the same seed gives the "
                                                     "same patients")] = 0,
) -> None:
    """Simulate one arm: write patients.csv (one row per virtual patient), summary.json
    (ORR, DCR, median PFS, 6-month PFS with 95 % intervals) and waterfall.png, km_pfs.png,
    spider.png to --out."""
    from mechsim._io import atomic_folder, atomic_write_text, json_text
    from mechsim._validate import check_output_path

    with user_errors():
        check_output_path(out, arg="--out", kind="folder")
        _check_count(patients, "--patients", "100")
        from mechsim.trials import signal_plan, simulate_arm
        from mechsim.trials._plots import write_arm_figures

        arm = _arm(id_or_yaml)
        signal_plan(arm)  # a non-simulable arm or regimen fails here, before any compile
        with _progress("simulating") as bar:
            sim = simulate_arm(arm, patients, seed, progress=lambda d, t: bar(arm.id, d, t))
        summary = sim.summary()
        with atomic_folder(out) as tmp:  # every file appears together, or none
            atomic_write_text(tmp / "patients.csv", sim.patients.to_csv(index=False))
            atomic_write_text(tmp / "summary.json", json_text(summary))
            write_arm_figures(sim, tmp)
    _print_simulation(sim, summary, out)


def _print_simulation(sim, summary: dict, out: Path) -> None:
    arm = sim.arm
    size = "" if sim.n_reported else " (size not reported: default)"
    table = Table(title=f"{arm.id}: {len(sim.patients)} virtual patients{size}, seed {sim.seed}",
                  box=box.SIMPLE_HEAD)
    table.add_column("endpoint", no_wrap=True)
    table.add_column("simulated [95 % CI]", justify="right")
    table.add_column("reported", justify="right")
    for key, unit in _SIM_ENDPOINTS:
        if key not in ("orr", "dcr", "pfs_median_months", "pfs_6mo") and summary.get(key) is None:
            continue  # e.g. LVEF for trofosfamide: not simulated
        scale = 100.0 if unit == "%" else 1.0
        sim_text = _with_interval(summary.get(key), summary.get(f"{key}_interval"), scale)
        table.add_row(key, f"{sim_text} {unit}", escape(_reported(arm, key)))
    if arm.endpoint("os_median_months") is not None:
        table.add_row("os_median_months", "not simulated", escape(_reported(arm, "os_median_months")))
    console.print(table)
    failed = int((sim.patients["solver_status"] != 0).sum())
    if failed:
        console.print(f"[yellow]{failed} patients: the mechanism solve failed (NE in "
                      "patients.csv, left out of the endpoints)[/yellow]")
    console.print(f"wrote patients.csv, summary.json, waterfall.png, km_pfs.png, spider.png to "
                  f"{escape(str(out))}", highlight=False, soft_wrap=True)


@app.command()
def validate(
    out: Annotated[Path, typer.Option("--out", help="output folder (created; files replaced)")],
    replicates: Annotated[int, typer.Option(
        "--replicates", help="virtual trials per arm, each of the trial's size")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="random seed")] = 0,
    json_file: Annotated[Path | None, typer.Option(
        "--json", help="also write validation.json to this file")] = None,
    arms: Annotated[str | None, typer.Option(
        "--arms", hidden=True, help="comma-separated arm ids or YAML files (default: all)")] = None,
) -> None:
    """Simulate every simulable arm REPLICATES times at its trial size and compare each
    reported endpoint with the simulated one (rates: within the reported 95 % interval
    widened by 5 points; medians: within a factor 1.5); write validation.json and
    forest.png to --out."""
    from mechsim._io import atomic_folder, atomic_write_text, json_text
    from mechsim._validate import check_output_path

    with user_errors():
        check_output_path(out, arg="--out", kind="folder")
        if json_file is not None:
            check_output_path(json_file, arg="--json", kind="file")
        _check_count(replicates, "--replicates", "20")
        from mechsim.errors import InputError
        from mechsim.trials import CALIBRATED, list_arms, signal_plan, validate_arms
        from mechsim.trials._plots import forest_figure
        from mechsim.trials._validation import directions, role_counts

        if arms is None:
            chosen = list(list_arms())
        else:
            chosen = [_arm(a.strip()) for a in arms.split(",") if a.strip()]
            if not chosen:
                raise InputError(f"--arms {arms!r} names no arm — give comma-separated ids, "
                                 "e.g. --arms aldox-2b-doxorubicin,hartman2020-doxorubicin")
            for a in chosen:
                signal_plan(a)  # an arm asked for by name must be simulable
        skipped = [a.id for a in chosen if not a.simulable]
        with _progress("validating") as bar:
            results = validate_arms([a for a in chosen if a.simulable], CALIBRATED,
                                    replicates=replicates, seed=seed, progress=bar)
        counts = role_counts(results)
        record = {"arms": [r.to_dict() for r in results], "summary": counts,
                  "directions": directions(results)}
        text = json_text(record)
        with atomic_folder(out) as tmp:
            atomic_write_text(tmp / "validation.json", text)
            forest_figure(results).savefig(tmp / "forest.png", dpi=120)
        if json_file is not None:
            atomic_write_text(json_file, text)
    _print_validation(record, counts, skipped, out)


def _print_validation(record: dict, counts: dict, skipped: list[str], out: Path) -> None:
    """One small table per arm (id, role, size in the title): fits 80 columns."""
    for a in record["arms"]:
        table = Table(title=f"{escape(a['id'])} ({a['role']}, n = {a['n_patients']} x "
                            f"{a['replicates']} replicates)", box=box.SIMPLE_HEAD,
                      title_justify="left", pad_edge=False)
        table.add_column("endpoint", no_wrap=True, min_width=27)
        table.add_column("reported", justify="right", no_wrap=True)
        table.add_column("simulated [2.5-97.5 %]", justify="right", no_wrap=True)
        table.add_column("agrees", justify="center", no_wrap=True)
        for e in a["endpoints"]:
            if e["agrees"] is None and e["simulated"] is None:
                simulated = "not simulated"
            else:
                simulated = _with_interval(e["simulated"], e["interval"])
            agrees = {True: "[green]✓[/green]", False: "[red]✗[/red]", None: "—"}[e["agrees"]]
            reported = "-" if e["reported"] is None else f"{e['reported']:g}"
            table.add_row(e["name"], reported, simulated, agrees)
        console.print(table)
    console.print("rates in %, medians in months; simulated: median over replicate trials of "
                  "the arm's size", highlight=False, soft_wrap=True)
    for role, c in counts.items():
        console.print(f"{role}: {c['agrees']}/{c['compared']} endpoints agree", highlight=False)
    for d in record.get("directions", []):
        mark = {True: "[green]holds[/green]", False: "[red]fails[/red]", None: "—"}[d["holds"]]
        sims = " vs ".join("NR" if v is None else f"{v:.3g}" for v in d["simulated"])
        console.print(f"direction {mark}: {escape(d['name'])} (simulated {sims})",
                      highlight=False, soft_wrap=True)
    if skipped:
        console.print(f"not simulable (skipped): {escape(', '.join(skipped))}", highlight=False,
                      soft_wrap=True)
    console.print(f"wrote validation.json, forest.png to {escape(str(out))}", highlight=False,
                  soft_wrap=True)
