"""The metabolite tree as a figure: depictions with the changed atoms highlighted, labelled edges.

Columns are the steps from the parent; each metabolite is drawn by RDKit with the atoms its
last step changed highlighted, captioned with its rank, score and library id (or "new"), and
joined to its best-path parent by an arrow labelled with the rule, its probability and the path
score it leads to (the product of the probabilities along the path).
"""

from __future__ import annotations

import io
import os
import textwrap
from pathlib import Path

import matplotlib.image as mpimg
from matplotlib.figure import Figure
from rdkit import Chem
from rdkit.Chem.Draw import rdMolDraw2D

from mechsim._io import atomic_open
from mechsim.molecules._enumerate import Metabolite, MetaboliteTree

#: Highlight colour of the changed atoms (RGB in [0, 1]).
CHANGED = (1.0, 0.55, 0.45)
_PX = 260  # depiction size in pixels


def _depiction(m: Metabolite):
    mol = Chem.MolFromSmiles(m.smiles)
    drawer = rdMolDraw2D.MolDraw2DCairo(_PX, _PX)
    atoms = [i for i in m.changed_atoms if i < mol.GetNumAtoms()]
    drawer.DrawMolecule(mol, highlightAtoms=atoms, highlightAtomColors={i: CHANGED for i in atoms},
                        highlightBonds=[])  # fmt: skip
    drawer.FinishDrawing()
    return mpimg.imread(io.BytesIO(drawer.GetDrawingText()), format="png")


def _positions(nodes: list[Metabolite]) -> dict[str, tuple[float, float]]:
    """(column, row) per InChIKey: column = steps; rows follow the parents' rows."""
    columns: dict[int, list[Metabolite]] = {}
    for m in nodes:
        columns.setdefault(m.steps, []).append(m)
    pos: dict[str, tuple[float, float]] = {}
    for step in sorted(columns):
        members = sorted(columns[step], key=lambda m: (pos.get(m.parent, (0, 0))[1], m.rank))
        for row, m in enumerate(members):
            pos[m.inchikey] = (float(step), float(row))
    return pos


def draw_metabolite_tree(tree: MetaboliteTree, path: str | os.PathLike[str], top: int = 12) -> Path:
    """Draw the parent and its ``top`` best metabolites (a tree: ancestors rank first) to a PNG."""
    nodes = [tree.parent, *tree.top(top)]
    pos = _positions(nodes)
    n_cols = max(p[0] for p in pos.values()) + 1
    n_rows = max(p[1] for p in pos.values()) + 1
    cell_w, cell_h = 3.4, 2.9  # inches per molecule, room for the arrow labels
    fig = Figure(figsize=(cell_w * n_cols, cell_h * n_rows + 0.6))
    ax = fig.add_axes((0, 0, 1, 1 - 0.6 / (cell_h * n_rows + 0.6)))
    ax.set_xlim(-0.05, n_cols - 0.3)
    ax.set_ylim(n_rows - 0.15, -0.15)
    ax.axis("off")
    size = 0.62  # depiction width in column units
    probability = {r.id: r.probability for r in tree.rules}
    for m in nodes:
        x, y = pos[m.inchikey]
        ax.imshow(_depiction(m), extent=(x, x + size, y + 0.72, y), zorder=2)
        label = m.library_id or ("parent" if m is tree.parent else "new")
        head = "parent" if m is tree.parent else f"#{m.rank}  score {m.score:.3g}"
        ax.text(x + size / 2, y + 0.76, f"{head}\n{label}", ha="center", va="top", fontsize=8,
                color="black" if m.library_id else "#a33", zorder=3)  # fmt: skip
        if m.parent in pos:
            px, py = pos[m.parent]
            ax.annotate("", xy=(x - 0.01, y + 0.36), xytext=(px + size + 0.01, py + 0.36),
                        arrowprops={"arrowstyle": "->", "color": "#555", "lw": 1}, zorder=1)  # fmt: skip
            rule = "\n".join(textwrap.wrap(m.rule.replace("_", " "), 26)[:2])
            ax.text(x - 0.19, y + 0.33, f"{rule}\n×{probability.get(m.rule, 0):g} → score {m.score:.2g}",
                    ha="center", va="bottom", fontsize=6.5, color="#225", zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})  # fmt: skip
    fig.suptitle(f"Metabolites of {tree.parent.library_id or tree.parent.smiles}: best {len(nodes) - 1} "
                 f"(depth {tree.depth}; changed atoms highlighted; arrows: rule, ×probability → path score; "
                 "red label = not in the library)",
                 fontsize=10)  # fmt: skip
    out = Path(path)
    with atomic_open(out, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110)
    return out
