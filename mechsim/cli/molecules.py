"""``mechsim molecules ...``: browse, depict, export and check the curated molecule library.

Errors in the data or the arguments (unknown molecule names, bad file suffixes, invalid library
files) print one line to stderr and exit with status 2; ``check`` exits with status 1 when a
transformation fails. Every file is written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mechsim._validate import check_output_path
from mechsim.cli._errors import user_errors
from mechsim.errors import MechsimError

if TYPE_CHECKING:
    from mechsim.molecules import Library
    from mechsim.molecules._atom_map_check import Mapper

app = typer.Typer(
    help="Curated molecules of the trofosfamide and aldoxorubicin mechanisms.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)

LibraryOption = Annotated[
    Path | None,
    typer.Option(
        "--library",
        help="library folder (library/*.yaml + transformations.yaml) or molecule YAML file; "
        "default: the shipped data",
    ),
]


def _user_errors():
    """Turn failures into a one-line message: status 2 for bad input, 1 for the rest."""
    return user_errors()


def _load(path: Path | None):
    from mechsim.molecules import default_library, load_library

    return default_library() if path is None else load_library(path)


@app.command("list")
def list_cmd(
    role: Annotated[
        str | None, typer.Option(help="only entries with this role, e.g. 'DNA adduct'")
    ] = None,
    library: LibraryOption = None,
) -> None:
    """List every library entry: id, name, role, formula and average molecular weight."""
    with _user_errors():
        lib = _load(library)
        from mechsim.molecules import Role

        try:
            wanted = None if role is None else Role(role)
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise MechsimError(f"unknown role {role!r}; choose one of: {allowed}") from None
        table = Table(title=f"{len(lib)} molecules ({lib.source})", box=box.SIMPLE_HEAD, pad_edge=False)
        rows = [m for m in lib.molecules if wanted is None or m.role is wanted]

        def longest(texts: list[str], floor: int) -> int:
            return max([floor, *(len(t) for t in texts)])

        id_w, name_w = longest([m.id for m in rows], 2), longest([m.name for m in rows], 4)
        role_w, formula_w = longest([m.role.value for m in rows], 4), longest([m.formula for m in rows], 7)
        # 8: the MW column; 3 per column for the gaps and box edges (SIMPLE_HEAD, pad_edge=False)
        if id_w + min(name_w, 24) + role_w + formula_w + 8 + 5 * 3 <= console.width:
            table.add_column("id", no_wrap=True)
            table.add_column("name")  # wraps at spaces in what is left
            cells = [(escape(m.id), escape(m.name)) for m in rows]
        else:  # narrow (80 columns): the name under the id, role wrapped at its space
            role_w = min(role_w, 12)
            both_w = max(16, console.width - role_w - formula_w - 8 - 4 * 3)
            table.add_column("id / name", max_width=both_w, overflow="fold")
            cells = [(f"{escape(_wrap(m.id, both_w))}\n[dim]{escape(_wrap(m.name, both_w))}[/dim]",)
                     for m in rows]
        table.add_column("role", max_width=role_w)
        table.add_column("formula", no_wrap=True)
        table.add_column("MW g/mol", justify="right", no_wrap=True)
        for m, first in zip(rows, cells, strict=True):
            table.add_row(*first, escape(m.role.value), escape(m.formula), f"{m.molecular_weight:.2f}")
        console.print(table)


def _wrap(text: str, width: int) -> str:
    """``text`` in lines of at most ``width``, broken after hyphens and at spaces; a text
    with a word (hyphen to hyphen) longer than ``width`` is folded every ``width`` characters."""
    import re
    import textwrap

    if max(len(w) for w in re.split(r"(?<=-)|\s+", text)) > width:
        return "\n".join(text[i:i + width] for i in range(0, len(text), width))
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=True)) or text


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="molecule id, name or synonym (case-insensitive)")],
    png: Annotated[
        Path | None, typer.Option("--png", help="also write a PNG depiction here")
    ] = None,
    library: LibraryOption = None,
) -> None:
    """Show one molecule: identifiers, role, computed properties and protonation at pH 7.4."""
    with _user_errors():
        from mechsim.molecules import draw_molecule, molecule_properties

        if png is not None:
            check_output_path(png, arg="--png")
        lib = _load(library)
        m = lib.get(name)
        props = molecule_properties(m)
        table = Table(title=f"{m.name} ({m.id})", show_header=False)
        table.add_column("field", style="bold")
        table.add_column("value", overflow="fold")
        rows = [
            ("synonyms", "; ".join(m.synonyms)),
            ("role", m.role.value),
            ("SMILES", m.smiles),
            ("formula", m.formula),
            ("InChIKey", m.inchikey),
            ("PubChem CID", str(m.pubchem_cid) if m.pubchem_cid else "-"),
            ("ChEBI", m.chebi or "-"),
            ("average MW", f"{props['average_mw']:.3f} g/mol"),
            ("exact mass", f"{props['exact_mass']:.4f} g/mol"),
            ("cLogP / TPSA", f"{props['clogp']:.2f} / {props['tpsa']:.1f} Å²"),
            (
                "HBD / HBA / rot. bonds",
                f"{props['hbd']} / {props['hba']} / {props['rotatable_bonds']}",
            ),
            ("formal charge", f"{props['formal_charge']:+d}"),
            (
                "stereocentres",
                f"{props['stereocentres']} ({props['stereocentres_defined']} defined, "
                f"{props['stereocentres_undefined']} undefined)",
            ),
            ("stereo note", m.stereo_note),
            ("pH 7.4 form", m.charge_state_ph74),
            ("pKa basis", m.pka_basis),
            ("source", m.source),
        ]
        if m.note:
            rows.append(("note", m.note))
        rows.append(("entry", f"{m.file}:{m.line}"))
        for key, value in rows:
            table.add_row(key, escape(value))  # SMILES such as [NH3+] are not markup
        console.print(table)
        if png is not None:
            draw_molecule(m.id, png, library=lib)
            console.print(f"wrote {png}")


@app.command()
def pathway(
    out: Annotated[Path, typer.Option("--out", help="output file, .svg or .png")],
    all_molecules: Annotated[
        bool, typer.Option("--all", help="draw every molecule that takes part in a transformation")
    ] = False,
    library: LibraryOption = None,
) -> None:
    """Draw the pathway diagram (trofosfamide and aldoxorubicin routes) to an SVG or PNG file."""
    with _user_errors():
        from mechsim.molecules import draw_pathway, pathway_graph
        from mechsim.molecules._depict import output_format

        output_format(out, None)  # refuse a bad suffix before any work
        check_output_path(out, arg="--out")
        lib = _load(library)
        ids = list(pathway_graph(lib)) if all_molecules else None
        draw_pathway(out, ids=ids, library=lib)
        console.print(f"wrote {out}")


@app.command()
def export(
    sdf: Annotated[Path, typer.Option("--sdf", help="SD file to write (one record per entry)")],
    library: LibraryOption = None,
) -> None:
    """Export the library as an SD file with id, name, InChIKey, formula, role, ... as tags."""
    with _user_errors():
        from mechsim.molecules import write_sdf

        check_output_path(sdf, arg="--sdf")
        lib = _load(library)
        write_sdf(sdf, library=lib)
        console.print(f"wrote {len(lib)} records to {sdf}")


#: Where ``check --mapper`` writes when ``--out`` is not given (relative to the working folder).
MAPPER_OUT = Path("atom-map-check")


@app.command()
def check(
    library: LibraryOption = None,
    mapper: Annotated[
        bool,
        typer.Option("--mapper", help="also map every transformation with rxnmapper (optional extra "
                     "'mapper') and compare its reaction centre with the curated map"),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help=f"with --mapper: folder for atom_maps.csv and one PNG per "
                     f"disagreement (both maps drawn); default ./{MAPPER_OUT}"),
    ] = None,
) -> None:
    """Re-derive every transformation's products (RDKit SMARTS) and element/charge balance.

    With --mapper, also compare each curated atom map's reaction centre (bonds made, broken, changed) with rxnmapper's; disagreements are listed and drawn, but do not change the exit status.

    Exits with status 1 if any transformation fails to re-derive or balance.
    """
    with _user_errors():
        from mechsim.molecules import check_transformations

        map_with = None
        if out is not None and not mapper:
            raise MechsimError("--out is only used with --mapper — add --mapper or drop --out")
        if mapper:
            from mechsim.molecules._atom_map_check import rxnmapper_mapper

            out = MAPPER_OUT if out is None else out
            check_output_path(out, arg="--out", kind="folder")
            map_with = rxnmapper_mapper()  # a missing extra fails here, before any work
        lib = _load(library)
        results = check_transformations(lib)
    table = Table(title=f"{len(results)} transformations ({lib.source})", box=box.SIMPLE_HEAD, pad_edge=False)
    failed = any(not r.ok for r in results)
    ids = [r.id for r in results]
    enzymes = [lib.transformation(r.id).enzyme.value for r in results]
    id_w, enzyme_w = max(len(i) for i in ids), max(len(e) for e in enzymes)
    if id_w + enzyme_w + 2 * 8 + (24 if failed else 0) + 5 * 3 > console.width:
        # narrow (80 columns): ids wrap after a hyphen, enzymes at a space; ok/FAIL stay whole
        enzyme_w = min(enzyme_w, 14)
        id_w = max(16, console.width - enzyme_w - 2 * 8 - (24 if failed else 0) - 5 * 3)
    table.add_column("transformation", max_width=id_w, overflow="fold")
    table.add_column("enzyme", max_width=enzyme_w)
    table.add_column("products", no_wrap=True)
    table.add_column("balanced", no_wrap=True)
    if failed:  # the reason column only where there is one to give
        table.add_column("reason", min_width=20)
    for r, enzyme in zip(results, enzymes, strict=True):
        table.add_row(
            escape(_wrap(r.id, id_w)),
            escape(enzyme),
            "[green]ok[/green]" if r.products_match else "[red]FAIL[/red]",
            "[green]ok[/green]" if r.balanced else "[red]FAIL[/red]",
            *(["" if r.ok else escape(r.reason)] if failed else []),  # SMARTS such as [C:1] are not markup
        )
    console.print(table)
    if map_with is not None:
        _mapper_table(map_with, lib, out)
    failed = [r.id for r in results if not r.ok]
    if failed:
        err.print(
            f"[red]{len(failed)} transformation(s) failed:[/red] {', '.join(failed)}",
            highlight=False,
        )
        raise typer.Exit(1)
    console.print(f"all {len(results)} transformations regenerate their products and balance")


def _mapper_table(map_with: Mapper, lib: Library, out: Path) -> None:
    """Run the mapper over every transformation, print agree/disagree, write ``out``."""
    with _user_errors():
        from mechsim.molecules._atom_map_check import check_atom_maps
        from mechsim.molecules._atom_map_draw import write_atom_map_check

        checks = check_atom_maps(map_with, lib)
        write_atom_map_check(checks, out)
    table = Table(title="curated atom maps against rxnmapper (reaction centres)", box=box.SIMPLE_HEAD,
                  pad_edge=False)  # fmt: skip
    table.add_column("transformation", overflow="fold")
    table.add_column("map", no_wrap=True)
    table.add_column("conf.", justify="right", no_wrap=True)
    table.add_column("curated centre / difference", overflow="fold")
    colour = {"agree": "green", "disagree": "red", "error": "yellow"}
    for c in checks:
        if c.comparison is None:
            detail = c.reason
        elif c.comparison.agree:
            detail = c.comparison.first.describe()
        else:
            detail = f"curated: {c.comparison.first.describe()} | mapper: {c.comparison.second.describe()}"
        conf = "-" if c.confidence is None else f"{c.confidence:.2f}"
        table.add_row(escape(c.id), f"[{colour[c.status]}]{c.status}[/{colour[c.status]}]", conf, escape(detail))
    console.print(table)
    counts = {s: sum(c.status == s for c in checks) for s in ("agree", "disagree", "error")}
    console.print(f"{counts['agree']} agree, {counts['disagree']} disagree, {counts['error']} could not be "
                  f"compared; wrote {out / 'atom_maps.csv'}"
                  + (" and one PNG per disagreement" if counts["disagree"] else ""))  # fmt: skip


@app.command("enumerate")
def enumerate_cmd(
    parent: Annotated[str, typer.Argument(help="library id, name or synonym, or a SMILES")],
    out: Annotated[Path, typer.Option("--out", help="folder for metabolites.csv, tree.json and tree.png")],
    depth: Annotated[int, typer.Option(help="enzymatic steps per path (spontaneous steps come on top)")] = 2,
    top: Annotated[int, typer.Option(help="metabolites to write, best score first")] = 30,
    rules: Annotated[
        str, typer.Option(help="comma-separated rule sets: sygma (phase I/II, needs the sygma package), mechsim")
    ] = "sygma,mechsim",
    min_score: Annotated[float, typer.Option(help="do not follow paths scoring below this")] = 1e-4,
    max_expansions: Annotated[int, typer.Option(help="molecules to apply the rules to at most")] = 2000,
    figure: Annotated[bool, typer.Option(help="also draw the best 12 as tree.png")] = True,
    library: LibraryOption = None,
) -> None:
    """Enumerate the metabolites of a parent with SyGMa's phase I/II rules and the mechanism's
    non-enzymatic chemistry; write the ranked tree (score = product of rule probabilities):
    metabolites.csv, tree.json and tree.png."""
    with _user_errors():
        from mechsim._validate import check_count
        from mechsim.molecules._enumerate import check_depth, enumerate_metabolites, resolve_parent
        from mechsim.molecules._enumerate_write import write_metabolite_tree
        from mechsim.molecules._rules import load_rules

        check_depth(depth, arg="--depth")
        check_count(top, arg="--top")
        check_count(max_expansions, arg="--max-expansions")
        if not 0 <= min_score < 1:
            raise MechsimError(f"--min-score must be in [0, 1), got {min_score!r} — e.g. --min-score 1e-4")
        check_output_path(out, arg="--out", kind="folder")
        lib = _load(library)
        resolve_parent(parent, lib, arg="PARENT")  # an unknown name fails before the rules load
        sets = tuple(s.strip() for s in rules.split(",") if s.strip())
        tree = enumerate_metabolites(
            parent, depth=depth, rules=load_rules(sets, lib), library=lib, min_score=min_score,
            max_expansions=max_expansions,
        )  # fmt: skip
        write_metabolite_tree(tree, out, top, figure=figure)
    table = Table(title=f"metabolites of {tree.parent.library_id or tree.parent.smiles} (depth {depth})",
                  box=box.SIMPLE_HEAD, pad_edge=False)  # fmt: skip
    for column in ("rank", "score", "library", "rule", "SMILES"):
        table.add_column(column, overflow="fold")
    for m in tree.top(min(top, 15)):
        table.add_row(str(m.rank), f"{m.score:.3g}", escape(m.library_id or "-"), escape(m.rule), escape(m.smiles))
    console.print(table)
    if tree.truncated:
        console.print(f"search stopped after {tree.expanded} molecules (--max-expansions): ranks are exact "
                      f"down to score {tree.truncated_at:.3g}")  # fmt: skip
    console.print(f"wrote {min(top, len(tree.metabolites))} of {len(tree.metabolites)} metabolites to {out}")
