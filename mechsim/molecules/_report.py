"""The molecule report: one Markdown page with properties, pathway figure and structures.

:func:`write_report` is what ``mechsim demo`` calls; it writes into ``outdir``:

- ``molecules.md`` (the page),
- ``molecule_properties.csv`` (:func:`~mechsim.molecules.properties_table`),
- ``pathway.png`` and ``pathway.svg`` (:func:`~mechsim.molecules.draw_pathway`),
- ``structures.svg`` (grid of every non-cofactor entry, reactive groups highlighted, each
  panel fitted to its box),
- ``structures/<id>.svg`` (the same entries one per file at one drawing scale,
  :func:`~mechsim.molecules.draw_same_scale`; the demo report embeds them in ``index.html``),
- ``transformations.csv`` (:func:`~mechsim.molecules.check_transformations`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from mechsim._io import atomic_write_text
from mechsim.molecules._depict import (
    GROUP_COLOUR_NAMES,
    REACTIVE_GROUPS,
    draw_grid,
    draw_same_scale,
)
from mechsim.molecules._library import Library, resolve
from mechsim.molecules._model import Role
from mechsim.molecules._pathway_plot import draw_pathway
from mechsim.molecules._properties import properties_table
from mechsim.molecules._reactions import check_transformations


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured Markdown table of ``frame`` (index included as the first column)."""
    cols = list(frame.columns if columns is None else columns)
    head = [frame.index.name or "", *cols]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for idx, row in frame[cols].iterrows():
        lines.append("| " + " | ".join([_cell(idx), *(_cell(row[c]) for c in cols)]) + " |")
    return "\n".join(lines)


def structures_line(ids: Sequence[str], library: Library | None = None, folder: str = "structures") -> str:
    """One Markdown paragraph of images ``folder/<id>.svg`` captioned by the molecule names."""
    lib = resolve(library)

    def alt(name: str) -> str:
        return name.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")

    return " ".join(f"![{alt(lib.get(i).name)}]({folder}/{i}.svg)" for i in ids)


def write_report(outdir: str | os.PathLike[str], library: Library | None = None) -> Path:
    """Write the molecule report into ``outdir`` (created if needed); return the Markdown path.

    All files are written atomically. Masses in g/mol, TPSA in Å².
    """
    lib = resolve(library)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    props = properties_table(lib)
    atomic_write_text(out / "molecule_properties.csv", props.to_csv())
    draw_pathway(out / "pathway.png", library=lib)
    draw_pathway(out / "pathway.svg", library=lib)
    shown = [m.id for m in lib.molecules if m.role is not Role.COFACTOR]
    draw_grid(shown, out / "structures.svg", per_row=5, library=lib)
    for ident, svg in draw_same_scale(shown, library=lib).items():
        atomic_write_text(out / "structures" / f"{ident}.svg", svg)
    checks = check_transformations(lib)
    steps = pd.DataFrame(
        [
            {
                "id": c.id,
                "enzyme": lib.transformation(c.id).enzyme.value,
                "type": lib.transformation(c.id).type.value,
                "equation": lib.transformation(c.id).equation,
                "products_match": c.products_match,
                "balanced": c.balanced,
                "reason": c.reason,
            }
            for c in checks
        ]
    ).set_index("id")
    atomic_write_text(out / "transformations.csv", steps.to_csv())
    n_ok = sum(c.ok for c in checks)
    groups = ", ".join(f"{name} (`{smarts}`, {GROUP_COLOUR_NAMES[name]})"
                       for name, (smarts, _) in REACTIVE_GROUPS.items())
    page = [
        "# Molecule report",
        "",
        f"Library: `{lib.source}`: {len(lib)} molecules, {len(lib.transformations)} transformations; "
        f"{n_ok}/{len(checks)} transformations regenerate their products with RDKit and balance "
        "every element and the charge.",
        "",
        "## Pathway",
        "",
        "![pathway](pathway.png)",
        "",
        "Vector version: [pathway.svg](pathway.svg). Arrows are labelled with the enzyme, or the "
        "chemistry for non-enzymatic steps.",
        "",
        "## Structures",
        "",
        f"Highlighted reactive groups: {groups}. All drawn at one scale (every bond the same length):",
        "",
        structures_line(shown, lib, "structures"),
        "",
        "Overview grid, each panel fitted to its box: [structures.svg](structures.svg).",
        "",
        "## Properties",
        "",
        "Computed by RDKit on the stored structures: masses in g/mol, TPSA in Å² (Ertl, N/O only), "
        "cLogP (Crippen). Also in [molecule_properties.csv](molecule_properties.csv).",
        "",
        markdown_table(
            props,
            [
                "formula",
                "role",
                "average_mw",
                "exact_mass",
                "clogp",
                "tpsa",
                "hbd",
                "hba",
                "rotatable_bonds",
                "formal_charge",
                "stereocentres",
                "stereocentres_undefined",
            ],
        ),
        "",
        "## Transformations",
        "",
        "Also in [transformations.csv](transformations.csv).",
        "",
        markdown_table(steps, ["enzyme", "type", "products_match", "balanced"]),
        "",
    ]
    return atomic_write_text(out / "molecules.md", "\n".join(page))
