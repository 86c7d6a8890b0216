"""Writing a metabolite tree: ``metabolites.csv`` and ``tree.json`` in one folder, atomically."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from mechsim._io import atomic_folder, json_text
from mechsim.molecules._enumerate import MAX_SPONTANEOUS, MetaboliteTree

#: Columns of ``metabolites.csv`` (see :class:`~mechsim.molecules._enumerate.Metabolite`).
CSV_COLUMNS = (
    "rank", "smiles", "inchikey", "score", "depth", "steps", "parent", "rule", "rule_set",
    "pathway", "in_library", "library_id", "library_match",
)  # fmt: skip


def tree_record(tree: MetaboliteTree, top: int | None = None) -> dict[str, object]:
    """The JSON record: parent, settings, the ``top`` metabolites, best-path edges and rules used."""
    shown = tree.top(top)
    used = {m.rule for m in shown}
    return {
        "parent": tree.parent.row(),
        "depth": tree.depth,
        "depth_counts": "enzymatic steps; spontaneous steps follow freely "
        f"(at most {MAX_SPONTANEOUS} per path)",
        "score": "product of the rule probabilities along the best path (dimensionless)",
        "min_score": tree.min_score,
        "truncated_at": tree.truncated_at,
        "expanded": tree.expanded,
        "n_metabolites": len(tree.metabolites),
        "metabolites": [m.row() for m in shown],
        "edges": [
            {"from": m.parent, "to": m.inchikey, "rule": m.rule,
             "probability": next(r.probability for r in tree.rules if r.id == m.rule), "score": m.score}
            for m in shown
        ],
        "rules": [
            {"id": r.id, "rule_set": r.rule_set, "probability": r.probability, "enzymatic": r.enzymatic,
             "smarts": r.smarts, "source": r.source, "co_reactant": r.co_reactant_id}
            for r in tree.rules if r.id in used
        ],
    }


def metabolites_csv(tree: MetaboliteTree, top: int | None = None) -> str:
    """``metabolites.csv`` as text: the parent (rank 0), then the ``top`` metabolites."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for m in (tree.parent, *tree.top(top)):
        row = m.row()
        row["score"] = f"{m.score:.6g}"
        writer.writerow(row)
    return buffer.getvalue()


#: Metabolites drawn in ``tree.png`` at most (more are unreadable on one page).
FIGURE_TOP = 12


def write_metabolite_tree(
    tree: MetaboliteTree, out: str | os.PathLike[str], top: int | None = None, *, figure: bool = True
) -> list[Path]:
    """Write ``metabolites.csv``, ``tree.json`` and (``figure``) ``tree.png`` into the folder ``out``.

    The figure shows the best ``min(top, FIGURE_TOP)`` metabolites. Returns the paths written.
    """
    names = ["metabolites.csv", "tree.json"]
    with atomic_folder(out) as tmp:
        (tmp / "metabolites.csv").write_text(metabolites_csv(tree, top))
        (tmp / "tree.json").write_text(json_text(tree_record(tree, top)))
        if figure:
            from mechsim.molecules._enumerate_plot import draw_metabolite_tree

            draw_metabolite_tree(tree, tmp / "tree.png", top=min(top or FIGURE_TOP, FIGURE_TOP))
            names.append("tree.png")
    return [Path(out) / name for name in names]
